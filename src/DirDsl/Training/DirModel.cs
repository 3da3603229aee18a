using static TorchSharp.torch;

namespace DirDsl;

/// <summary>What a generated model's constructor gets: the variant it trains and what its parts depend on.</summary>
/// <param name="InputDim">Width of an input row.</param>
/// <param name="Variant">The variant (its FDS switch, search point, Balanced MSE settings).</param>
/// <param name="FitTargets">The targets the variant trains on (Balanced MSE fits its prior to them).</param>
/// <param name="Bins">The experiment's label space.</param>
/// <param name="TargetScale">Targets are divided by this inside the loss.</param>
public sealed record ModelContext(int InputDim, DirVariant Variant, IReadOnlyList<float> FitTargets, LabelBins Bins, double TargetScale)
{
    /// <summary>Which features feed FDS's statistics when the run overrides [Fds(Statistics)]; null keeps the declared source.</summary>
    public FdsStatistics? FdsStatisticsOverride { get; init; }

    /// <summary>The shape of one record's input ([InputDim] for a row, [C, H, W] for an image); null means [InputDim].</summary>
    public IReadOnlyList<long>? InputShape { get; init; }

    /// <summary>The label bins of this variant's FDS statistics (a search point may change them).</summary>
    public LabelBins VariantBins => Variant.BinsOr(Bins);

    /// <summary>A context for a model outside a run (tests, hand-written loops): Vanilla, or FDS alone when <paramref name="fds"/>.</summary>
    public static ModelContext Plain(int inputDim, LabelBins bins, bool fds = false, double targetScale = 1) =>
        new(inputDim, new DirVariant(DslRules.VariantName(lds: false, fds: fds), Reweight.None, null, fds), Array.Empty<float>(), bins, targetScale);
}

