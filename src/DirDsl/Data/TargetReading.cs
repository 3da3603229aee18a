namespace DirDsl;

/// <summary>
/// How a split reads its target elements: the label space they are binned in and what happens to an element before the
/// split holds it (one rule for every data path).
/// </summary>
/// <param name="Bins">The label space.</param>
/// <param name="Clip">Values clipped to [Min, Max] of <paramref name="Bins"/> (--outside-bins clip).</param>
/// <param name="Masked">Target ranges whose elements have no target (--holdout on a dense map), or null.</param>
/// <param name="DropOutside">
/// Elements outside [Min, Max] have no target (--outside-bins drop on a vector or map: its pixels are dropped, not its
/// record).
/// </param>
public sealed record TargetReading(LabelBins Bins, bool Clip = false, IReadOnlyList<TargetRange>? Masked = null, bool DropOutside = false)
{
    /// <summary>Whether an element outside the label space is dropped by <see cref="DropOutside"/>.</summary>
    public bool Drops(float value) => DropOutside && (value < Bins.Min || value > Bins.Max);

    /// <summary>A finite target element as the split holds it: NaN (missing) when masked or dropped, else clipped when asked.</summary>
    public float Held(float value) =>
        Masked is not null && Masked.Any(range => range.Contains(value)) || Drops(value) ? float.NaN
        : Clip ? (float)Math.Clamp(value, Bins.Min, Bins.Max) : value;

    /// <summary>The same rules under other bins (a search point's).</summary>
    public TargetReading WithBins(LabelBins bins) => this with { Bins = bins };

    /// <summary>Stops when a rule does not apply to targets of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">Masked ranges or dropped elements asked of a scalar target (those leave records out instead).</exception>
    public void Check(TargetShape shape)
    {
        if (Masked is { Count: > 0 } && shape.Kind != TargetKind.Map)
            throw new ArgumentException("Target ranges are masked per pixel of a map target only; other targets hold ranges out by record.", nameof(Masked));
        if (DropOutside && !shape.AllowsMissing)
            throw new ArgumentException("Elements outside the bins are dropped from a vector or map target only; a scalar target's records are left out instead.", nameof(DropOutside));
    }
}
