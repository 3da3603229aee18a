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

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new FiniteOrNullConverter() },
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>
    /// Writes results.json, results.md, predictions.csv and the PNG figures into <paramref name="folder"/>
    /// and returns their paths. A figure that cannot be drawn (no native Skia library) is reported in
    /// <paramref name="log"/> and skipped; the result files are always written.
    /// </summary>
    public static IReadOnlyList<string> Write(ExperimentResult result, string folder, TextWriter? log = null)
    {
        Directory.CreateDirectory(folder);
        var json = Path.Combine(folder, "results.json");
        var markdown = Path.Combine(folder, "results.md");
        var csv = Path.Combine(folder, "predictions.csv");
        AtomicFile.WriteAllText(json, ToJson(result));
        AtomicFile.WriteAllText(markdown, Markdown(result));
        AtomicFile.WriteAllText(csv, PredictionsCsv(result));
        var written = new List<string> { json, markdown, csv };
        try
        {
            written.AddRange(WriteFigures(result, folder));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            (log ?? Console.Error).WriteLine($"warning: figures skipped, the plotting library could not load: {e.Message}");
        }
        return written;
    }

    /// <summary>The figures of a run: label density, error per bin, learning curves, FDS similarity per FDS variant.</summary>
    public static IReadOnlyList<string> WriteFigures(ExperimentResult result, string folder)
    {
        var paths = new List<string>();
        var configured = result.Configured;
        var effective = LabelDistribution.EffectiveDensity(result.TrainCounts,
            configured?.Lds is null ? Reweight.None : configured.Reweight == Reweight.SqrtInverse ? Reweight.Inverse : configured.Reweight,
            configured?.Lds);
        paths.Add(Figures.LabelDensity(Path.Combine(folder, "label-density.png"), result.Bins, result.TrainCounts, effective,
            configured?.Lds is { } lds ? $"{result.Experiment}: training labels and LDS ({lds.Kernel}, size {lds.Size}, sigma {lds.Sigma})" : $"{result.Experiment}: training labels"));
        // With several seeds the figures show the first one (the tables carry the spread).
        var firstSeed = result.Seeds.Count > 1 ? result with { Variants = result.Variants.Where(v => v.Seed == result.Seeds[0]).ToList() } : result;
        paths.Add(Figures.ErrorPerBin(Path.Combine(folder, "error-per-bin.png"), firstSeed));
        paths.Add(Figures.LearningCurves(Path.Combine(folder, "learning-curves.png"), firstSeed));
        int anchor = Array.IndexOf(result.TrainCounts, result.TrainCounts.Max());
        foreach (var variant in firstSeed.Variants.Where(v => v.Fds is not null))
        {
            var slug = DirVariant.SlugOf(variant.Variant);
            paths.Add(Figures.FeatureSimilarity(Path.Combine(folder, $"fds-similarity-{slug}.png"), result.Bins, variant.Fds!, anchor,
                $"{result.Experiment} {variant.Variant}: feature statistics vs bin {anchor} (most training samples)"));
        }
        return paths;
    }

    /// <summary>The run as JSON (undefined metrics as null).</summary>
    public static string ToJson(ExperimentResult result) => JsonSerializer.Serialize(new
    {
        experiment = result.Experiment,
        seed = result.Seed,
        epochs = result.Epochs,
        selectByMse = result.SelectByMse,
        bins = new { count = result.Bins.Count, min = result.Bins.Min, max = result.Bins.Max, integer = result.Bins.IsInteger },
        trainCounts = result.TrainCounts,
        variants = result.Variants.Select(v => new
        {
            variant = v.Variant,
            seed = v.Seed,
            bestEpoch = v.BestEpoch,
            noiseSigma = v.NoiseSigma,
            searchOf = v.SearchOf,
            epochsRun = v.EpochsRun,
            validation = v.Validation,
            test = v.Test,
            testExplicitGroups = v.TestExplicitGroups,
            history = v.History,
        }),
    }, Json);

    /// <summary>Per-sample test predictions: target, bin, then one column per variant.</summary>
    public static string PredictionsCsv(ExperimentResult result)
    {
        var text = new StringBuilder();
        text.Append("index,target,bin");
        bool seeds = result.Seeds.Count > 1;
        foreach (var v in result.Variants) text.Append(',').Append(seeds ? $"{v.Variant}@seed{v.Seed}" : v.Variant);
        text.AppendLine();
        for (int i = 0; i < result.TestTargets.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{result.TestTargets[i]:R},{result.Bins.BinOf(result.TestTargets[i])}");
            foreach (var v in result.Variants) text.Append(CultureInfo.InvariantCulture, $",{v.TestPredictions[i]:R}");
            text.AppendLine();
        }
        return text.ToString();
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
        if (result.Seeds.Count > 1) return SeedTable(result, explicitGroups);
        return Render(result.Variants
            .Select(v => (v.Variant, Report: explicitGroups ? v.TestExplicitGroups : v.Test))
            .Where(row => row.Report is not null)
            .Select(row => (row.Variant, row.Report!)).ToList());
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
        var text = new StringBuilder();
        var groupNames = new (string Name, Func<ShotReport, GroupMetrics> Group)[]
        {
            ("All", r => r.Overall), ("Many", r => r.Many), ("Medium", r => r.Medium), ("Few", r => r.Few), ("Zero", r => r.Zero),
        };
        text.AppendLine(CultureInfo.InvariantCulture, $"Mean +- 95% interval over {result.Seeds.Count} seeds ({string.Join(", ", result.Seeds)}); * = differs from Vanilla beyond seed noise (paired t, 95%).");
        text.AppendLine();
        foreach (var (metricName, metric) in TableMetrics)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {metricName} |");
            foreach (var (groupName, _) in groupNames) text.Append(CultureInfo.InvariantCulture, $" {groupName} |");
            text.AppendLine();
            text.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", groupNames.Length))).AppendLine();
            foreach (var variant in result.VariantNames)
            {
                if (explicitGroups && result.Variants.Any(v => v.Variant == variant && v.TestExplicitGroups is null)) continue;
                text.Append(CultureInfo.InvariantCulture, $"| {variant} |");
                foreach (var (_, group) in groupNames)
                {
                    var cell = SeedStatistics.Cell(result, variant, group, metric, explicitGroups);
                    text.Append(' ').Append(double.IsFinite(cell.Mean) ? $"{Format(cell.Mean)} +- {Format(cell.HalfWidth)}{(cell.DiffersFromVanilla ? " *" : "")}" : "–").Append(" |");
                }
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
    public static string Table(IReadOnlyList<StoredVariant> variants, bool explicitGroups) => Render(variants
        .Where(v => v.SearchOf is null)
        .Where(v => !explicitGroups || v.TestExplicitGroups is not null)
        .Select(v => ($"{v.Experiment} {v.Variant} (seed {v.Seed})", explicitGroups ? v.TestExplicitGroups! : v.Test)).ToList());

    /// <summary>Three decimals, or an en dash for an undefined value.</summary>
    public static string Format(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    /// <summary>Writes a non-finite double as null and reads null back as NaN (results.json marks undefined metrics so).</summary>
    internal sealed class FiniteOrNullConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
