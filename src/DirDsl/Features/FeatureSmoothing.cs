using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// FDS as a method of a variant: per-bin statistics of the encoder's features (the model part <c>fds</c>, a
/// <see cref="FeatureStatistics"/>), updated at each epoch end and smoothed over the bins, calibrate the features of
/// the training batches from epoch <see cref="FdsOptions.StartSmooth"/> on. The statistics come from a pass over the
/// training split after each epoch (<see cref="FdsOptions.Statistics"/>). A scalar target calibrates a record's feature
/// vector by its bin; a dense map calibrates each pixel's channel vector of the encoder's feature map by its pixel's bin.
/// </summary>
/// <param name="Options">The [Fds] settings (a search point overrides some of them).</param>
public sealed record FeatureSmoothing(FdsOptions Options) : IVariantMethod
{
    /// <summary>The checkpoint key of the statistics.</summary>
    public const string PartKey = "fds";

    /// <inheritdoc />
    public string Name => DslRules.VariantName(lds: false, fds: true);

    /// <inheritdoc />
    /// <remarks>
    /// FDS calibrates features by the bin of the target they predict: one target per record, or one per pixel of a map
    /// whose feature map has the map's size. A vector of several targets has no one bin for its one feature vector.
    /// </remarks>
    public string? Unsupported(TargetShape shape) => shape.Kind == TargetKind.Vector
        ? $"{Name} calibrates a record's features by the bin of its one target, and this target is a {shape}"
        : null;

    /// <inheritdoc />
    public IModelPart? CreatePart(ModelContext context, int featureDim) =>
        new FeatureSmoothingPart(Options.At(context.Variant.Point).With(context.FdsOverrides), context.VariantBins.Count, featureDim, context.Target);
}

/// <summary>The statistics of <see cref="FeatureSmoothing"/> in a model, and how they calibrate and update.</summary>
/// <remarks>
/// <para>With <see cref="FdsOptions.StartBin"/> s above 0 the statistics keep rows for bins s.. only, and a sample (or
/// pixel) of a bin below s is calibrated and counted as one of bin s, as the reference's depth code clamps its buckets
/// to [bucket_start, 99].</para>
/// <para>A dense target: features [n, C, H, W] with the target's H x W, bins [n, 1, H, W] (or [n, H, W]). Each pixel's C channels are one
/// feature vector (the reference's depth code flattens its decoder's map to [n x H x W, C]); a pixel without a target
/// (bin <see cref="SplitData.MissingBin"/>) keeps its features and stays out of the statistics.</para>
/// </remarks>
public sealed class FeatureSmoothingPart : IModelPart, IFeatureCalibration
{
    private readonly int startSmooth;
    private readonly int startBin;
    private readonly int labelBins;
    private readonly TargetShape target;
    private readonly IReadOnlyList<int>? subset;

    /// <summary>Statistics for <paramref name="bins"/> label bins of <paramref name="featureDim"/> features per sample (per pixel for a map).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The start bin lies outside the bins.</exception>
    public FeatureSmoothingPart(FdsOptions options, int bins, int featureDim, TargetShape? target = null)
    {
        if (!DslRules.IsValidStartBin(options.StartBin, bins))
            throw new ArgumentOutOfRangeException(nameof(options), options.StartBin, $"The FDS start bin must lie in 0..{bins - 1} (the label bins).");
        startBin = options.StartBin;
        labelBins = bins;
        this.target = target ?? TargetShape.Scalar;
        if (this.target.Kind == TargetKind.Vector)
            throw new ArgumentException($"FDS calibrates features by one target's bin, and this target is a {this.target}.", nameof(target));
        Statistics = options.Create(bins - startBin, featureDim);
        startSmooth = options.StartSmooth;
        Source = options.Statistics;
        subset = options.Subset;
    }

    /// <summary>Which features feed the statistics.</summary>
    public FdsStatistics Source { get; }

    /// <summary>The per-bin statistics (running and smoothed), one row per label bin from the start bin on.</summary>
    public FeatureStatistics Statistics { get; }

    /// <inheritdoc />
    public string Key => FeatureSmoothing.PartKey;

    /// <inheritdoc />
    public nn.Module Module => Statistics;

    private bool PerPixel => target.Kind == TargetKind.Map;

