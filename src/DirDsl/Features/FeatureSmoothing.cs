using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// FDS as a method of a variant: per-bin statistics of the encoder's features (the model part <c>fds</c>, a
/// <see cref="FeatureStatistics"/>), updated at each epoch end and smoothed over the bins, calibrate the features of
/// the training batches from epoch <see cref="FdsOptions.StartSmooth"/> on. The statistics come from a pass over the
/// training split after each epoch or from the training steps' own features (<see cref="FdsOptions.Statistics"/>).
/// </summary>
/// <param name="Options">The [Fds] settings (a search point overrides some of them).</param>
public sealed record FeatureSmoothing(FdsOptions Options) : IVariantMethod
{
    /// <summary>The checkpoint key of the statistics.</summary>
    public const string PartKey = "fds";

    /// <inheritdoc />
    public string Name => DslRules.VariantName(lds: false, fds: true);

    /// <inheritdoc />
    /// <remarks>FDS calibrates a record's features by the bin of its one target; a vector has no one bin, and per-pixel FDS over a decoder's map is its own capability.</remarks>
    public string? Unsupported(TargetShape shape) => shape.IsScalar
        ? null
        : $"{Name} calibrates a record's features by the bin of its one target, and this target is a {shape}";

    /// <inheritdoc />
    public IModelPart? CreatePart(ModelContext context, int featureDim) =>
        new FeatureSmoothingPart(Options.At(context.Variant.Point).With(context.FdsOverrides), context.VariantBins.Count, featureDim);
}

/// <summary>The statistics of <see cref="FeatureSmoothing"/> in a model, and how they calibrate and update.</summary>
public sealed class FeatureSmoothingPart : IModelPart, IFeatureCalibration
{
    private readonly int startSmooth;
    private BinMoments? trainingPassMoments;
    // FdsStatistics.TrainingPass: the steps' features wait here until a chunk of PassChunkRows rows is full, because a
    // moments update per small batch costs more in per-call overhead than its arithmetic.
    private readonly List<(Tensor Features, Tensor Bins)> pendingFeatures = new();
    private long pendingRows;

    /// <summary>Statistics for <paramref name="bins"/> bins of <paramref name="featureDim"/> features.</summary>
    public FeatureSmoothingPart(FdsOptions options, int bins, int featureDim)
    {
        Statistics = options.Create(bins, featureDim);
        startSmooth = options.StartSmooth;
        Source = options.Statistics;
    }

    /// <summary>Which features feed the statistics.</summary>
    public FdsStatistics Source { get; }

    /// <summary>The per-bin statistics (running and smoothed).</summary>
    public FeatureStatistics Statistics { get; }

    /// <inheritdoc />
    public string Key => FeatureSmoothing.PartKey;

    /// <inheritdoc />
    public nn.Module Module => Statistics;

    /// <summary>Training: the features of a sample in bin j are calibrated from epoch StartSmooth on.</summary>
    public Tensor Calibrate(Tensor features, Tensor bins, int epoch)
    {
        // FdsStatistics.TrainingPass: the step's own raw features feed this epoch's statistics (no second pass).
        if (trainingPassMoments is not null) Collect(features, bins);
        return epoch >= startSmooth ? Statistics.Calibrate(features, bins) : features;
    }

    /// <summary>
    /// With <see cref="FdsStatistics.TrainingPass"/>, an accumulator for the features the epoch's steps compute (created
    /// here, outside the steps' dispose scopes).
    /// </summary>
    public void BeginTrainingEpoch(int epoch)
    {
        ClearPending();
        trainingPassMoments?.Dispose();
        trainingPassMoments = Source == FdsStatistics.TrainingPass && epoch >= Statistics.StartEpoch ? Statistics.BeginPass() : null;
    }

    /// <summary>
    /// The statistics from the features of every training sample: those the steps collected, or a second pass over the
    /// split (<see cref="FdsStatistics.EpochEndPass"/>: training mode, augmented, calibrated as the reference's pass;
    /// <see cref="FdsStatistics.EvaluationPass"/>: evaluation mode, in order, raw). Memory stays bins x FeatureDim
    /// whatever the split's size.
    /// </summary>
    public void EndTrainingEpoch(FeaturePass pass, int epoch)
    {
        if (epoch < Statistics.StartEpoch) return;
        if (trainingPassMoments is { } collected)
        {
            FlushCollected();
            trainingPassMoments = null;
            using (collected) Statistics.Update(collected, epoch);
            return;
        }
        using var noGrad = no_grad();
        using var moments = Statistics.BeginPass();
        if (Source == FdsStatistics.EvaluationPass) pass.Evaluation(moments.Add);
        else pass.Training(moments.Add);
        Statistics.Update(moments, epoch);
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
        ClearPending();
    }

    private void ClearPending()
    {
        foreach (var (f, b) in pendingFeatures)
        {
            f.Dispose();
            b.Dispose();
        }
        pendingFeatures.Clear();
        pendingRows = 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Statistics.Dispose();
        trainingPassMoments?.Dispose();
        ClearPending();
    }
}
