using System.Text.Json;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// What a run keeps besides the checkpoints so that a trained model can predict new records: the feature map as
/// fitted on the training split (standardisation, vocabularies, fill values), the input width, the target's shape and
/// scale. Written atomically once per run to <c>feature-map.json</c> in the experiment's output folder.
/// </summary>
/// <param name="Experiment">The experiment class.</param>
/// <param name="InputWidth">Width of a mapped input row.</param>
/// <param name="Target">The target's shape in words (see <see cref="TargetShape.ToString"/>).</param>
/// <param name="TargetScale">Targets are divided by this in the loss; predictions are multiplied back.</param>
/// <param name="Members">The fitted members in row order.</param>
/// <param name="DirDsl">The DirDsl version that wrote it (<see cref="RunFingerprint.Version"/>); a model is loaded by the same version only.</param>
public sealed record FittedFeatureMap(string Experiment, int InputWidth, string Target, double TargetScale, IReadOnlyList<FittedMember> Members,
    string? DirDsl = null)
{
    /// <summary>The file name in the experiment's output folder.</summary>
    public const string FileName = "feature-map.json";

    /// <summary>The fitted state of <paramref name="map"/>.</summary>
    public static FittedFeatureMap Of<T>(string experiment, IFeatureMap<T> map, double targetScale) =>
        new(experiment, map.Width, map.TargetShape.ToString(), targetScale, map.Fitted, RunFingerprint.Version);

    /// <summary>Writes the fitted state of <paramref name="map"/> into <paramref name="folder"/> (atomically).</summary>
    public static void Save<T>(string folder, string experiment, IFeatureMap<T> map, double targetScale) => Of(experiment, map, targetScale).WriteTo(folder);

    /// <summary>
    /// Writes this into <paramref name="folder"/> (atomically): the run's experiment folder, and each trained seed's folder
    /// beside its best.ckpt, so the weights and the map they were trained with stay together when a later run with another
    /// split (another --seed, --holdout) rewrites the experiment folder's copy.
    /// </summary>
    public void WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, FittedFeatureMapJson.Default.FittedFeatureMap));
    }

    /// <summary>Reads the fitted state from <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">No run wrote one there.</exception>
    /// <exception cref="InvalidDataException">The file cannot be read.</exception>
    public static FittedFeatureMap Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} does not exist: train the experiment first (dotnet run), or pass the output folder its run used (--output).", path);
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), FittedFeatureMapJson.Default.FittedFeatureMap)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} cannot be read: {e.Message}", e);
        }
    }
}

/// <summary>Source-generated serialisation of <see cref="FittedFeatureMap"/> (no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(FittedFeatureMap))]
internal sealed partial class FittedFeatureMapJson : JsonSerializerContext
{
}