    /// <summary>Training: the features of a sample (a pixel) in bin j are calibrated from epoch StartSmooth on.</summary>
    /// <exception cref="InvalidOperationException">A dense target's feature map is not of the target's size.</exception>
    public Tensor Calibrate(Tensor features, Tensor bins, int epoch)
    {
        if (epoch < startSmooth) return features;
        if (!PerPixel) return Statistics.Calibrate(features, Rows(bins));
        using var scope = NewDisposeScope();
        var (flat, flatBins) = Pixels(features, bins);
        var valid = flatBins.ge(KeptScalars.OfInteger(0)).unsqueeze(1);
        var calibrated = where(valid, Statistics.Calibrate(flat, Rows(flatBins)), flat);
        long n = features.shape[0], c = features.shape[1], h = features.shape[2], w = features.shape[3];
        return calibrated.reshape(n, h, w, c).permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    /// <summary>Nothing to prepare: the statistics come from a second pass after the epoch.</summary>
    public void BeginTrainingEpoch(int epoch)
    {
    }

    /// <summary>
    /// The statistics from the features of the training samples (pixels), from a second pass over the split
    /// (<see cref="FdsStatistics.EpochEndPass"/>: training mode, augmented, calibrated as the reference's pass;
    /// <see cref="FdsStatistics.EvaluationPass"/>: evaluation mode, in order, raw; <see cref="FdsStatistics.UnaugmentedPass"/>:
    /// training mode, in order, unaugmented, raw, over <see cref="FdsOptions.Subset"/> when given). Memory stays
    /// bins x FeatureDim whatever the split's size; a map's pixels are added in chunks of <see cref="SplitData.PassChunkRows"/>.
    /// </summary>
    public void EndTrainingEpoch(FeaturePass pass, int epoch)
    {
        if (epoch < Statistics.StartEpoch) return;
        using var noGrad = no_grad();
        using var moments = Statistics.BeginPass();
        Action<Tensor, Tensor> add = PerPixel ? (features, bins) => AddPixels(moments, features, bins) : (features, bins) => moments.Add(features, Rows(bins));
        switch (Source)
        {
            case FdsStatistics.EvaluationPass: pass.Evaluation(add); break;
            case FdsStatistics.UnaugmentedPass: pass.Unaugmented(subset, add); break;
            default: pass.Training(add); break;
        }
        Statistics.Update(moments, epoch);
    }

    /// <summary>The statistics rows of label bins: clamped to [StartBin, bins - 1] and shifted by StartBin (the bins as they are when StartBin is 0).</summary>
    private Tensor Rows(Tensor bins) => startBin == 0
        ? bins
        : bins.clamp(KeptScalars.OfInteger(startBin), KeptScalars.OfInteger(labelBins - 1)).sub(KeptScalars.OfInteger(startBin));

    /// <summary>A map's features as one row per pixel [n x H x W, C] and its bins as [n x H x W].</summary>
    private (Tensor Features, Tensor Bins) Pixels(Tensor features, Tensor bins)
    {
        // A batch carries a map's bins as [n, 1, H, W], the target's shape; [n, H, W] is the same pixels.
        if (bins.ndim == 4 && bins.shape[1] == 1) bins = bins.squeeze(1);
        if (features.ndim != 4 || bins.ndim != 3 || features.shape[0] != bins.shape[0] || features.shape[2] != bins.shape[1] || features.shape[3] != bins.shape[2])
            throw new InvalidOperationException(
                $"FDS per pixel calibrates each pixel of the encoder's feature map by the bin of the same pixel of the target map, but the "
                + $"features are [{string.Join(", ", features.shape)}] and the target bins [{string.Join(", ", bins.shape)}]: make the encoder's "
                + "feature map [n, FeatureDim, H, W] with the target's H x W (the reference resizes its depth maps to its decoder's size).");
        long c = features.shape[1];
        return (features.permute(0, 2, 3, 1).reshape(-1, c), bins.reshape(-1));
    }

    /// <summary>A batch's pixels with a target, in chunks that bound the pass's temporaries.</summary>
    private void AddPixels(BinMoments moments, Tensor features, Tensor bins)
    {
        using var scope = NewDisposeScope();
        var (flat, flatBins) = Pixels(features, bins);
        var valid = flatBins.ge(KeptScalars.OfInteger(0));
        // Reading the count once per batch decides whether any pixel is missing (most maps have none).
        if (HostReads.Item<long>(valid.sum()) != flatBins.shape[0])
        {
            var keep = valid.nonzero().squeeze(1);
            flat = flat.index_select(0, keep);
            flatBins = flatBins.index_select(0, keep);
        }
        var rows = Rows(flatBins);
        long count = flat.shape[0];
        for (long start = 0; start < count; start += SplitData.PassChunkRows)
        {
            using var chunk = NewDisposeScope();
            long length = Math.Min(SplitData.PassChunkRows, count - start);
            moments.Add(flat.narrow(0, start, length), rows.narrow(0, start, length));
        }
    }

    /// <inheritdoc />
    public void Dispose() => Statistics.Dispose();
}
