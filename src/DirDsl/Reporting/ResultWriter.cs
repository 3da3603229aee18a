using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirDsl;

/// <summary>Writes results.json, results.md and predictions.csv of a run (atomically), and renders the paper-style table.</summary>
public static class ResultWriter
{
    /// <summary>The metrics of every table, in column-block order.</summary>
    private static readonly (string Name, Func<GroupMetrics, double> Value)[] TableMetrics =
    {
        ("MSE", m => m.Mse), ("MAE", m => m.Mae), ("GM", m => m.GeometricMean), ("Pearson", m => m.Pearson),
    };

    /// <summary>
    /// Writes results.json, results.md, predictions.csv and metrics.csv (every training's epochs) into <paramref name="folder"/>, then the figures when a
    /// <paramref name="figures"/> writer is given, and returns the paths written. A figure that cannot be drawn (no
    /// native plotting library) is reported in <paramref name="log"/> and skipped; the result files are always written.
    /// </summary>
    public static IReadOnlyList<string> Write(ExperimentResult result, string folder, TextWriter? log = null, IFigureWriter? figures = null)
    {
        Directory.CreateDirectory(folder);
        var json = Path.Combine(folder, "results.json");
        var markdown = Path.Combine(folder, "results.md");
        var csv = Path.Combine(folder, "predictions.csv");
        var metrics = Path.Combine(folder, MetricsLogging.FileName);
        // As a set: a failure leaves the previous results.json, results.md, predictions.csv and metrics.csv together.
        AtomicFile.WriteAllTextSet(new[] { (json, ToJson(result)), (markdown, Markdown(result)), (csv, PredictionsCsv(result)), (metrics, MetricsLogging.RunCsv(result)) });
        var written = new List<string> { json, markdown, csv, metrics };
        if (figures is null) return written;
        try
        {
            written.AddRange(figures.Write(result, folder));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            (log ?? Console.Error).WriteLine($"warning: figures skipped, the plotting library could not load: {e.Message}");
        }
        return written;
    }

    /// <summary>The run as JSON (undefined metrics as null), in the <see cref="ResultsFile"/> schema.</summary>
    public static string ToJson(ExperimentResult result) => JsonSerializer.Serialize(new ResultsFile(
        result.Experiment, result.Seed, result.Epochs, result.SelectByMse,
        new BinsJson(result.Bins.Count, result.Bins.Min, result.Bins.Max, result.Bins.IsInteger), result.TrainCounts,
        // Epochs counted from 1 in the file, as in the log and the figures (the run counts them from 0 inside).
        result.Variants.Select(v => new VariantJson(v.Variant, v.Seed, v.BestEpoch + ResultsFile.EpochBase, v.NoiseSigma, v.SearchOf, v.EpochsRun,
            v.Validation, v.Test, v.TestExplicitGroups, v.History.Select(h => h with { Epoch = h.Epoch + ResultsFile.EpochBase }).ToList(), v.Fingerprint,
            v.TestElements, v.TestDepth, v.TestDepthExplicitGroups)).ToList(), RunEnvironment.Describe(), result.Target.ToString(), ResultsFile.EpochBase), ResultsJsonContext.Default.ResultsFile);

    /// <summary>
    /// Per-sample test predictions: index (the test record), for a vector or map target the element, then target, bin, and
    /// one column per variant (per variant and seed when a run has several seeds). Missing target elements have no row.
    /// Names with commas (search points) are quoted.
    /// </summary>
    public static string PredictionsCsv(ExperimentResult result)
    {
        bool seeds = result.Seeds.Count > 1;
        var shape = result.Target;
        var header = new[] { "index" }.Concat(shape.IsScalar ? Array.Empty<string>() : new[] { "element" }).Concat(new[] { "target", "bin" })
            .Concat(result.Variants.Select(v => seeds ? $"{v.Variant}@seed{v.Seed}" : v.Variant)).ToList();
        var rows = Enumerable.Range(0, result.TestTargets.Length).Select(i =>
        {
            int position = result.TestPositions?[i] ?? i;
            var where = shape.IsScalar
                ? new[] { position.ToString(CultureInfo.InvariantCulture) }
                : new[] { (position / shape.Elements).ToString(CultureInfo.InvariantCulture), shape.ElementName(position % shape.Elements) };
            return where.Concat(new[] { CsvTable.Number(result.TestTargets[i]), result.Bins.BinOf(result.TestTargets[i]).ToString(CultureInfo.InvariantCulture) })
                .Concat(result.Variants.Select(v => CsvTable.Number(v.TestPredictions[i])));
        });
        return CsvTable.Write(header, rows);
    }

