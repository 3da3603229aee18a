using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;

namespace DirDsl;

/// <summary>
/// Everything that decides a variant's result, as flat "part: value" entries derived from the objects the run trains
/// with (no hand-kept list): DirDsl's version, the experiment's settings, loss and FDS settings as generated from its
/// attributes (<see cref="CanonicalForm"/>), the variant and its methods with their settings, the input's settings (an
/// image's size and augmentation), the model's parameter names and shapes, seed, epochs, held-out ranges, the run's
/// FDS overrides, and a hash of each split's mapped data. Stored in every checkpoint and in results.json;
/// <c>--resume</c> continues only a checkpoint whose fingerprint is equal, and otherwise names the parts that changed
/// (<c>loss.kind: L1 -> Mse</c>, <c>fds.momentum: 0.9 -> 0.5</c>).
/// </summary>
public static class RunFingerprint
{
    /// <summary>Changes listed by name in a refusal; more are counted.</summary>
    public const int ListedChanges = 12;

    /// <summary>The fingerprint of training <paramref name="variant"/> of <paramref name="experiment"/> as <paramref name="model"/>.</summary>
    public static SortedDictionary<string, string> For<TRecord, TModel>(ExperimentDefinition<TRecord, TModel> experiment, DirVariant variant,
        DirModel model, int seed, int epochs, RunOptions options, TrainingData data) where TModel : DirModel
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["dirdsl"] = Version,
            ["experiment"] = experiment.Name,
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            // The seed the [Data] member split with (DataContext.SplitSeed): the data hashes say whether it changed the records.
            ["split seed"] = (options.SplitSeed ?? options.Seed ?? experiment.Settings.Seed).ToString(CultureInfo.InvariantCulture),
            ["epochs"] = epochs.ToString(CultureInfo.InvariantCulture),
            ["holdouts"] = options.Holdouts.Count == 0 ? "none" : string.Join(", ", options.Holdouts),
            ["fds overrides"] = options.FdsChoices?.ToString() ?? "as declared",
            ["train data"] = data.Train.ContentHash,
            ["validation data"] = data.Validation.ContentHash,
            ["test data"] = data.Test.ContentHash,
            ["target"] = data.Train.Shape.ToString(),
        };
        CanonicalForm.Add(entries, "settings", experiment.Settings);
        CanonicalForm.Add(entries, "loss", experiment.Loss);
        CanonicalForm.Add(entries, "fds", experiment.Fds);
        CanonicalForm.Add(entries, "variant", variant);
        if (data.InputSettings is { } input) CanonicalForm.Add(entries, "input", input);
        // The model's parts: a changed encoder or regressor (a width, a layer) changes a parameter's name or shape.
        foreach (var (name, tensor) in model.state_dict())
            entries["model." + name] = "[" + string.Join(", ", tensor.shape) + "] " + tensor.dtype;
        return entries;
    }

    /// <summary>DirDsl's informational version.</summary>
    public static string Version { get; } =
        typeof(RunFingerprint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";

    /// <summary>The parts that differ, as "part: was -> now" lines; null when the fingerprints are equal.</summary>
    public static string? Difference(IReadOnlyDictionary<string, string>? stored, IReadOnlyDictionary<string, string> current)
    {
        if (stored is null) return "the checkpoint has no fingerprint (written by an older DirDsl)";
        var changed = current.Keys.Union(stored.Keys).Distinct().OrderBy(key => key, StringComparer.Ordinal)
            .Where(key => !stored.TryGetValue(key, out var was) || !current.TryGetValue(key, out var now) || was != now)
            .Select(key => $"{key}: {(stored.TryGetValue(key, out var was) ? was : "(none)")} -> {(current.TryGetValue(key, out var now) ? now : "(none)")}")
            .ToList();
        if (changed.Count == 0) return null;
        var listed = string.Join("; ", changed.Take(ListedChanges));
        return changed.Count > ListedChanges ? $"{listed}; and {changed.Count - ListedChanges} more" : listed;
    }

    /// <summary>A short SHA-256 of float values (the mapped rows or targets of a split).</summary>
    public static string Hash(ReadOnlySpan<float> values, ReadOnlySpan<float> more = default)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(more));
        return Short(sha.GetHashAndReset());
    }

    /// <summary>A digest as fingerprints write it: its first 12 bytes in lower-case hex.</summary>
    internal static string Short(byte[] digest) => Convert.ToHexString(digest, 0, 12).ToLowerInvariant();
}
