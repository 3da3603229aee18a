using System.Globalization;

namespace DirDsl;

/// <summary>
/// The depth-estimation metrics of one group of pixels, as the reference's depth code (NYUD2-DIR's <c>Evaluator</c>)
/// reports them. NaN marks a metric of an empty group.
/// </summary>
/// <param name="Count">Pixels in the group.</param>
/// <param name="Mse">Mean squared error.</param>
/// <param name="Rmse">Root of <paramref name="Mse"/>.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="AbsRel">Mean of |prediction - target| / target.</param>
/// <param name="Log10">Mean of |log10(prediction) - log10(target)|.</param>
/// <param name="Delta1">Share of pixels with max(prediction / target, target / prediction) at most 1.25.</param>
/// <param name="Delta2">The same at most 1.25^2.</param>
/// <param name="Delta3">The same at most 1.25^3.</param>
public sealed record DepthGroupMetrics(long Count, double Mse, double Rmse, double Mae, double AbsRel, double Log10,
    double Delta1, double Delta2, double Delta3)
{
    /// <summary>The metrics' names in table order (the columns of a depth table).</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "RMSE", "MAE", "AbsRel", "log10", "delta1", "delta2", "delta3" };

    /// <summary>The metrics in the order of <see cref="Names"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<double> Values => new[] { Rmse, Mae, AbsRel, Log10, Delta1, Delta2, Delta3 };

    /// <summary>One line: <c>RMSE 0.512 MAE 0.401 ... (n = 1,234)</c>.</summary>
    public override string ToString() => string.Join(" ", Names.Zip(Values, (n, v) => string.Create(CultureInfo.InvariantCulture, $"{n} {v:F3}")))
        + string.Create(CultureInfo.InvariantCulture, $" (n = {Count:N0})");
}

/// <summary>Depth metrics overall and per shot group (the groups of the pixels' depth bins).</summary>
public sealed record DepthShotReport(DepthGroupMetrics Overall, DepthGroupMetrics Many, DepthGroupMetrics Medium, DepthGroupMetrics Few)
{
    /// <summary>The groups with their display names, in table order.</summary>
    public IEnumerable<(string Name, DepthGroupMetrics Metrics)> Rows()
    {
        yield return ("All", Overall);
        yield return ("Many", Many);
        yield return ("Medium", Medium);
        yield return ("Few", Few);
    }
}

/// <summary>
/// Accumulates the depth metrics of a test split pixel by pixel, overall and per shot group, in memory that does not grow
/// with the pixels (sums in double). Add the evaluated pixels of each map (those a balanced-test mask keeps and whose
/// target is valid), then read <see cref="Report"/>.
/// </summary>
/// <remarks>
/// <para>The formulas are the reference's (its <c>util.py</c>): errors over the pixels of a group, the ratio
/// max(p / t, t / p) against 1.25, 1.25^2, 1.25^3. Two choices differ, and only where the reference's own output is not a
/// number: the sums are in double (the reference sums float32 tensors, which loses digits over millions of pixels), and
/// a prediction at or below 0 enters log10 and the ratio as <see cref="PredictionFloor"/> (the reference would report
/// NaN for log10 and count such a pixel as within every delta threshold, since a negative ratio is below 1.25).</para>
/// <para>Targets must be positive and finite: a depth of 0 has no relative error. Pixels that are missing or outside
/// the declared valid range are left out before they reach this accumulator.</para>
/// </remarks>
public sealed class DepthMetricsAccumulator
{
    /// <summary>The value a prediction at or below it takes in log10 and the delta ratio (1e-6, in the target's unit).</summary>
    public const double PredictionFloor = 1e-6;

    /// <summary>The delta thresholds 1.25, 1.25^2, 1.25^3.</summary>
    public static IReadOnlyList<double> DeltaThresholds { get; } = new[] { 1.25, 1.25 * 1.25, 1.25 * 1.25 * 1.25 };

    private readonly LabelBins bins;
    private readonly ShotGroups groups;
    private readonly Sums[] sums = { new(), new(), new(), new() };   // overall, many, medium, few

