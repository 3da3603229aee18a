using static TorchSharp.torch;

namespace DirDsl;

/// <summary>What a generated model's constructor gets: the variant it trains and what its parts depend on.</summary>
/// <param name="InputDim">Width of an input row.</param>
/// <param name="Variant">The variant (its methods, search point and bins).</param>
/// <param name="FitTargets">The targets the variant trains on (Balanced MSE fits its prior to them).</param>
/// <param name="Bins">The experiment's label space.</param>
/// <param name="TargetScale">Targets are divided by this inside the loss.</param>
public sealed record ModelContext(int InputDim, DirVariant Variant, IReadOnlyList<float> FitTargets, LabelBins Bins, double TargetScale)
{
    /// <summary>The run's overrides of [Fds]'s semantic choices (statistics source, order, never-seen bins); null keeps the declared ones.</summary>
    public FdsChoices? FdsOverrides { get; init; }

    /// <summary>The shape of one record's input ([InputDim] for a row, [C, H, W] for an image); null means [InputDim].</summary>
    public IReadOnlyList<long>? InputShape { get; init; }

    /// <summary>The shape of one record's target: the regressor returns [n, ..shape] ([n, 1] for a scalar).</summary>
    public TargetShape Target { get; init; } = TargetShape.Scalar;

    /// <summary>The label bins of this variant's FDS statistics (a search point may change them).</summary>
    public LabelBins VariantBins => Variant.BinsOr(Bins);

    /// <summary>A context for a model outside a run (tests, hand-written loops): Vanilla, or FDS alone with <paramref name="fds"/>'s settings.</summary>
    public static ModelContext Plain(int inputDim, LabelBins bins, FdsOptions? fds = null, double targetScale = 1) =>
        new(inputDim, fds is null ? DirVariant.Vanilla : new DirVariant(DslRules.VariantName(lds: false, fds: true), new FeatureSmoothing(fds)),
            Array.Empty<float>(), bins, targetScale);
}

