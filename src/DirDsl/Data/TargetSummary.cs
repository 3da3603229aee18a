using System.Security.Cryptography;

namespace DirDsl;

/// <summary>
/// What a run needs to know about a split's targets as a whole, gathered in one pass over its records: label counts per
/// bin, the edge values (target caps), the targets outside the bins, each element's mean (the Mean baseline) and the
/// content hash. A split that holds its targets and one that streams them (a dense map's training split, whose pixels are
/// read again with each batch) build it with the same <see cref="Builder"/>, record by record, so both report the same.
/// </summary>
public sealed class TargetSummary
{
    private readonly double[] elementSums;
    private readonly long[] elementCounts;

    private TargetSummary(Builder from)
    {
        Bins = from.LabelBins;
        Shape = from.Shape;
        Records = from.Records;
        Counts = from.Counts;
        Valid = from.Counts.Sum();
        elementSums = from.ElementSums;
        elementCounts = from.ElementCounts;
        Min = from.Min;
        Max = from.Max;
        AtMin = from.AtMin;
        AtMax = from.AtMax;
        Below = from.Below;
        Above = from.Above;
        Farthest = from.Farthest;
        FarthestAt = from.FarthestAt;
        Hash = from.FinishHash();
    }

    /// <summary>The label space the counts are under.</summary>
    public LabelBins Bins { get; }
    /// <summary>The shape of one record's target.</summary>
    public TargetShape Shape { get; }
    /// <summary>Records read.</summary>
    public int Records { get; }
    /// <summary>Target elements per bin (missing elements in none).</summary>
    public long[] Counts { get; }
    /// <summary>Target elements that are there.</summary>
    public long Valid { get; }
    /// <summary>The smallest target element (NaN when none is there).</summary>
    public float Min { get; }
    /// <summary>The largest target element (NaN when none is there).</summary>
    public float Max { get; }
    /// <summary>Elements exactly at <see cref="Min"/>.</summary>
    public long AtMin { get; }
    /// <summary>Elements exactly at <see cref="Max"/>.</summary>
    public long AtMax { get; }
    /// <summary>Elements below the bins' range.</summary>
    public long Below { get; }
    /// <summary>Elements above the bins' range.</summary>
    public long Above { get; }
    /// <summary>The element farthest outside the bins' range (NaN when none is outside).</summary>
    public float Farthest { get; }
    /// <summary>Its position among the split's elements (record x elements + element), or -1.</summary>
    public long FarthestAt { get; }
    /// <summary>
    /// A short hash of the targets (every element in record order, NaN where missing): the same value as
    /// <see cref="RunFingerprint.Hash"/> of the whole array, without holding it.
    /// </summary>
    public string Hash { get; }

    /// <summary>The label counts as the results file keeps them (int per bin).</summary>
    /// <exception cref="OverflowException">A bin holds more than int.MaxValue elements.</exception>
    public int[] IntCounts() => Array.ConvertAll(Counts, static c => checked((int)c));

    /// <summary>Each target element's mean over the records where it is there (0 where it never is).</summary>
    public double[] ElementMeans() => elementSums.Select((s, e) => elementCounts[e] == 0 ? 0 : s / elementCounts[e]).ToArray();

    /// <summary>The summary of targets held whole (<see cref="TargetShape.Elements"/> per record, NaN where missing).</summary>
    public static TargetSummary Of(ReadOnlySpan<float> targets, TargetShape shape, LabelBins bins)
    {
        var builder = new Builder(shape, bins);
        for (int at = 0; at < targets.Length; at += shape.Elements) builder.Add(targets.Slice(at, shape.Elements));
        return builder.Build();
    }

    /// <summary>Gathers a summary record by record, in record order (the hash follows the order).</summary>
    public sealed class Builder
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private double farthestDistance;

        /// <summary>A builder for targets of <paramref name="shape"/> under <paramref name="bins"/>.</summary>
        public Builder(TargetShape shape, LabelBins bins)
        {
            Shape = shape;
            LabelBins = bins;
            Counts = new long[bins.Count];
            ElementSums = new double[shape.Elements];
            ElementCounts = new long[shape.Elements];
        }

        internal TargetShape Shape { get; }
        internal LabelBins LabelBins { get; }
        internal int Records { get; private set; }
        internal long[] Counts { get; }
        internal double[] ElementSums { get; }
        internal long[] ElementCounts { get; }
        internal float Min { get; private set; } = float.NaN;
        internal float Max { get; private set; } = float.NaN;
        internal long AtMin { get; private set; }
        internal long AtMax { get; private set; }
        internal long Below { get; private set; }
        internal long Above { get; private set; }
        internal float Farthest { get; private set; } = float.NaN;
        internal long FarthestAt { get; private set; } = -1;

        /// <summary>The next record's target elements (NaN where missing), as the split holds them.</summary>
        public void Add(ReadOnlySpan<float> record)
        {
            if (record.Length != Shape.Elements) throw new ArgumentException($"{record.Length} target elements for a {Shape} target.", nameof(record));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(record));
            long first = (long)Records * record.Length;
            for (int e = 0; e < record.Length; e++)
            {
                float t = record[e];
                if (float.IsNaN(t)) continue;
                Counts[LabelBins.BinOf(t)]++;
                ElementSums[e] += t;
                ElementCounts[e]++;
                if (!(t >= Min)) (Min, AtMin) = (t, 0);
                if (t == Min) AtMin++;
                if (!(t <= Max)) (Max, AtMax) = (t, 0);
                if (t == Max) AtMax++;
                double distance = t < LabelBins.Min ? LabelBins.Min - t : t > LabelBins.Max ? t - LabelBins.Max : 0;
                if (distance == 0) continue;
                if (t < LabelBins.Min) Below++;
                else Above++;
                if (distance > farthestDistance)
                {
                    farthestDistance = distance;
                    Farthest = t;
                    FarthestAt = first + e;
                }
            }
            Records++;
        }

        internal string FinishHash() => RunFingerprint.Short(hash.GetHashAndReset());

        /// <summary>The summary of the records added.</summary>
        public TargetSummary Build()
        {
            using (hash) return new TargetSummary(this);
        }
    }
}
