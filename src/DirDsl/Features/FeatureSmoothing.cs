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
    public Tensor Calibrate(Tensor features, Tensor bins, int epoch) => epoch >= startSmooth ? Statistics.Calibrate(features, bins) : features;

    /// <summary>Nothing to prepare: the statistics come from a second pass after the epoch.</summary>
    public void BeginTrainingEpoch(int epoch)
    {
    }

    /// <summary>
    /// The statistics from the features of every training sample, from a second pass over the split
    /// (<see cref="FdsStatistics.EpochEndPass"/>: training mode, augmented, calibrated as the reference's pass;
    /// <see cref="FdsStatistics.EvaluationPass"/>: evaluation mode, in order, raw). Memory stays bins x FeatureDim
    /// whatever the split's size.
    /// </summary>
    public void EndTrainingEpoch(FeaturePass pass, int epoch)
    {
        if (epoch < Statistics.StartEpoch) return;
        using var noGrad = no_grad();
        using var moments = Statistics.BeginPass();
        if (Source == FdsStatistics.EvaluationPass) pass.Evaluation(moments.Add);
        else pass.Training(moments.Add);
        Statistics.Update(moments, epoch);
    }

    /// <inheritdoc />
    public void Dispose() => Statistics.Dispose();
}