    /// <summary>An empty accumulator for pixels binned by <paramref name="bins"/> and grouped by <paramref name="groups"/>.</summary>
    /// <exception cref="ArgumentException">The groups cover another number of bins.</exception>
    public DepthMetricsAccumulator(LabelBins bins, ShotGroups groups)
    {
        if (groups.Count != bins.Count)
            throw new ArgumentException($"Shot groups cover {groups.Count} bins but the label space has {bins.Count}.", nameof(groups));
        this.bins = bins;
        this.groups = groups;
    }

    /// <summary>Adds pixels (aligned predictions and targets; <paramref name="where"/> names them in errors, e.g. the record).</summary>
    /// <exception cref="ArgumentException">Lengths differ, a prediction is not finite, or a target is not a positive finite number.</exception>
    public void Add(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, string where = "pixels")
    {
        if (predictions.Length != targets.Length)
            throw new ArgumentException($"{where}: {predictions.Length} predictions for {targets.Length} targets.", nameof(predictions));
        for (int i = 0; i < targets.Length; i++)
        {
            float p = predictions[i], t = targets[i];
            if (!float.IsFinite(p)) throw new ArgumentException($"{where}: prediction {i} is {p}; a model produced a non-finite value.", nameof(predictions));
            if (!(t > 0) || !float.IsFinite(t))
                throw new ArgumentException($"{where}: target {i} is {t}; depth metrics need positive finite targets (mask missing pixels out first).", nameof(targets));
            int bin = bins.BinOf(t);
            sums[0].Add(p, t);
            sums[1 + (int)groups.GroupOf(bin)].Add(p, t);
        }
    }

    /// <summary>The metrics of the pixels added so far.</summary>
    public DepthShotReport Report() => new(sums[0].Metrics(), sums[1].Metrics(), sums[2].Metrics(), sums[3].Metrics());

    /// <summary>Evaluates aligned predictions and targets at once (hand-made maps, tests, small splits).</summary>
    public static DepthShotReport Evaluate(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, LabelBins bins, ShotGroups groups)
    {
        var accumulator = new DepthMetricsAccumulator(bins, groups);
        accumulator.Add(predictions, targets);
        return accumulator.Report();
    }

    /// <summary>Running sums of one group.</summary>
    private sealed class Sums
    {
        private long count;
        private double squared, absolute, relative, log10;
        private readonly long[] within = new long[3];

        public void Add(double p, double t)
        {
            double error = Math.Abs(p - t);
            count++;
            squared += error * error;
            absolute += error;
            relative += error / t;
            double floored = Math.Max(p, PredictionFloor);
            log10 += Math.Abs(Math.Log10(floored) - Math.Log10(t));
            double ratio = Math.Max(floored / t, t / floored);
            for (int k = 0; k < within.Length; k++) if (ratio <= DeltaThresholds[k]) within[k]++;
        }

        public DepthGroupMetrics Metrics()
        {
            if (count == 0) return new DepthGroupMetrics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
            double n = count, mse = squared / n;
            return new DepthGroupMetrics(count, mse, Math.Sqrt(mse), absolute / n, relative / n, log10 / n,
                within[0] / n, within[1] / n, within[2] / n);
        }
    }
}

/// <summary>
/// The reference's NYUD2-DIR choices, in one place: its depth bins, its shot groups, its FDS clamp and start bin, and
/// the training pixel counts it hard-codes. The bin lists and counts are data of the reference repository
/// (github.com/YyzHarry/imbalanced-regression, nyud2-dir/util.py and loaddata.py; MIT licence, Copyright (c) 2021
/// Yuzhe Yang), restated here so a run can reproduce its tables.
/// </summary>
public static class Nyud2Reference
{
    /// <summary>100 bins of 0.1 m over [0, 10] m, found as the reference finds them (min(int(x * 10), 99) in float32).</summary>
    public static LabelBins Bins { get; } = LabelBins.Uniform(0, 10, 100, BinRule.Truncate);

