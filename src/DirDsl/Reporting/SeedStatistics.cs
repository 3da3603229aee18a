namespace DirDsl;

/// <summary>One cell of a multi-seed table: mean over seeds, 95% interval half-width, and whether it differs from Vanilla beyond seed noise.</summary>
/// <param name="Mean">Mean over seeds (NaN when undefined in every seed).</param>
/// <param name="HalfWidth">Half-width of the 95% t-interval of the mean (0 with one seed).</param>
/// <param name="Seeds">Seeds with a defined value.</param>
/// <param name="DiffersFromVanilla">The paired 95% interval of (variant - Vanilla) over the same seeds excludes 0.</param>
public sealed record SeedCell(double Mean, double HalfWidth, int Seeds, bool DiffersFromVanilla);

/// <summary>Statistics over seeds: means, Student-t confidence intervals, paired comparisons.</summary>
public static class SeedStatistics
{
    // Two-sided 95% critical values of Student's t for 1..30 degrees of freedom.
    private static readonly double[] T95 =
    {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    };

    /// <summary>The two-sided 95% critical value of Student's t (1.96 beyond 30 degrees of freedom).</summary>
    public static double TCritical95(int degreesOfFreedom) =>
        degreesOfFreedom < 1 ? double.NaN : degreesOfFreedom <= T95.Length ? T95[degreesOfFreedom - 1] : 1.96;

    /// <summary>Mean and 95% half-width of the finite values (half-width 0 for one value, NaN for none).</summary>
    public static (double Mean, double HalfWidth, int Count) MeanInterval(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0) return (double.NaN, double.NaN, 0);
        double mean = finite.Average();
        if (finite.Length == 1) return (mean, 0, 1);
        double sd = Descriptive.StandardDeviation(finite);
        return (mean, TCritical95(finite.Length - 1) * sd / Math.Sqrt(finite.Length), finite.Length);
    }

    /// <summary>Whether the paired differences' 95% interval excludes zero (needs at least 2 pairs).</summary>
    public static bool PairedDiffers(IReadOnlyList<double> variant, IReadOnlyList<double> baseline)
    {
        var differences = variant.Zip(baseline, (a, b) => a - b).Where(double.IsFinite).ToArray();
        if (differences.Length < 2) return false;
        var (mean, half, _) = MeanInterval(differences);
        return Math.Abs(mean) > half;
    }

    /// <summary>The cell of one variant, group and metric over every seed of the run.</summary>
    public static SeedCell Cell(ExperimentResult result, string variant, Func<ShotReport, GroupMetrics> group,
        Func<GroupMetrics, double> metric, bool explicitGroups)
    {
        double Value(VariantResult v) => metric(group(explicitGroups ? v.TestExplicitGroups! : v.Test));
        var seeds = result.Variants.Select(v => v.Seed).Distinct().OrderBy(s => s).ToArray();
        double[] Series(string name) => seeds
            .Select(s => result.Variants.FirstOrDefault(v => v.Variant == name && v.Seed == s))
            .Select(v => v is null ? double.NaN : Value(v)).ToArray();
        var values = Series(variant);
        var (mean, half, count) = MeanInterval(values);
        bool differs = variant != "Vanilla" && result.Variants.Any(v => v.Variant == "Vanilla") && PairedDiffers(values, Series("Vanilla"));
        return new SeedCell(mean, half, count, differs);
    }
}
