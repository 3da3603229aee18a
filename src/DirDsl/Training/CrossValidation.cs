using System.Globalization;
using System.Text;

namespace DirDsl;

/// <summary>
/// k-fold cross-validation ([CrossValidation(Folds)]) for records held in memory: the [Data] member's three splits are
/// pooled and dealt into k folds stratified by label bin (within each bin in a seeded random order, dealt in turn, so
/// every fold gets its share of each target range and sizes differ by at most one); fold f is the test split of run f,
/// fold f + 1 (mod k) its validation split and the other k - 2 its training split. Each fold is a run of its own
/// (<c>fold-N/</c>, with its feature map fitted on its training records, its checkpoints and result files); the table
/// reports each cell as the mean and 95% t-interval over the folds (of each fold's mean over seeds).
/// </summary>
public static class CrossValidation
{
    /// <summary>The folder of fold <paramref name="fold"/> (0-based) in the experiment's folder.</summary>
    public static string FoldFolder(int fold) => $"fold-{fold + 1}";

    /// <summary>The file with the table over folds, in the experiment's folder.</summary>
    public const string ReportFile = "cross-validation.md";

    /// <summary>The k train / validation / test splits of <paramref name="splits"/> pooled.</summary>
    /// <exception cref="ArgumentException">Fewer than 3 folds, records streamed from disk, or fewer records than folds.</exception>
    public static IReadOnlyList<DirSplits<T>> Split<T>(DirSplits<T> splits, Func<T, float> target, LabelBins bins, int folds, int seed)
    {
        if (!DslRules.IsValidFolds(folds)) throw new ArgumentException($"Cross-validation needs at least 3 folds, not {folds}.");
        if (splits.Train is IStreamingRecords || splits.Validation is IStreamingRecords || splits.Test is IStreamingRecords)
            throw new ArgumentException("Cross-validation needs records held in memory; this [Data] member streams them from disk. Return lists, or train without [CrossValidation].");
        var pooled = splits.Train.Concat(splits.Validation).Concat(splits.Test).ToList();
        if (pooled.Count < folds) throw new ArgumentException($"Cross-validation into {folds} folds needs at least {folds} records, and the [Data] member has {pooled.Count}.");
        var random = new Random(seed);
        var fold = new int[pooled.Count];
        int next = 0;
        foreach (var bin in Enumerable.Range(0, pooled.Count).GroupBy(i => float.IsNaN(target(pooled[i])) ? -1 : bins.BinOf(target(pooled[i]))).OrderBy(g => g.Key))
        {
            var members = bin.ToArray();
            random.Shuffle(members);
            foreach (var i in members) fold[i] = next++ % folds;
        }
        return Enumerable.Range(0, folds).Select(f =>
        {
            int validation = (f + 1) % folds;
            List<T> Of(Func<int, bool> take) => Enumerable.Range(0, pooled.Count).Where(i => take(fold[i])).Select(i => pooled[i]).ToList();
            return new DirSplits<T>(Of(x => x != f && x != validation), Of(x => x == validation), Of(x => x == f));
        }).ToList();
    }

    /// <summary>Every fold's rows in one result, each marked with its fold; the bins and counts of the first fold.</summary>
    public static ExperimentResult Combine(IReadOnlyList<ExperimentResult> folds)
    {
        var first = folds[0];
        var variants = folds.SelectMany((result, f) => result.Variants.Select(v => v with { Fold = f + 1 })).ToList();
        return first with { Variants = variants, TestTargets = folds.SelectMany(r => r.TestTargets).ToArray(), TestPositions = null, FoldCount = folds.Count };
    }

    /// <summary>Writes the table over folds (<see cref="ReportFile"/>) into the experiment's folder, atomically.</summary>
    public static void Write(ExperimentResult result, string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, ReportFile), $"# {result.Experiment}: {result.FoldCount}-fold cross-validation\n\n" + Table(result));

    /// <summary>
    /// Per row (search points apart) and shot group: MSE and MAE on each fold's test split, as the mean and 95% interval
    /// over the folds of each fold's mean over seeds; the number of test records per group summed over the folds.
    /// </summary>
    public static string Table(ExperimentResult result)
    {
        var rows = result.Variants.Where(v => v.SearchOf is null).GroupBy(v => v.Variant).ToList();
        var groups = new (string Name, Func<ShotReport, GroupMetrics> Of)[] { ("All", r => r.Overall), ("Many", r => r.Many), ("Medium", r => r.Medium), ("Few", r => r.Few), ("Zero", r => r.Zero) };
        var text = new StringBuilder();
        var counts = string.Join(", ", groups.Select(g => $"{g.Name} {rows.FirstOrDefault()?.Where(v => v.Seed == result.Seeds[0]).Sum(v => g.Of(v.Test).Count) ?? 0}"));
        text.AppendLine(CultureInfo.InvariantCulture, $"Test split of each fold, model selected on that fold's validation split; mean +- 95% interval over {result.FoldCount} folds "
            + $"(each fold's mean over {result.Seeds.Count} seed(s)). Test records per group, over all folds: {counts}.");
        text.AppendLine();
        foreach (var (metric, value) in new (string, Func<GroupMetrics, double>)[] { ("MSE", m => m.Mse), ("MAE", m => m.Mae) })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {metric} | {string.Join(" | ", groups.Select(g => g.Name))} |");
            text.AppendLine("|---|" + string.Concat(groups.Select(_ => "---:|")));
            foreach (var row in rows)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {row.Key} |");
                foreach (var (_, of) in groups)
                {
                    var perFold = row.GroupBy(v => v.Fold).Select(f => f.Select(v => value(of(v.Test))).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average());
                    var (mean, half, count) = SeedStatistics.MeanInterval(perFold);
                    text.Append(' ').Append(count > 1 ? $"{ResultWriter.Format(mean)} +- {ResultWriter.Format(half)}" : ResultWriter.Format(mean)).Append(" |");
                }
                text.AppendLine();
            }
            text.AppendLine();
        }
        return text.ToString();
    }
}