    /// <summary>The Markdown report: one paper-style table per metric, test split.</summary>
    public static string Markdown(ExperimentResult result)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# {result.Experiment}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Seed {result.Seed}, {result.Epochs} epochs, {result.Bins}. Test split; model selected on validation.");
        text.AppendLine();
        text.Append(Table(result, explicitGroups: false));
        if (result.Variants.Any(v => v.TestExplicitGroups is not null))
        {
            text.AppendLine();
            text.AppendLine("With the explicit shot groups of [ShotGroups]:");
            text.AppendLine();
            text.Append(Table(result, explicitGroups: true));
        }
        foreach (bool explicitGroups in new[] { false, true })
            if (DepthSection(result, explicitGroups) is { Length: > 0 } depth) text.AppendLine().Append(depth);
        var elements = ElementSection(result);
        if (elements.Length > 0) text.AppendLine().Append(elements);
        var search = SearchSection(result);
        if (search.Length > 0) text.AppendLine().Append(search);
        return text.ToString();
    }

    /// <summary>
    /// Rows: variants; columns: All / Many / Medium / Few / Zero for MSE, MAE, GM and Pearson. With
    /// several seeds each cell is the mean +- the 95% interval half-width, and * marks a difference
    /// from Vanilla (paired over the same seeds) that exceeds the seed noise.
    /// </summary>
    public static string Table(ExperimentResult result, bool explicitGroups)
    {
        // Search points appear in the search section only, where the selected one's test numbers are shown.
        result = result with { Variants = result.Variants.Where(v => v.SearchOf is null).ToList() };
        if (result.Variants.Count == 0) return "";
        // Say what the columns are: which bins each group holds and how many test records.
        var groups = explicitGroups ? result.ExplicitGroups : result.Groups;
        var legend = groups is null ? "" : groups.Legend(result.Bins, result.TestTargets, result.Target) + "\n";
        if (result.Seeds.Count > 1) return legend + SeedTable(result, explicitGroups);
        return legend + Render(result.Variants
            .Select(v => (v.Variant, Report: explicitGroups ? v.TestExplicitGroups : v.Test))
            .Where(row => row.Report is not null)
            .Select(row => (row.Variant, row.Report!)).ToList());
    }


    /// <summary>
    /// A depth map target's pixel metrics (the paper's NYUD2-DIR table): one block per metric, a row per variant (and seed),
    /// columns All / Many / Medium / Few with their pixel counts; empty for other targets.
    /// </summary>
    private static string DepthSection(ExperimentResult result, bool explicitGroups)
    {
        // One row per variant: its seeds' reports (a mean +- 95% interval with several seeds, as the shot tables show).
        var rows = result.Variants.Where(v => v.SearchOf is null && (explicitGroups ? v.TestDepthExplicitGroups : v.TestDepth) is not null)
            .GroupBy(v => v.Variant)
            .Select(g => (Label: g.Key, Reports: g.Select(v => (explicitGroups ? v.TestDepthExplicitGroups : v.TestDepth)!).ToList()))
            .ToList();
        if (rows.Count == 0) return "";
        var text = new StringBuilder();
        bool seeds = rows.Any(r => r.Reports.Count > 1);
        string heading = $"Depth metrics over the test pixels{(explicitGroups ? ", explicit shot groups" : "")} (delta: share within 1.25^k, higher is better)"
            + (seeds ? $"; mean +- 95% interval over {result.Seeds.Count} seeds:" : ":");
        text.AppendLine(heading).AppendLine();
        var groups = rows[0].Reports[0].Rows().ToArray();
        for (int metric = 0; metric < DepthGroupMetrics.Names.Count; metric++)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {DepthGroupMetrics.Names[metric]} |");
            foreach (var (group, m) in groups) text.Append(CultureInfo.InvariantCulture, $" {group} ({m.Count:N0}) |");
            text.AppendLine();
            text.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", groups.Length))).AppendLine();
            foreach (var (label, reports) in rows)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {label} |");
                for (int g = 0; g < groups.Length; g++)
                {
                    var (mean, half, count) = SeedStatistics.MeanInterval(reports.Select(r => r.Rows().ElementAt(g).Metrics.Values[metric]));
                    string spread = count > 1 && !Baselines.IsBaseline(label) ? $" +- {Format(half)}" : "";
                    text.Append(' ').Append(double.IsFinite(mean) ? Format(mean) + spread : "–").Append(" |");
                }
                text.AppendLine();
            }
            text.AppendLine();
        }
        return text.ToString();
    }
    /// <summary>A vector target's elements each on their own: a table per element, a row per variant (and seed); empty otherwise.</summary>
    private static string ElementSection(ExperimentResult result)
    {
        var variants = result.Variants.Where(v => v.SearchOf is null && v.TestElements is not null).ToList();
        if (variants.Count == 0) return "";
        bool seeds = result.Seeds.Count > 1;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Each element of the {result.Target} target on its own (test split, the same shot groups):");
        foreach (var element in variants[0].TestElements!.Select(e => e.Element))
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Element {element}:").AppendLine();
            text.Append(Render(variants.Select(v => (seeds ? $"{v.Variant} seed {v.Seed}" : v.Variant, v.TestElements!.First(e => e.Element == element).Test)).ToList()));
        }
        return text.ToString();
    }

    /// <summary>One block per metric: a header of groups with their sample counts, then a row per (label, report).</summary>
    private static string Render(IReadOnlyList<(string Label, ShotReport Report)> rows)
    {
        var text = new StringBuilder();
        if (rows.Count == 0) return "";
        var groups = rows[0].Report.Rows().ToArray();
        foreach (var (name, value) in TableMetrics)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {name} |");
            foreach (var (group, m) in groups) text.Append(CultureInfo.InvariantCulture, $" {group} ({m.Count}) |");
            text.AppendLine();
            text.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", groups.Length))).AppendLine();
            foreach (var (label, report) in rows)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {label} |");
                foreach (var (_, m) in report.Rows()) text.Append(' ').Append(Format(value(m))).Append(" |");
                text.AppendLine();
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string SeedTable(ExperimentResult result, bool explicitGroups)
    {
        var rows = result.VariantNames
            .Where(variant => !explicitGroups || !result.Variants.Any(v => v.Variant == variant && v.TestExplicitGroups is null))
            .Select(variant => (variant, variant)).ToList();
        return IntervalTable(
            $"Mean +- 95% interval over {result.Seeds.Count} seeds ({string.Join(", ", result.Seeds)}); * = differs from Vanilla beyond seed noise (paired t, 95%)"
                + (result.Variants.Any(v => Baselines.IsBaseline(v.Variant)) ? "; the baseline rows (Mean, Linear) train nothing and have no spread." : "."),
            rows, (variant, group, metric) =>
            {
                var cell = SeedStatistics.Cell(result, variant, group, metric, explicitGroups);
                // A baseline row trains nothing: the same number for every seed, no interval to show.
                string spread = Baselines.IsBaseline(variant) ? "" : $" +- {Format(cell.HalfWidth)}";
                return double.IsFinite(cell.Mean) ? $"{Format(cell.Mean)}{spread}{(cell.DiffersFromVanilla ? " *" : "")}" : "–";
            });
    }

    /// <summary>The shot groups of the interval tables, in column order.</summary>
    private static readonly (string Name, Func<ShotReport, GroupMetrics> Group)[] ShotColumns =
    {
        ("All", r => r.Overall), ("Many", r => r.Many), ("Medium", r => r.Medium), ("Few", r => r.Few), ("Zero", r => r.Zero),
    };

    /// <summary>
    /// A heading, then one block per metric with a column per shot group and a row per (label, row); <paramref name="cell"/>
    /// writes a row's cell for a group and a metric (a mean +- interval over seeds).
    /// </summary>
    private static string IntervalTable<TRow>(string heading, IReadOnlyList<(string Label, TRow Row)> rows,
        Func<TRow, Func<ShotReport, GroupMetrics>, Func<GroupMetrics, double>, string> cell)
    {
        var text = new StringBuilder();
        text.AppendLine(heading);
        text.AppendLine();
        foreach (var (metricName, metric) in TableMetrics)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {metricName} |");
            foreach (var (groupName, _) in ShotColumns) text.Append(CultureInfo.InvariantCulture, $" {groupName} |");
            text.AppendLine();
            text.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", ShotColumns.Length))).AppendLine();
            foreach (var (label, row) in rows)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {label} |");
                foreach (var (_, group) in ShotColumns) text.Append(' ').Append(cell(row, group, metric)).Append(" |");
                text.AppendLine();
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>The hyperparameter-search section of a run (empty without search points): candidates on validation, the selected point on test.</summary>
    public static string SearchSection(ExperimentResult result)
    {
        var outcomes = HyperparameterSearch.Select(result.Variants.Select(v => (v.Variant, v.SearchOf, v.Validation)), result.SelectByMse);
        return HyperparameterSearch.Render(outcomes, name => result.Variants.Where(v => v.Variant == name).Select(v => v.Test).ToList());
    }

    /// <summary>The hyperparameter-search sections of stored variants, per experiment (empty without search points).</summary>
    public static string SearchSection(IReadOnlyList<StoredVariant> variants)
    {
        var text = new StringBuilder();
        foreach (var experiment in variants.Where(v => v.SearchOf is not null).GroupBy(v => v.Experiment))
        {
            var outcomes = HyperparameterSearch.Select(experiment.Select(v => (v.Variant, v.SearchOf, v.Validation)), experiment.First().SelectByMse);
            text.Append(HyperparameterSearch.Render(outcomes.Select(o => o with { Of = $"{experiment.Key} {o.Of}" }).ToList(),
                name => experiment.Where(v => v.Variant == name).Select(v => v.Test).ToList()));
        }
        return text.ToString();
    }

    /// <summary>A paper-style table of stored variants (e.g. merged from separate runs): rows "experiment variant (seed)".</summary>
    public static string Table(IReadOnlyList<StoredVariant> variants, bool explicitGroups)
    {
        var rows = variants.Where(v => v.SearchOf is null).Where(v => !explicitGroups || v.TestExplicitGroups is not null).ToList();
        ShotReport Report(StoredVariant v) => explicitGroups ? v.TestExplicitGroups! : v.Test;
        var byRow = rows.GroupBy(v => (v.Experiment, v.Variant)).ToList();
        // One result per row: the rows as they are. Several seeds of a row: one pooled row, mean +- 95% interval.
        if (byRow.All(g => g.Count() == 1)) return Render(rows.Select(v => ($"{v.Experiment} {v.Variant} (seed {v.Seed})", Report(v))).ToList());
        var pooled = byRow.Select(row => ($"{row.Key.Experiment} {row.Key.Variant} ({string.Join(", ", row.Select(v => v.Seed).Distinct().Order())})", row)).ToList();
        return IntervalTable("Mean +- 95% interval over each row's seeds (the seeds in brackets).", pooled, (row, group, metric) =>
        {
            var (mean, halfWidth, _) = SeedStatistics.MeanInterval(row.Select(v => metric(group(Report(v)))));
            return double.IsFinite(mean) ? $"{Format(mean)} +- {Format(halfWidth)}" : "–";
        });
    }

    /// <summary>Three decimals, or an en dash for an undefined value.</summary>
    public static string Format(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "–";
}
