using System.Globalization;

namespace DirDsl;

/// <summary>A training-set edge value that holds an outsized share of the records: a cap or a censored target.</summary>
/// <param name="Value">The edge value (the minimum or maximum target).</param>
/// <param name="IsMaximum">Whether it is the maximum (else the minimum).</param>
/// <param name="Count">Records exactly at the value.</param>
/// <param name="Share">Their share of all records.</param>
/// <param name="NeighbourMean">Mean count of the two bins next to the edge value's bin.</param>
/// <param name="Bin">The edge value's label bin.</param>
public sealed record TargetCap(double Value, bool IsMaximum, long Count, double Share, double NeighbourMean, int Bin)
{
    /// <summary>The warning a run and <c>dirdsl inspect</c> print, with what it means for LDS.</summary>
    public string Warning(string split = "training") =>
        FormattableString.Invariant($"warning: {Count} {split} records ({Share * 100:0.0}%) sit exactly at the {(IsMaximum ? "maximum" : "minimum")} target {Value:G9}, ")
        + FormattableString.Invariant($"{Count / Math.Max(NeighbourMean, 1):0.#} times the mean count of the neighbouring bins ({NeighbourMean:0.#}): a capped or censored target? ")
        + FormattableString.Invariant($"LDS then sees bin {Bin} as dense, weights these records down and smooths their density into the bins beside it, ")
        + "and their true targets may lie beyond the cap. Consider dropping them (a --holdout range, or in the [Data] member) or reporting them apart.";
}

/// <summary>Finds capped or censored targets: an edge value with far more records than the bins beside it.</summary>
public static class TargetCaps
{
    /// <summary>An edge value counts as a cap when it holds more than this many times the neighbouring bins' mean count ...</summary>
    public const double NeighbourFactor = 3;

    /// <summary>... and more than this share of all records ...</summary>
    public const double MinimumShare = 0.01;

    /// <summary>
    /// ... or at least this many records: a small cap in a large table (43 census ages top-coded at 90 among 30,000, beside
    /// 3 at 88 and none at 89) is under 1% of the records but still a pile-up that LDS and the shot groups misread.
    /// </summary>
    public const int MinimumCount = 20;

    /// <summary>The capped edge values of <paramref name="targets"/> (none, one or both ends).</summary>
    public static IReadOnlyList<TargetCap> Find(ReadOnlySpan<float> targets, LabelBins bins) => Find(TargetSummary.Of(targets, TargetShape.Scalar, bins));

    /// <summary>The capped edge values of the target elements <paramref name="summary"/> describes (none, one or both ends).</summary>
    public static IReadOnlyList<TargetCap> Find(TargetSummary summary)
    {
        var caps = new List<TargetCap>();
        if (summary.Valid == 0) return caps;
        var bins = summary.Bins;
        var counts = summary.Counts;
        foreach (var (value, isMax, atValue) in new[] { (summary.Max, true, summary.AtMax), (summary.Min, false, summary.AtMin) })
        {
            if (!isMax && summary.Min == summary.Max) break;
            int bin = bins.BinOf(value);
            // The two bins next to the edge value's bin, inwards.
            int step = isMax ? -1 : 1;
            var neighbours = new[] { bin + step, bin + 2 * step }.Where(b => b >= 0 && b < bins.Count).Select(b => counts[b]).ToArray();
            if (neighbours.Length == 0) continue;
            double neighbourMean = neighbours.Average();
            double share = (double)atValue / summary.Valid;
            if (atValue > NeighbourFactor * neighbourMean && (share > MinimumShare || atValue >= MinimumCount))
                caps.Add(new TargetCap(value, isMax, atValue, share, neighbourMean, bin));
        }
        return caps;
    }
}
