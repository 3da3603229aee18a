namespace DirDsl;

/// <summary>
/// A map from a continuous target to one of <see cref="Count"/> label bins. Targets below the
/// first bin go to the first, above the last to the last (DirDsl always clips to the edge bins).
/// </summary>
public sealed class LabelBins
{
    private readonly float[]? edges;   // float32 edges, as the reference (numpy in the data's dtype)
    private readonly int start;

    private LabelBins(int count, int start, double min, double max, float[]? edges, BinRule rule = DslDefaults.BinRule)
    {
        Rule = rule;
        Count = count;
        this.start = start;
        Min = min;
        Max = max;
        this.edges = edges;
    }

    /// <summary>Width-1 bins for integer labels: bin j holds targets in [start + j, start + j + 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">count below 1.</exception>
    public static LabelBins Integer(int count, int start = 0)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "LabelBins needs at least one bin.");
        return new LabelBins(count, start, start, start + count, null);
    }

    /// <summary>
    /// <paramref name="count"/> equal-width bins over [min, max]; a target exactly equal to max goes
    /// to the last bin. Edges are float32 like the reference's, so a score of 1.4 is in bin 14 of
    /// 50 bins on [0, 5] (it sits exactly on the float32 edge).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">count below 1, or max not above min, or a bound not finite.</exception>
    public static LabelBins Uniform(double min, double max, int count) => Uniform(min, max, count, DslDefaults.BinRule);

    /// <summary>
    /// <paramref name="count"/> equal-width bins over [min, max] found by <paramref name="rule"/>: against float32 edges
    /// (<see cref="BinRule.Edges"/>, as <see cref="Uniform(double, double, int)"/>) or by the float32 product
    /// min(int((target - min) * (count / (max - min))), count - 1) (<see cref="BinRule.Truncate"/>, the reference's depth code).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">count below 1, or max not above min, or a bound not finite, or an unknown rule.</exception>
    public static LabelBins Uniform(double min, double max, int count, BinRule rule)
    {
        if (!Enum.IsDefined(rule)) throw new ArgumentOutOfRangeException(nameof(rule), rule, "Not a BinRule value.");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "LabelBins needs at least one bin.");
        if (!double.IsFinite(min) || !double.IsFinite(max) || max <= min)
            throw new ArgumentOutOfRangeException(nameof(max), max, $"LabelBins needs finite bounds with max > min (min = {min}).");
        // numpy.linspace: j * step + min, with the last edge set to max exactly.
        double step = (max - min) / count;
        var edges = new float[count + 1];
        for (int j = 0; j < count; j++) edges[j] = (float)(j * step + min);
        edges[count] = (float)max;
        return new LabelBins(count, 0, min, max, edges, rule);
    }

    /// <summary>How a target finds its bin (equal-width bins; integer bins always floor).</summary>
    public BinRule Rule { get; }

    /// <summary>The number of bins.</summary>
    public int Count { get; }

    /// <summary>Lower bound of the first bin.</summary>
    public double Min { get; }

    /// <summary>Upper bound of the last bin.</summary>
    public double Max { get; }

    /// <summary>True for <see cref="Integer"/> bins.</summary>
    public bool IsInteger => edges is null;

    /// <summary>The lower edge of bin <paramref name="bin"/>.</summary>
    public double LowerEdge(int bin) => edges is null ? start + bin : edges[bin];

    /// <summary>The centre of bin <paramref name="bin"/> (for tables and figures).</summary>
    public double Center(int bin) => edges is null ? start + bin + 0.5 : 0.5 * ((double)edges[bin] + edges[bin + 1]);

    /// <summary>The bin of a target. NaN is rejected; infinities clip to the edge bins.</summary>
    /// <exception cref="ArgumentException">The target is NaN.</exception>
    public int BinOf(float target)
    {
        if (float.IsNaN(target)) throw new ArgumentException("A target is NaN; it has no label bin.", nameof(target));
        if (edges is null)
        {
            double offset = Math.Floor((double)target - start);
            return (int)Math.Min(Count - 1, Math.Max(0, offset));
        }
        if (Rule == BinRule.Truncate)
        {
            // The reference's depth code: int(x * np.float32(10)) in float32, truncated toward zero, capped at the last bin.
            float scaled = (target - (float)Min) * (float)(Count / (Max - Min));
            if (!(scaled > 0)) return 0;
            return scaled >= Count ? Count - 1 : Math.Min(Count - 1, (int)scaled);
        }
        if (target < edges[0]) return 0;
        if (target >= edges[Count]) return Count - 1;
        // First guess from arithmetic, then settle against the float32 edges (as numpy does).
        int j = (int)Math.Floor(((double)target - Min) * Count / (Max - Min));
        j = Math.Clamp(j, 0, Count - 1);
        while (j > 0 && target < edges[j]) j--;
        while (j < Count - 1 && target >= edges[j + 1]) j++;
        return j;
    }

    /// <summary>The bin of every target, validating each (the error names the index).</summary>
    /// <exception cref="ArgumentException">A target is NaN or infinite.</exception>
    public int[] BinsOf(ReadOnlySpan<float> targets, string what = "targets")
    {
        var result = new int[targets.Length];
        for (int i = 0; i < targets.Length; i++)
        {
            if (!float.IsFinite(targets[i]))
                throw new ArgumentException($"{what}[{i}] is {targets[i]}; every target must be a finite number.", what);
            result[i] = BinOf(targets[i]);
        }
        return result;
    }

    /// <summary>Number of targets in each bin (bins with no target are 0).</summary>
    public int[] Counts(ReadOnlySpan<float> targets, string what = "targets")
    {
        var counts = new int[Count];
        foreach (var b in BinsOf(targets, what)) counts[b]++;
        return counts;
    }

    /// <summary>
    /// Whether <paramref name="other"/> is the same label space (the same rule, count, start and bounds, so every target
    /// finds the same bin in both).
    /// </summary>
    public bool SameAs(LabelBins other) => ReferenceEquals(this, other)
        || Rule == other.Rule && Count == other.Count && start == other.start && Min == other.Min && Max == other.Max && IsInteger == other.IsInteger;

    /// <summary>The bins in words, the same in every culture (the run fingerprint and the logs use it).</summary>
    public override string ToString() => edges is null
        ? FormattableString.Invariant($"{Count} integer bins from {start}")
        : Rule == BinRule.Truncate
            ? FormattableString.Invariant($"{Count} equal bins over [{Min}, {Max}] (truncated product)")
            : FormattableString.Invariant($"{Count} equal bins over [{Min}, {Max}]");
}
