namespace DirDsl;

/// <summary>
/// Re-weighting by label frequency as a method of a variant: inverse or square-root-inverse weights of the per-bin
/// counts, smoothed by LDS when <paramref name="Lds"/> is given, the counts clipped to [ClipMin, ClipMax] first when set.
/// </summary>
/// <param name="Kind">Inverse or square-root inverse.</param>
/// <param name="Lds">LDS's kernel (null: the counts as they are).</param>
/// <param name="ClipMin">Lower clip of per-bin counts (negative: none).</param>
/// <param name="ClipMax">Upper clip of per-bin counts (negative: none).</param>
public sealed record Reweighting(Reweight Kind, LdsOptions? Lds = null, double ClipMin = DslDefaults.CountClipOff, double ClipMax = DslDefaults.CountClipOff)
    : IVariantMethod
{
    /// <inheritdoc />
    public string Name => Lds is null ? Kind.ToString() : DslRules.VariantName(lds: true, fds: false);

    /// <inheritdoc />
    /// <remarks>Works per target element: any shape.</remarks>
    public string? Unsupported(TargetShape shape) => null;

    /// <inheritdoc />
    /// <remarks>
    /// A scalar or vector target normalises per sample, as the reference's age code; a dense map per bin, as its depth
    /// code (<see cref="LabelDistribution.BinWeights"/>: the same weights up to float rounding, and a table of bins
    /// rather than a sum over every pixel).
    /// </remarks>
    public float[]? SampleWeights(ReadOnlySpan<float> trainTargets, LabelBins bins, TargetShape shape) => Kind == Reweight.None
        ? null
        : shape.Kind == TargetKind.Map || Lds is { StartBin: > 0 } or { Padding: LdsPadding.Reflect }
            ? LabelDistribution.ElementWeights(trainTargets, bins, Kind, Lds, ClipMin >= 0 ? ClipMin : null, ClipMax >= 0 ? ClipMax : null)
            : LabelDistribution.SampleWeights(trainTargets, bins, Kind, Lds, ClipMin >= 0 ? ClipMin : null, ClipMax >= 0 ? ClipMax : null);

    /// <inheritdoc />
    /// <remarks>A dense map's weights per bin straight from the training counts (its pixels are not read again).</remarks>
    public LossWeights? Weights(TrainingTargets targets) => Kind == Reweight.None ? null
        : targets.Shape.Kind == TargetKind.Map && targets.InSplitBins
            ? LossWeights.OfBins(LabelDistribution.BinWeights(targets.Counts, Kind, Lds, ClipMin >= 0 ? ClipMin : null, ClipMax >= 0 ? ClipMax : null)!, targets.Counts)
            : LossWeights.OfElements(SampleWeights(targets.Values, targets.Bins, targets.Shape)!);
}
