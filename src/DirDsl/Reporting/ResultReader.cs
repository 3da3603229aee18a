using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirDsl;

/// <summary>A variant as stored in results.json (what <c>dirdsl report</c> merges).</summary>
/// <param name="Experiment">The experiment.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Variant">The variant.</param>
/// <param name="BestEpoch">Epoch selected on validation.</param>
/// <param name="Validation">Validation metrics.</param>
/// <param name="Test">Test metrics (groups from training counts).</param>
/// <param name="TestExplicitGroups">Test metrics with explicit groups, if any.</param>
/// <param name="Source">The file it came from.</param>
public sealed record StoredVariant(string Experiment, int Seed, string Variant, int BestEpoch, ShotReport Validation, ShotReport Test,
    ShotReport? TestExplicitGroups, string Source)
{
    /// <summary>The searched variant when this is a hyperparameter-search point, else null.</summary>
    public string? SearchOf { get; init; }

    /// <summary>Whether the run selected by validation MSE (else MAE).</summary>
    public bool SelectByMse { get; init; } = true;

    /// <summary>What decided the result (see <see cref="RunFingerprint"/>: settings, data hashes, ...); null in files of older versions.</summary>
    public IReadOnlyDictionary<string, string>? Fingerprint { get; init; }

    /// <summary>A depth map target's pixel metrics on the test split (see <see cref="DepthReports"/>); null otherwise and in files of older versions.</summary>
    public DepthShotReport? TestDepth { get; init; }

    /// <summary>The data splits' content hashes that decided this result (train, validation, test data), those recorded.</summary>
    public IEnumerable<(string Split, string Hash)> DataHashes => (Fingerprint ?? new Dictionary<string, string>())
        .Where(entry => entry.Key.EndsWith(" data", StringComparison.Ordinal)).Select(entry => (entry.Key, entry.Value));
}

/// <summary>Reads results.json files written by <see cref="ResultWriter"/>.</summary>
public static class ResultReader
{
    /// <summary>The variants of one results.json.</summary>
    /// <exception cref="DataFormatException">The file is not a DirDsl results file.</exception>
    public static IReadOnlyList<StoredVariant> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Results file not found: {path}", path);
        try
        {
            var file = JsonSerializer.Deserialize(File.ReadAllText(path), ResultsJsonContext.Default.ResultsFile);
            if (file?.Experiment is null || file.Variants is null)
                throw new DataFormatException(path, 1, null, "not a DirDsl results.json (no experiment or variants).");
            int epochBase = file.EpochsCountedFrom ?? 0;
            return file.Variants.Select(v => new StoredVariant(file.Experiment, v.Seed ?? file.Seed, v.Variant ?? "?", v.BestEpoch - epochBase,
                v.Validation ?? throw new DataFormatException(path, 1, "validation", "missing."),
                v.Test ?? throw new DataFormatException(path, 1, "test", "missing."),
                v.TestExplicitGroups, path) { SearchOf = v.SearchOf, SelectByMse = file.SelectByMse ?? true, Fingerprint = v.Fingerprint, TestDepth = v.TestDepth }).ToList();
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (int)(e.LineNumber ?? 0) + 1, null, "not valid JSON: " + e.Message);
        }
    }

    /// <summary>The environment a results.json records (<see cref="RunEnvironment"/>), or null in files of older versions.</summary>
    public static IReadOnlyDictionary<string, string>? Environment(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), ResultsJsonContext.Default.ResultsFile)?.Environment;
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (int)(e.LineNumber ?? 0) + 1, null, "not valid JSON: " + e.Message);
        }
    }
}
