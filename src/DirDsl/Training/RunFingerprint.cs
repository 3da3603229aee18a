using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;

namespace DirDsl;

/// <summary>
/// Everything that decides a variant's result, part by part: DirDsl's version, the experiment and its settings, the
/// variant, seed, epochs, held-out ranges, the FDS statistics source, and a hash of each split's mapped data. Stored
/// in every checkpoint and in results.json; <c>--resume</c> continues only a checkpoint whose fingerprint is equal, and
/// otherwise names the parts that changed.
/// </summary>
public static class RunFingerprint
{
    /// <summary>The fingerprint of training <paramref name="variant"/> with these settings and data.</summary>
    public static SortedDictionary<string, string> For(string experiment, TrainerSettings settings, DirVariant variant, int seed, int epochs,
        RunOptions options, TrainingData data) => new(StringComparer.Ordinal)
    {
        ["dirdsl"] = typeof(RunFingerprint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?",
        ["experiment"] = experiment,
        ["settings"] = Invariant($"batch {settings.BatchSize}, lr {settings.LearningRate:R}, weight decay {settings.WeightDecay:R}, {settings.Optimizer}, clip {settings.GradientClipNorm:R}, patience {settings.Patience}, target scale {settings.TargetScale:R}, select by {(settings.SelectByMse ? "MSE" : "MAE")}, {settings.Bins}, {settings.Schedule} {string.Join(" ", settings.Milestones ?? Array.Empty<int>())} {settings.ScheduleGamma:R}"),
        ["variant"] = Describe(variant),
        ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
        ["epochs"] = epochs.ToString(CultureInfo.InvariantCulture),
        ["holdouts"] = options.Holdouts.Count == 0 ? "none" : string.Join(", ", options.Holdouts),
        ["fds statistics"] = options.FdsStatistics?.ToString() ?? "as declared",
        ["train data"] = data.Train.ContentHash,
        ["validation data"] = data.Validation.ContentHash,
        ["test data"] = data.Test.ContentHash,
    };

    /// <summary>The parts that differ, as "part: was → now" lines; null when the fingerprints are equal.</summary>
    public static string? Difference(IReadOnlyDictionary<string, string>? stored, IReadOnlyDictionary<string, string> current)
    {
        if (stored is null) return "the checkpoint has no fingerprint (written by an older DirDsl)";
        var changed = current.Keys.Union(stored.Keys).Distinct()
            .Where(key => !stored.TryGetValue(key, out var was) || !current.TryGetValue(key, out var now) || was != now)
            .Select(key => $"{key}: {(stored.TryGetValue(key, out var was) ? was : "(none)")} -> {(current.TryGetValue(key, out var now) ? now : "(none)")}")
            .ToList();
        return changed.Count == 0 ? null : string.Join("; ", changed);
    }

    /// <summary>A short SHA-256 of float values (the mapped rows or targets of a split).</summary>
    public static string Hash(ReadOnlySpan<float> values, ReadOnlySpan<float> more = default)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(more));
        return Convert.ToHexString(sha.GetHashAndReset(), 0, 12).ToLowerInvariant();
    }

    private static string Describe(DirVariant v) => Invariant(
        $"{v.Name}: {v.Reweight}, LDS {(v.Lds is { } l ? $"{l.Kernel} {l.Size} {l.Sigma:R}" : "off")}, FDS {(v.Fds ? "on" : "off")}, clip {v.ClipMin:R}..{v.ClipMax:R}, dense {v.DenseAlpha:R}, BMSE {v.BalancedMse?.ToString() ?? "off"}, RRT {v.RrtEpochs} {v.RrtLearningRate:R}, resampling {v.Resampling?.ToString() ?? "off"}, point {v.Point?.Label ?? "none"}, bins {v.Bins?.ToString() ?? "experiment's"}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
