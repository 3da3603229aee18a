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
    public float[]? SampleWeights(ReadOnlySpan<float> trainTargets, LabelBins bins) => Kind == Reweight.None
        ? null
        : LabelDistribution.SampleWeights(trainTargets, bins, Kind, Lds, ClipMin >= 0 ? ClipMin : null, ClipMax >= 0 ? ClipMax : null);
}