/// <summary>
/// The model of a DIR experiment: encoder -> the variant's feature calibrations (FDS; training only) -> regressor,
/// plus the parts its methods add. The generated <c>Model</c> derives from it and supplies the user's encoder and
/// regressor. Registered names are checkpoint keys: <c>encoder</c>, <c>regressor</c>, and each method's part under its
/// own key (<c>fds</c>, the per-bin feature statistics; <c>balanced_mse</c>, its trained noise scale).
/// </summary>
public abstract class DirModel : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> encoder;
    private readonly nn.Module<Tensor, Tensor> regressor;
    private readonly List<IModelPart> parts = new();
    private readonly List<IFeatureCalibration> calibrations = new();
    private bool encoderFrozen;
    private readonly long[]? mapSize;

    /// <summary>Assembles the model and checks the encoder's and regressor's output shapes.</summary>
    /// <param name="name">The module name.</param>
    /// <param name="context">The variant and its data.</param>
    /// <param name="encoder">The [Encoder] module (created before the regressor, so initial weights follow the same draws).</param>
    /// <param name="regressor">The [Regressor] module or the default linear layer.</param>
    /// <param name="featureDim">[Encoder(FeatureDim)].</param>
    /// <param name="encoderMember">The [Encoder] member's name, for errors.</param>
    /// <exception cref="InvalidOperationException">The encoder's or regressor's output shape disagrees with the attributes.</exception>
    protected DirModel(string name, ModelContext context, nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> regressor,
        int featureDim, string encoderMember) : base(name)
    {
        this.encoder = encoder;
        this.regressor = regressor;
        // Before anything runs: TorchSharp's batch counter would race the garbage collector (see BatchNormCounters).
        BatchNormCounters.Detach(encoder);
        BatchNormCounters.Detach(regressor);
        register_module("encoder", encoder);
        register_module("regressor", regressor);
        // Each method's part, under its checkpoint key (FDS's statistics, Balanced MSE's noise scale, ...).
        foreach (var method in context.Variant.Methods)
        {
            if (method.CreatePart(context, featureDim) is not { } part) continue;
            register_module(part.Key, part.Module);
            parts.Add(part);
            if (part is IFeatureCalibration calibration) calibrations.Add(calibration);
        }
        if (context.Target.Kind == TargetKind.Map) mapSize = context.Target.BatchShape(1).Skip(2).ToArray();
        FeatureDim = featureDim;
        ModelChecks.CheckShapes(encoder, regressor, context.InputShape ?? new long[] { context.InputDim }, featureDim, encoderMember, context.Target);
    }

    /// <summary>Width of the encoder's output features.</summary>
    public int FeatureDim { get; }

    /// <summary>The parts the variant's methods added.</summary>
    public IReadOnlyList<IModelPart> Parts => parts;

    /// <summary>The part of type <typeparamref name="T"/>, or null when the variant's methods added none.</summary>
    public T? Part<T>() where T : class, IModelPart => parts.OfType<T>().FirstOrDefault();

    /// <summary>The FDS statistics, or null when this variant has no FDS.</summary>
    public FeatureStatistics? FeatureStatistics => Part<FeatureSmoothingPart>()?.Statistics;

    /// <summary>The variant's Balanced MSE loss, or null.</summary>
    public BalancedMseLoss? BalancedMse => Part<BalancedMsePart>()?.Loss;

    /// <summary>Inference: raw features, no calibration. Output [n, ..target shape] ([n, 1] for a scalar) in the loss's target unit.</summary>
    public override Tensor forward(Tensor input) => ToTargetSize(regressor.call(encoder.call(input)));

    /// <summary>Training: the encoder's features, calibrated by the variant's methods (FDS from epoch StartSmooth on), then the regressor.</summary>
    public Tensor forward(Tensor input, Tensor bins, int epoch)
    {
        var features = encoder.call(input);
        foreach (var calibration in calibrations) features = calibration.Calibrate(features, bins, epoch);
        return ToTargetSize(regressor.call(features));
    }

    /// <summary>
    /// A map target's output at the target map's size: an output map of another size (a decoder's half-size output) is
    /// resized bilinearly with aligned corners, as the reference's depth code resizes its output to the test depth map's
    /// size. The loss, the metrics and the predictions all see the resized map. Other targets pass through.
    /// </summary>
    private Tensor ToTargetSize(Tensor output) =>
        mapSize is null || (output.shape[2] == mapSize[0] && output.shape[3] == mapSize[1])
            ? output
            : nn.functional.interpolate(output, size: mapSize, mode: InterpolationMode.Bilinear, align_corners: true);

    /// <summary>Start of a training epoch: the calibrations prepare (none of the built-in ones needs to).</summary>
    public void BeginTrainingEpoch(int epoch)
    {
        foreach (var calibration in calibrations) calibration.BeginTrainingEpoch(epoch);
    }

    /// <summary>RRT's second stage: the encoder's weights stop changing and it stays in evaluation mode.</summary>
    public void FreezeEncoder()
    {
        foreach (var parameter in encoder.parameters()) parameter.requires_grad = false;
        encoderFrozen = true;
        encoder.eval();
    }

    /// <inheritdoc />
    public override void train(bool on = true)
    {
        base.train(on);
        // A frozen encoder keeps dropout and normalisation in evaluation mode.
        if (encoderFrozen) encoder.eval();
    }

    /// <summary>
    /// End of epoch: each calibration updates its statistics. A pass over the training split, when one needs it, reads
    /// the records with this pass's own augmentation draws (<see cref="Augmentation.StatisticsPass"/>), as the
    /// reference's second loop over its training loader does: in training mode in mini-batches of
    /// <paramref name="batchSize"/> in a fresh shuffle with calibrated features, or in evaluation mode in chunks of
    /// <paramref name="chunkRows"/> rows with raw features.
    /// </summary>
    public void UpdateFeatureStatistics(SplitData train, int epoch, int batchSize, int seed, int chunkRows = SplitData.PassChunkRows)
    {
        if (calibrations.Count == 0) return;
        var augmentation = new Augmentation(seed, epoch) { Round = Augmentation.StatisticsPass };
        var pass = new FeaturePass(
            visit => EncodeTraining(train, TrainingKit.Batches(train.Count, batchSize, seed, epoch, augmentation.Round), augmentation, epoch, visit),
            visit => EncodeEvaluation(train, TrainingKit.InOrder(train.Count, chunkRows), augmentation, visit),
            (records, visit) => EncodeUnaugmented(train, records is null ? TrainingKit.InOrder(train.Count, batchSize) : InOrder(records, train.Count, batchSize), visit));
        foreach (var calibration in calibrations) calibration.EndTrainingEpoch(pass, epoch);
    }

    /// <summary>The reference's statistics pass: training-mode features of the batches, calibrated, without gradients.</summary>
    private void EncodeTraining(SplitData split, IEnumerable<ReadOnlyMemory<long>> batches, Augmentation augmentation, int epoch, Action<Tensor, Tensor> visit)
    {
        bool wasTraining = training;
        // Training mode, as the reference's pass runs: normalisation layers use (and update) batch statistics.
        train();
        try
        {
            EncodeBatches(split, batches, augmentation, visit, (features, bins) =>
            {
                foreach (var calibration in calibrations) features = calibration.Calibrate(features, bins, epoch);
                return features;
            });
        }
        finally
        {
            if (!wasTraining) eval();
        }
    }

    /// <summary>The depth code's statistics pass: training-mode raw features of unaugmented batches, without gradients.</summary>
    private void EncodeUnaugmented(SplitData split, IEnumerable<ReadOnlyMemory<long>> batches, Action<Tensor, Tensor> visit)
    {
        bool wasTraining = training;
        train();
        try
        {
            EncodeBatches(split, batches, augmentation: null, visit, (features, _) => features);
        }
        finally
        {
            if (!wasTraining) eval();
        }
    }

    /// <summary>Batches of <paramref name="batchSize"/> of the given training-split indices, in their order.</summary>
    /// <exception cref="ArgumentException">An index outside the split.</exception>
    private static IEnumerable<ReadOnlyMemory<long>> InOrder(IReadOnlyList<int> records, int count, int batchSize)
    {
        foreach (var record in records)
            if (record < 0 || record >= count)
                throw new ArgumentException($"The FDS subset names training record {record}, but the training split has {count} records (0..{count - 1}).");
        return records.Chunk(batchSize).Select(chunk => (ReadOnlyMemory<long>)chunk.Select(r => (long)r).ToArray());
    }

    /// <summary>The encoder's raw features of the batches in evaluation mode, without gradients.</summary>
    private void EncodeEvaluation(SplitData split, IEnumerable<ReadOnlyMemory<long>> batches, Augmentation augmentation, Action<Tensor, Tensor> visit)
    {
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            EncodeBatches(split, batches, augmentation, visit, (features, _) => features);
        }
        finally
        {
            if (wasTraining && !encoderFrozen) encoder.train();
        }
    }

    /// <summary>
    /// Reads <paramref name="batches"/> of <paramref name="split"/> without gradients, one dispose scope per batch, and
    /// hands each batch's encoder features, as <paramref name="features"/> finishes them, to <paramref name="visit"/>.
    /// </summary>
    private void EncodeBatches(SplitData split, IEnumerable<ReadOnlyMemory<long>> batches, Augmentation? augmentation, Action<Tensor, Tensor> visit,
        Func<Tensor, Tensor, Tensor> features)
    {
        using var noGrad = no_grad();
        using var reader = split.Read(batches, augmentation);
        while (true)
        {
            using var scope = NewDisposeScope();
            if (reader.Next() is not { } batch) break;
            visit(features(encoder.call(batch.Inputs), batch.Bins), batch.Bins);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            encoder.Dispose();
            regressor.Dispose();
            foreach (var part in parts) part.Dispose();
        }
        base.Dispose(disposing);
    }
}