/// <summary>
/// The model of a DIR experiment: encoder -> FDS calibration (training only) -> regressor, with the variant's
/// Balanced MSE loss when it has one. The generated <c>Model</c> derives from it and supplies the user's
/// encoder and regressor. Registered names are checkpoint keys: <c>encoder</c>, <c>regressor</c>, <c>fds</c>
/// (the per-bin feature statistics) and <c>balanced_mse</c> (its trained noise scale).
/// </summary>
public abstract class DirModel : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> encoder;
    private readonly nn.Module<Tensor, Tensor> regressor;
    private readonly FeatureStatistics? fds;
    private readonly BalancedMseLoss? balancedMse;
    private readonly int startSmooth;
    private readonly FdsStatistics statisticsSource;
    private BinMoments? trainingPassMoments;
    // FdsStatistics.TrainingPass: the steps' features wait here until a chunk of PassChunkRows rows is full, because a
    // moments update per small batch costs more in per-call overhead than its arithmetic.
    private readonly List<(Tensor Features, Tensor Bins)> pendingFeatures = new();
    private long pendingRows;
    private bool encoderFrozen;

    /// <summary>Assembles the model and checks the encoder's and regressor's output shapes.</summary>
    /// <param name="name">The module name.</param>
    /// <param name="context">The variant and its data.</param>
    /// <param name="encoder">The [Encoder] module (created before the regressor, so initial weights follow the same draws).</param>
    /// <param name="regressor">The [Regressor] module or the default linear layer.</param>
    /// <param name="featureDim">[Encoder(FeatureDim)].</param>
    /// <param name="encoderMember">The [Encoder] member's name, for errors.</param>
    /// <param name="fdsOptions">[Fds] settings, or null when the experiment has none; used when the variant has FDS.</param>
    /// <exception cref="InvalidOperationException">The encoder's or regressor's output shape disagrees with the attributes.</exception>
    protected DirModel(string name, ModelContext context, nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> regressor,
        int featureDim, string encoderMember, FdsOptions? fdsOptions = null) : base(name)
    {
        this.encoder = encoder;
        this.regressor = regressor;
        // Before anything runs: TorchSharp's batch counter would race the garbage collector (see BatchNormCounters).
        BatchNormCounters.Detach(encoder);
        BatchNormCounters.Detach(regressor);
        register_module("encoder", encoder);
        register_module("regressor", regressor);
        if (context.Variant.Fds && fdsOptions is not null)
        {
            fds = fdsOptions.At(context.Variant.Point).Create(context.VariantBins.Count, featureDim);
            startSmooth = fdsOptions.StartSmooth;
            statisticsSource = context.FdsStatisticsOverride ?? fdsOptions.Statistics;
            register_module("fds", fds);
        }
        if (context.Variant.BalancedMse is { } balanced)
        {
            balancedMse = balanced.Create(context.FitTargets, context.Bins, context.TargetScale);
            register_module("balanced_mse", balancedMse);
        }
        FeatureDim = featureDim;
        ModelChecks.CheckShapes(encoder, regressor, context.InputShape ?? new long[] { context.InputDim }, featureDim, encoderMember);
    }

    /// <summary>Width of the encoder's output features.</summary>
    public int FeatureDim { get; }

    /// <summary>The FDS statistics, or null when this variant has no FDS.</summary>
    public FeatureStatistics? FeatureStatistics => fds;

    /// <summary>The variant's Balanced MSE loss, or null.</summary>
    public BalancedMseLoss? BalancedMse => balancedMse;

    /// <summary>Inference: raw features, no calibration. Output [n, 1] in the loss's target unit.</summary>
    public override Tensor forward(Tensor input) => regressor.call(encoder.call(input));

    /// <summary>Training: the features of a sample in bin j are calibrated by FDS from epoch StartSmooth on.</summary>
    public Tensor forward(Tensor input, Tensor bins, int epoch)
    {
        var features = encoder.call(input);
        // FdsStatistics.TrainingPass: the step's own raw features feed this epoch's statistics (no second pass).
        if (trainingPassMoments is not null) Collect(features, bins);
        if (fds is not null && epoch >= startSmooth) features = fds.Calibrate(features, bins);
        return regressor.call(features);
    }

    /// <summary>Keeps a copy of a step's features (outside the step's dispose scope) and adds full chunks to the moments.</summary>
    private void Collect(Tensor features, Tensor bins)
    {
        pendingFeatures.Add((features.detach().clone().DetachFromDisposeScope(), bins.clone().DetachFromDisposeScope()));
        pendingRows += features.shape[0];
        if (pendingRows >= SplitData.PassChunkRows) FlushCollected();
    }

    /// <summary>Adds the collected features to the training-pass moments in one call and frees them.</summary>
    private void FlushCollected()
    {
        if (pendingFeatures.Count == 0) return;
        using (var scope = NewDisposeScope())
        {
            trainingPassMoments!.Add(cat(pendingFeatures.Select(p => p.Features).ToList(), 0), cat(pendingFeatures.Select(p => p.Bins).ToList(), 0));
        }
        foreach (var (f, b) in pendingFeatures)
        {
            f.Dispose();
            b.Dispose();
        }
        pendingFeatures.Clear();
        pendingRows = 0;
    }

    /// <summary>
    /// Start of a training epoch: with <see cref="FdsStatistics.TrainingPass"/>, an accumulator for the features the
    /// epoch's steps compute (created here, outside the steps' dispose scopes).
    /// </summary>
    public void BeginTrainingEpoch(int epoch)
    {
        foreach (var (f, b) in pendingFeatures)
        {
            f.Dispose();
            b.Dispose();
        }
        pendingFeatures.Clear();
        pendingRows = 0;
        trainingPassMoments?.Dispose();
        trainingPassMoments = fds is not null && statisticsSource == FdsStatistics.TrainingPass && epoch >= fds.StartEpoch ? fds.BeginPass() : null;
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
    /// End of epoch: FDS statistics from the features of every training sample, read in chunks of
    /// <paramref name="chunkRows"/> rows with the encoder in evaluation mode on raw (uncalibrated) features (a
    /// deliberate difference from the reference, which uses training mode and calibrated features). Memory
    /// stays bins x FeatureDim whatever the split's size.
    /// </summary>
    public void UpdateFeatureStatistics(SplitData train, int epoch, int chunkRows = SplitData.PassChunkRows)
    {
        if (fds is null || epoch < fds.StartEpoch) return;
        if (trainingPassMoments is { } collected)
        {
            FlushCollected();
            trainingPassMoments = null;
            using (collected) fds.Update(collected, epoch);
            return;
        }
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var noGrad = no_grad();
            using var pass = fds.BeginPass();
            using var reader = train.ReadInOrder(chunkRows);
            while (true)
            {
                using var scope = NewDisposeScope();
                if (reader.Next() is not { } batch) break;
                pass.Add(encoder.call(batch.Inputs), batch.Bins);
            }
            fds.Update(pass, epoch);
        }
        finally
        {
            if (wasTraining && !encoderFrozen) encoder.train();
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            encoder.Dispose();
            regressor.Dispose();
            fds?.Dispose();
            balancedMse?.Dispose();
            trainingPassMoments?.Dispose();
            foreach (var (f, b) in pendingFeatures)
            {
                f.Dispose();
                b.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
