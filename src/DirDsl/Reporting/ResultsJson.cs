using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirDsl;

/// <summary>The schema of results.json: what <see cref="ResultWriter"/> writes and <see cref="ResultReader"/> reads.</summary>
/// <param name="Experiment">The experiment class.</param>
/// <param name="Seed">The run's first seed.</param>
/// <param name="Epochs">Configured epochs.</param>
/// <param name="SelectByMse">Whether validation MSE (else MAE) selected epochs and search points.</param>
/// <param name="Bins">The label space.</param>
/// <param name="TrainCounts">Training samples per bin.</param>
/// <param name="Variants">One entry per (variant, seed).</param>
/// <param name="Environment">Where it ran (<see cref="RunEnvironment"/>); null in files of older versions.</param>
/// <param name="Target">The target's shape (scalar, vector (names), map 1 x H x W); null in files of older versions.</param>
/// <param name="EpochsCountedFrom">
/// 1: bestEpoch and the history's epoch count from 1, as the log, the figures and --epochs do (the first epoch is epoch 1);
/// null in files of older versions, which counted from 0.
/// </param>
public sealed record ResultsFile(string? Experiment, int Seed, int Epochs, bool? SelectByMse, BinsJson? Bins, int[]? TrainCounts,
    IReadOnlyList<VariantJson>? Variants, IReadOnlyDictionary<string, string>? Environment = null, string? Target = null, int? EpochsCountedFrom = null)
{
    /// <summary>How results.json counts epochs now (<see cref="EpochsCountedFrom"/>).</summary>
    public const int EpochBase = 1;
}

/// <summary>The label space in results.json.</summary>
/// <param name="Count">Number of bins.</param>
/// <param name="Min">Lower bound.</param>
/// <param name="Max">Upper bound.</param>
/// <param name="Integer">Width-1 bins from Min.</param>
public sealed record BinsJson(int Count, double Min, double Max, bool Integer);

/// <summary>One trained (variant, seed) in results.json.</summary>
/// <param name="Variant">The row name.</param>
/// <param name="Seed">Its seed (absent in files of single-seed runs before seeds were recorded: the file's seed).</param>
/// <param name="BestEpoch">Epoch selected on validation, counted as <see cref="ResultsFile.EpochsCountedFrom"/> says.</param>
/// <param name="NoiseSigma">Trained Balanced MSE noise scale, or null.</param>
/// <param name="SearchOf">The searched row when this is a hyperparameter-search point, else null.</param>
/// <param name="EpochsRun">Epochs trained.</param>
/// <param name="Validation">Validation metrics of the selected model.</param>
/// <param name="Test">Test metrics, groups from the training counts.</param>
/// <param name="TestExplicitGroups">Test metrics with the explicit groups, or null.</param>
/// <param name="History">Per-epoch history.</param>
/// <param name="Fingerprint">What decided this result (see RunFingerprint); null in files of older versions.</param>
/// <param name="TestElements">A vector target's elements each evaluated on the test split; null otherwise.</param>
/// <param name="TestDepth">A depth map's pixel metrics per shot group on the test split; null otherwise.</param>
/// <param name="TestDepthExplicitGroups">The same with the explicit groups; null otherwise.</param>
public sealed record VariantJson(string? Variant, int? Seed, int BestEpoch, double? NoiseSigma, string? SearchOf, int EpochsRun,
    ShotReport? Validation, ShotReport? Test, ShotReport? TestExplicitGroups, IReadOnlyList<EpochRecord>? History,
    IReadOnlyDictionary<string, string>? Fingerprint = null, IReadOnlyList<ElementReport>? TestElements = null,
    DepthShotReport? TestDepth = null, DepthShotReport? TestDepthExplicitGroups = null);

/// <summary>Source-generated serialisation of results.json (no reflection); undefined metrics are written as null.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true,
    Converters = new[] { typeof(FiniteOrNullConverter) })]
[JsonSerializable(typeof(ResultsFile))]
internal sealed partial class ResultsJsonContext : JsonSerializerContext
{
}

/// <summary>Writes a non-finite double as null and reads null back as NaN (results.json marks undefined metrics so).</summary>
internal sealed class FiniteOrNullConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}