    /// <summary>The first bin LDS smooths and FDS keeps statistics for (0.7 m): <c>bucket_start</c>.</summary>
    public const int StartBin = 7;

    /// <summary>FDS's variance-ratio clamp in the depth code.</summary>
    public const double ClampMin = 0.2;

    /// <summary>FDS's variance-ratio clamp in the depth code.</summary>
    public const double ClampMax = 5;

    /// <summary>The reference's many-shot bins (its <c>Evaluator.shot_idx</c>).</summary>
    public static IReadOnlyList<int> ManyBins { get; } = Enumerable.Range(9, 37).Concat(new[] { 47, 49 }).ToArray();

    /// <summary>The reference's medium-shot bins.</summary>
    public static IReadOnlyList<int> MediumBins { get; } = new[] { 7, 8, 46, 48, 50, 51, 52, 53, 54, 55, 56, 58, 60, 61, 63 };

    /// <summary>The reference's few-shot bins.</summary>
    public static IReadOnlyList<int> FewBins { get; } = Enumerable.Range(0, 7).Concat(new[] { 57, 59, 62 }).Concat(Enumerable.Range(64, 36)).ToArray();

    /// <summary>The reference's shot groups over its 100 bins (zero-shot marks from <paramref name="trainCounts"/>, or none).</summary>
    public static ShotGroups ShotGroups(IReadOnlyList<int>? trainCounts = null) =>
        DirDsl.ShotGroups.Explicit(trainCounts ?? new int[Bins.Count], ManyBins, MediumBins, FewBins);

    /// <summary>
    /// The training pixels per bin of NYUD2-DIR's training set at the reference's training resolution, as its depth code
    /// hard-codes them (<c>TRAIN_BUCKET_NUM</c>); its LDS weights come from these counts.
    /// </summary>
    public static IReadOnlyList<long> TrainBucketCounts { get; } = new long[]
    {
        0, 0, 0, 0, 0, 0, 0, 25848691, 24732940, 53324326, 69112955, 54455432, 95637682, 71403954, 117244217,
        84813007, 126524456, 84486706, 133130272, 95464874, 146051415, 146133612, 96561379, 138366677, 89680276,
        127689043, 81608990, 119121178, 74360607, 106839384, 97595765, 66718296, 90661239, 53103021, 83340912,
        51365604, 71262770, 42243737, 65860580, 38415940, 53647559, 54038467, 28335524, 41485143, 32106001,
        35936734, 23966211, 32018765, 19297203, 31503743, 21681574, 16363187, 25743420, 12769509, 17675327,
        13147819, 15798560, 9547180, 14933200, 9663019, 12887283, 11803562, 7656609, 11515700, 7756306, 9046228,
        5114894, 8653419, 6859433, 8001904, 6430700, 3305839, 6318461, 3486268, 5621065, 4030498, 3839488, 3220208,
        4483027, 2555777, 4685983, 3145082, 2951048, 2762369, 2367581, 2546089, 2343867, 2481579, 1722140, 3018892,
        2325197, 1952354, 2047038, 1858707, 2052729, 1348558, 2487278, 1314198, 3338550, 1132666,
    };
}

/// <summary>When a run reports the depth metrics, the one rule every caller uses.</summary>
public static class DepthReports
{
    /// <summary>
    /// The depth metrics of a map target's evaluated pixels, or null: for a scalar or vector target, and for a map with a
    /// target at or below 0 (a density or heat map, whose relative errors have no meaning; the shot tables still hold).
    /// </summary>
    public static DepthShotReport? For(TargetShape shape, float[] predictions, float[] targets, LabelBins bins, ShotGroups? groups)
    {
        if (groups is null || shape.Kind != TargetKind.Map || targets.Length == 0) return null;
        foreach (var t in targets)
            if (!(t > 0) || !float.IsFinite(t)) return null;
        return DepthMetricsAccumulator.Evaluate(predictions, targets, bins, groups);
    }
}
