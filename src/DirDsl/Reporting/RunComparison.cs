using System.Globalization;
using System.Text;

namespace DirDsl;

/// <summary>One cell of a comparison: a row and group in two runs, each a mean over its seeds with a 95% interval.</summary>
/// <param name="Variant">The row.</param>
/// <param name="Group">All, Many, Medium or Few.</param>
/// <param name="A">Mean, half-width and seed count in the first run.</param>
/// <param name="B">The same in the second run.</param>
/// <param name="Consistent">Whether the means agree within seed noise (Welch's t-test, 95%); null when a run has fewer than 2 seeds.</param>
public sealed record ComparedCell(string Variant, string Group, (double Mean, double HalfWidth, int Count) A, (double Mean, double HalfWidth, int Count) B,
    bool? Consistent);

/// <summary>
/// Compares two runs of the same experiment (another machine, other seeds, another version): per row and shot group,
/// whether the two means are consistent given their seed-to-seed spread, so a rerun can be checked in one command.
/// Seeds are the runs' own; the test is Welch's unequal-variance t-test at 95% on the per-seed values.
/// </summary>
public static class RunComparison
{
    private static readonly (string Name, Func<ShotReport, GroupMetrics> Group)[] Groups =
    {
        ("All", r => r.Overall), ("Many", r => r.Many), ("Medium", r => r.Medium), ("Few", r => r.Few),
    };

    /// <summary>The cells of every row present in both runs (search points included), for the metric chosen.</summary>
    public static IReadOnlyList<ComparedCell> Compare(IReadOnlyList<StoredVariant> a, IReadOnlyList<StoredVariant> b, Func<GroupMetrics, double> metric,
        bool explicitGroups = false)
    {
        ShotReport Report(StoredVariant v) => explicitGroups ? v.TestExplicitGroups ?? v.Test : v.Test;
        var rows = a.Select(v => v.Variant).Distinct().Where(name => b.Any(v => v.Variant == name)).ToList();
        var cells = new List<ComparedCell>();
        foreach (var row in rows)
        {
            foreach (var (group, select) in Groups)
            {
                var x = a.Where(v => v.Variant == row).Select(v => metric(select(Report(v)))).Where(double.IsFinite).ToArray();
                var y = b.Where(v => v.Variant == row).Select(v => metric(select(Report(v)))).Where(double.IsFinite).ToArray();
                cells.Add(new ComparedCell(row, group, SeedStatistics.MeanInterval(x), SeedStatistics.MeanInterval(y), Consistent(x, y)));
            }
        }
        return cells;
    }

    /// <summary>
    /// Where the data the two runs trained and tested on differ, split by split (from the data hashes each variant's
    /// fingerprint records): a [Data] member that splits with the run's seed gives each seed other test records, and
    /// then the cells compare different test sets, not only different trainings. Empty when the hashes agree.
    /// </summary>
    public static IEnumerable<string> DataDifferences(IReadOnlyList<StoredVariant> a, IReadOnlyList<StoredVariant> b)
    {
        static Dictionary<string, List<(string Hash, int Seed)>> BySplit(IReadOnlyList<StoredVariant> run) => run
            .SelectMany(v => v.DataHashes.Select(d => (d.Split, d.Hash, v.Seed))).Distinct()
            .GroupBy(d => d.Split).ToDictionary(g => g.Key, g => g.Select(d => (d.Hash, d.Seed)).ToList());
        string Describe(List<(string Hash, int Seed)> hashes) => string.Join("; ", hashes.GroupBy(h => h.Hash)
            .Select(g => $"{g.Key} (seed{(g.Select(h => h.Seed).Distinct().Count() == 1 ? "" : "s")} {string.Join(", ", g.Select(h => h.Seed).Distinct().Order())})"));
        var x = BySplit(a);
        var y = BySplit(b);
        foreach (var split in x.Keys.Intersect(y.Keys).Order())
        {
            var left = x[split].Select(h => h.Hash).ToHashSet();
            var right = y[split].Select(h => h.Hash).ToHashSet();
            if (left.SetEquals(right)) continue;
            // The hashes are of the mapped rows: other records, or the same records standardised by another training split.
            yield return $"data differs: {split}: A {Describe(x[split])}, B {Describe(y[split])} (hashes of the mapped rows: other records, "
                + "or the same records mapped by a feature map fitted on another training split)"
                + (split == "test data" ? "; the cells below may compare results on different test records." : ".");
        }
    }

    /// <summary>Welch's t-test at 95%: true when the means do not differ significantly; null with fewer than 2 values on a side.</summary>
    public static bool? Consistent(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count < 2 || y.Count < 2) return null;
        double mx = x.Average(), my = y.Average();
        double vx = x.Sum(v => (v - mx) * (v - mx)) / (x.Count - 1), vy = y.Sum(v => (v - my) * (v - my)) / (y.Count - 1);
        double sx = vx / x.Count, sy = vy / y.Count;
        if (sx + sy == 0) return mx == my;
        double t = Math.Abs(mx - my) / Math.Sqrt(sx + sy);
        // Welch-Satterthwaite degrees of freedom, rounded down (conservative).
        double df = (sx + sy) * (sx + sy) / (sx * sx / (x.Count - 1) + sy * sy / (y.Count - 1));
        return t <= SeedStatistics.TCritical95(Math.Max(1, (int)Math.Floor(df)));
    }

    /// <summary>A markdown table of the cells and a one-line verdict.</summary>
    public static string Table(IReadOnlyList<ComparedCell> cells, string metricName, string nameA, string nameB)
    {
        var text = new StringBuilder();
        text.AppendLine($"| {metricName} | group | {nameA} | {nameB} | consistent (Welch t, 95%) |");
        text.AppendLine("|---|---|---:|---:|---|");
        foreach (var cell in cells)
            text.AppendLine($"| {cell.Variant} | {cell.Group} | {Format(cell.A)} | {Format(cell.B)} | {(cell.Consistent is { } c ? (c ? "yes" : "**no**") : "n/a (one seed)")} |");
        int tested = cells.Count(c => c.Consistent is not null), differing = cells.Count(c => c.Consistent == false);
        text.AppendLine();
        text.AppendLine(tested == 0
            ? "No cell has 2 or more seeds in both runs: nothing can be judged against seed noise."
            : $"{tested - differing} of {tested} cells consistent; {differing} differ beyond seed noise (at 95%, about 1 in 20 would by chance).");
        return text.ToString();
    }

    private static string Format((double Mean, double HalfWidth, int Count) cell) => cell.Count == 0
        ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"{cell.Mean:0.000} +- {cell.HalfWidth:0.000} ({cell.Count})");
}