/// <summary>Loads trained models of generated experiments (the generated <c>Load</c> calls this).</summary>
public static class TrainedModel
{
    /// <summary>
    /// Loads variant <paramref name="variant"/> (default: the configured one) of <paramref name="experiment"/> as trained into
    /// <paramref name="output"/> (the run's --output folder), with the weights validation selected (best.ckpt) for
    /// <paramref name="seed"/> (default: the lowest seed trained) and the feature map fitted in that run.
    /// </summary>
    /// <exception cref="FileNotFoundException">No trained run in <paramref name="output"/>, or not of that variant or seed.</exception>
    /// <exception cref="ArgumentException">The variant is not one of the experiment's.</exception>
    /// <exception cref="InvalidDataException">The record type changed since the model was trained.</exception>
    /// <exception cref="CheckpointException">The checkpoint is damaged or of another model.</exception>
    public static TrainedModel<TRecord, TModel> Load<TRecord, TModel>(ExperimentDefinition<TRecord, TModel> experiment, string output = RunOptions.DefaultOutputFolder,
        string? variant = null, int? seed = null) where TModel : DirModel
    {
        var folder = Path.Combine(output, experiment.Name);
        var runMap = FittedFeatureMap.Read(folder);
        var variants = experiment.Variants.Concat(experiment.SearchVariants ?? Array.Empty<DirVariant>()).ToList();
        var name = variant ?? experiment.Configured.Name;
        var chosen = variants.FirstOrDefault(v => v.Name == name)
            ?? throw new ArgumentException($"{experiment.Name} has no variant '{name}'; its variants are {string.Join(", ", variants.Select(v => v.Name))}.", nameof(variant));
        var variantFolder = Path.Combine(folder, chosen.Slug);
        var trained = Directory.Exists(variantFolder)
            ? Directory.GetDirectories(variantFolder, "seed-*").Where(d => File.Exists(Path.Combine(d, "best.ckpt")))
                .Select(d => int.TryParse(Path.GetFileName(d)["seed-".Length..], out var s) ? s : (int?)null).OfType<int>().Order().ToList()
            : new List<int>();
        if (trained.Count == 0) throw new FileNotFoundException($"{variantFolder} holds no trained seed of {name} (no seed-N/best.ckpt): train it first.", variantFolder);
        int chosenSeed = seed ?? trained[0];
        if (!trained.Contains(chosenSeed))
            throw new FileNotFoundException($"{name} was not trained with seed {chosenSeed} in {variantFolder}; trained seeds: {string.Join(", ", trained)}.", variantFolder);
        var seedFolder = Path.Combine(variantFolder, $"seed-{chosenSeed}");

        // The map this seed was trained with, kept beside its weights (a later run with another split rewrites the
        // experiment folder's copy); the experiment folder's for a training written before the copies were kept.
        var fitted = File.Exists(Path.Combine(seedFolder, FittedFeatureMap.FileName)) ? FittedFeatureMap.Read(seedFolder) : runMap;
        var file = Path.Combine(File.Exists(Path.Combine(seedFolder, FittedFeatureMap.FileName)) ? seedFolder : folder, FittedFeatureMap.FileName);
        if (fitted.Experiment != experiment.Name)
            throw new InvalidDataException($"{file} was written by the experiment {fitted.Experiment}, not {experiment.Name}.");
        if (fitted.DirDsl != RunFingerprint.Version)
            throw new InvalidDataException($"{file} was written by DirDsl {fitted.DirDsl ?? "(unknown)"}, and this is DirDsl {RunFingerprint.Version}: "
                + "train the model again with this version (its numerics and file formats are only guaranteed within one version).");
        var map = experiment.CreateFeatureMap();
        map.Restore(fitted.Members);
        if (map.Width != fitted.InputWidth || map.TargetShape.ToString() != fitted.Target)
            throw new InvalidDataException($"{file}: the model was trained on rows of width {fitted.InputWidth} and a "
                + $"{fitted.Target} target; this record type maps to width {map.Width} and a {map.TargetShape} target.");

        // Inference needs the encoder and the regressor only: parts that exist for training alone (Balanced MSE's noise
        // scale, fitted to the training targets) are left out; FDS's statistics are loaded but not used.
        var inference = chosen with { Methods = chosen.Methods.Where(m => m is not BalancedMseMethod).ToList() };
        var model = experiment.CreateModel(new ModelContext(fitted.InputWidth, inference, Array.Empty<float>(), experiment.Settings.Bins, fitted.TargetScale)
        {
            Target = map.TargetShape,
            InputShape = map.Layout.Shape,
        });
        try
        {
            CheckpointStore.LoadForInference(Path.Combine(seedFolder, "best.ckpt"), model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new TrainedModel<TRecord, TModel>(model, map, name, chosenSeed, fitted.TargetScale);
    }
}

/// <summary>
/// A trained variant ready to predict: its model (evaluation mode, on the CPU) and the feature map fitted in its run.
/// Predictions are in the target's unit, one per target element of each record (a record's target member is not read).
/// </summary>
/// <typeparam name="TRecord">The record type.</typeparam>
/// <typeparam name="TModel">The generated model.</typeparam>
public sealed class TrainedModel<TRecord, TModel> : ITrainedModel where TModel : DirModel
{
    private readonly IFeatureMap<TRecord> map;
    private readonly double targetScale;

    internal TrainedModel(TModel model, IFeatureMap<TRecord> map, string variant, int seed, double targetScale)
    {
        Model = model;
        this.map = map;
        this.targetScale = targetScale;
        Variant = variant;
        Seed = seed;
        model.eval();
    }

    /// <summary>The model with the weights validation selected.</summary>
    public TModel Model { get; }

    DirModel ITrainedModel.Model => Model;
    /// <summary>The variant's name.</summary>
    public string Variant { get; }
    /// <summary>The seed of the training loaded.</summary>
    public int Seed { get; }
    /// <summary>The shape of a record's target: <see cref="Predict"/> returns Elements values per record.</summary>
    public TargetShape Target => map.TargetShape;

    /// <summary>Predicts one record's target (a scalar target).</summary>
    /// <exception cref="InvalidOperationException">The target has more than one element: use <see cref="Predict"/>.</exception>
    public float PredictOne(TRecord record) => Target.Elements == 1
        ? Predict(new[] { record })[0]
        : throw new InvalidOperationException($"The target is a {Target}: Predict returns its {Target.Elements} values per record.");

    /// <summary>
    /// Predictions for <paramref name="records"/> in the target's unit: <see cref="Target"/>.Elements values per record, in
    /// record order. A bad record is a <see cref="DirDataException"/> naming the record and member (split "predict").
    /// </summary>
    public float[] Predict(IReadOnlyList<TRecord> records)
    {
        int width = map.Width, elements = Target.Elements;
        var predictions = new float[checked(records.Count * elements)];
        using var noGrad = no_grad();
        foreach (var (start, length) in TrainingKit.Chunks(records.Count, SplitData.PassChunkRows))
        {
            using var scope = NewDisposeScope();
            var rows = new float[checked((int)length * width)];
            for (int i = 0; i < length; i++) map.Write(records[(int)start + i], rows.AsSpan(i * width, width), "predict", (int)start + i);
            // Copied into torch's own (aligned) memory, as the run's batches are: a tensor over the managed array can take
            // other vector kernels and differ from the run's predictions in the last bit.
            var input = tensor(rows, map.Layout.BatchShape(length)).clone();
            var output = Model.forward(input).reshape(-1).cpu();
            output.data<float>().CopyTo(predictions, (int)start * elements);
        }
        for (int i = 0; i < predictions.Length; i++) predictions[i] = (float)(predictions[i] * targetScale);
        return predictions;
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}

/// <summary>A loaded trained model whatever its record type: what the command line exports (--export) or reports on.</summary>
public interface ITrainedModel : IDisposable
{
    /// <summary>The model with the weights validation selected, in evaluation mode on the CPU.</summary>
    DirModel Model { get; }
    /// <summary>The variant's name (a row of the table).</summary>
    string Variant { get; }
    /// <summary>The seed of the training loaded.</summary>
    int Seed { get; }
    /// <summary>The shape of a record's target.</summary>
    TargetShape Target { get; }
}

/// <summary>What <c>--predict</c> asks for: the records' file, where the predictions go, and which trained model predicts.</summary>
/// <param name="Input">A delimited file with a header naming the record's input members (see <see cref="CsvRow.Member{T}"/>); a target column is not needed.</param>
/// <param name="Predictions">The CSV written (atomically): index (0-based data row of the input), element (vector targets), prediction.</param>
/// <param name="Output">The run's output folder.</param>
/// <param name="Variant">The variant (default: the configured one).</param>
/// <param name="Seed">The trained seed (default: the lowest).</param>
/// <param name="Delimiter">The input's field separator.</param>
/// <param name="Trim">Remove white space around every input field.</param>
public sealed record PredictionRequest(string Input, string Predictions, string Output = RunOptions.DefaultOutputFolder, string? Variant = null, int? Seed = null,
    string Delimiter = ",", bool Trim = false);

/// <summary>What a prediction run did.</summary>
/// <param name="Records">Records predicted.</param>
/// <param name="Variant">The variant that predicted.</param>
/// <param name="Seed">Its seed.</param>
/// <param name="Predictions">The file written.</param>
public sealed record PredictionSummary(int Records, string Variant, int Seed, string Predictions);

/// <summary>Predictions of a trained model for the records of a file (what the generated <c>PredictFile</c> calls).</summary>
public static class PredictionFile
{
    /// <summary>The header of the predictions CSV.</summary>
    public const string PredictionColumn = "prediction";

    /// <summary>
    /// Reads the records of <see cref="PredictionRequest.Input"/> built row by row by <paramref name="fromRow"/>, predicts them with the trained
    /// model <paramref name="load"/> returns and writes <see cref="PredictionRequest.Predictions"/> atomically.
    /// </summary>
    /// <remarks>
    /// The input is streamed (<see cref="CsvSource.Stream{T}"/>): records are built chunk by chunk as the model predicts,
    /// so memory holds the predictions (4 bytes per target element), not the file's records.
    /// </remarks>
    public static PredictionSummary Write<TRecord, TModel>(PredictionRequest request, Func<CsvRow, TRecord> fromRow,
        Func<string, string?, int?, TrainedModel<TRecord, TModel>> load) where TModel : DirModel
    {
        using var model = load(request.Output, request.Variant, request.Seed);
        using var records = CsvSource.Stream(request.Input, fromRow, request.Delimiter, trim: request.Trim);
        if (records.Count == 0) throw new DataFormatException(request.Input, 2, null, "the file has no data rows to predict.");
        var predictions = model.Predict(records);
        AtomicFile.WriteAllText(request.Predictions, Csv(predictions, model.Target));
        return new PredictionSummary(records.Count, model.Variant, model.Seed, request.Predictions);
    }

    /// <summary>The predictions as CSV: index, for a vector target the element, then the prediction (round-trip numbers).</summary>
    public static string Csv(float[] predictions, TargetShape target)
    {
        var header = target.IsScalar ? new[] { "index", PredictionColumn } : new[] { "index", "element", PredictionColumn };
        var rows = Enumerable.Range(0, predictions.Length).Select(i => target.IsScalar
            ? new[] { i.ToString(System.Globalization.CultureInfo.InvariantCulture), CsvTable.Number(predictions[i]) }
            : new[] { (i / target.Elements).ToString(System.Globalization.CultureInfo.InvariantCulture), target.ElementName(i % target.Elements), CsvTable.Number(predictions[i]) });
        return CsvTable.Write(header, rows);
    }

    /// <summary>For a record type the generator cannot read from a file: the error that says why and what to do instead.</summary>
    public static NotSupportedException Unreadable<TRecord>(string why) =>
        new($"--predict cannot read {typeof(TRecord).Name} records from a file: {why}. "
            + "Load the model in code (the experiment's LoadTrained) and call Predict with records you build.");
}
