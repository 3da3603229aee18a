using System.Globalization;
using System.Text;
using DirDsl.Figures;

namespace DirDsl.Cli;

/// <summary>
/// The <c>dirdsl</c> tool: <c>inspect</c> a target column (histogram, LDS-effective density, shot
/// groups, suggested bins and kernel, a PNG), <c>weights</c> (per-row LDS weights as CSV) and
/// <c>report</c> (merge results.json files of separate variant runs into one table).
/// </summary>
public static class DirDslTool
{
    /// <summary>Runs a command; 0 on success, 1 on a data error, 2 on a usage error.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var root = ToolCommandLine.Root();
        var parsed = root.Parse(args.ToArray());
        bool help = args.Any(a => a is "--help" or "-h" or "-?");
        if (args.Count == 0 || help || parsed.Errors.Count > 0 || parsed.CommandResult.Command == root)
        {
            // Invoke prints the parse errors, then the help of the command they belong to.
            if (!help && parsed.Errors.Count == 0) error.WriteLine("error: name a command: inspect, weights, report or compare.");
            parsed.Invoke(new System.CommandLine.InvocationConfiguration { Output = help ? output : error, Error = error });
            return help && parsed.Errors.Count == 0 ? 0 : 2;
        }
        try
        {
            var options = ToolCommandLine.Bind(parsed);
            switch (parsed.CommandResult.Command.Name)
            {
                case "inspect": Inspect(options, output); return 0;
                case "weights": Weights(options, output); return 0;
                case "compare": Compare(options, output); return 0;
                default: Report(options, output); return 0;
            }
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is DataFormatException or DirDataException or FileNotFoundException or ArgumentException or InvalidOperationException)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static void Inspect(Options o, TextWriter output)
    {
        var (targets, bins) = LoadTargets(o);
        var counts = bins.Counts(targets);
        var lds = new LdsOptions(o.Kernel, o.Size, o.Sigma);
        var effective = LabelDistribution.EffectiveDensity(counts, Reweight.Inverse, lds, o.ClipMin, o.ClipMax);
        var groups = ShotGroups.FromCounts(counts, o.Many, o.Few);
        double mean = targets.Average(t => (double)t);
        double sd = Math.Sqrt(targets.Average(t => Math.Pow(t - mean, 2)));
        double skew = sd == 0 ? 0 : targets.Average(t => Math.Pow((t - mean) / sd, 3));
        var sorted = targets.OrderBy(t => t).ToArray();

        output.WriteLine(Invariant($"{o.File}: column '{o.Target}', {targets.Length} rows"));
        output.WriteLine(Invariant($"min {sorted[0]:G6}, median {sorted[sorted.Length / 2]:G6}, max {sorted[^1]:G6}, mean {mean:G6}, sd {sd:G6}, skew {skew:0.00}"));
        output.WriteLine($"bins: {bins}; LDS: {lds.Kernel}, size {lds.Size}, sigma {lds.Sigma}");
        foreach (var cap in TargetCaps.Find(targets, bins)) output.WriteLine(cap.Warning("file"));
        output.WriteLine();
        output.WriteLine("| bin | from | count | LDS-effective | group |");
        output.WriteLine("|---:|---:|---:|---:|---|");
        int peak = Math.Max(1, counts.Max());
        for (int b = 0; b < bins.Count; b++)
        {
            var bar = new string('#', (int)Math.Round(20.0 * counts[b] / peak));
            output.WriteLine(Invariant($"| {b} | {bins.LowerEdge(b):G6} | {counts[b]} | {effective[b]:0.0} | {groups.GroupOf(b)}{(groups.IsZeroShot(b) ? " (zero)" : "")} {bar} |"));
        }
        output.WriteLine();
        int Count(ShotGroup g) => Enumerable.Range(0, bins.Count).Count(b => groups.GroupOf(b) == g);
        int zero = Enumerable.Range(0, bins.Count).Count(groups.IsZeroShot);
        output.WriteLine($"shot groups (bins): many {Count(ShotGroup.Many)}, medium {Count(ShotGroup.Medium)}, few {Count(ShotGroup.Few)} (of which zero-shot {zero})");
        foreach (var line in Suggestions(targets, bins, counts, skew)) output.WriteLine("suggestion: " + line);
        if (o.Png is not null)
        {
            Plots.LabelDensity(o.Png, bins, counts, effective, $"{Path.GetFileName(o.File)}: {o.Target}");
            output.WriteLine($"figure: {Path.GetFullPath(o.Png)}");
        }
    }

    /// <summary>Rules of thumb for bins and kernel, from the shape of the label distribution.</summary>
    public static IEnumerable<string> Suggestions(float[] targets, LabelBins bins, int[] counts, double skew)
    {
        bool whole = targets.All(t => t == MathF.Floor(t));
        double range = targets.Max() - targets.Min();
        if (whole && range <= 300)
            yield return Invariant($"whole-number targets: [LabelBins(Min = {targets.Min()}, Max = {targets.Max() + 1}, Count = {range + 1}, Integer = true)], one bin per value as the age benchmarks do");
        else
            yield return Invariant($"real targets: [LabelBins(Min = {targets.Min():G6}, Max = {targets.Max():G6}, Count = 50)] (STS-B-DIR uses 50 bins); aim for bins you would report separately");
        if (skew > 2) yield return Invariant($"skew {skew:0.0}: consider binning (and predicting) a log of the target, as prices usually are");
        double emptyShare = counts.Count(c => c == 0) / (double)counts.Length;
        yield return emptyShare > 0.2
            ? Invariant($"{emptyShare:P0} of bins are empty: a wider LDS kernel (Size = 9, Sigma = 3) bridges the gaps")
            : "LDS Gaussian Size = 5, Sigma = 2 (the paper's setting) is a good start; tune on validation only";
    }

    private static void Weights(Options o, TextWriter output)
    {
        var (targets, bins) = LoadTargets(o);
        var weights = LabelDistribution.SampleWeights(targets, bins, o.Reweight, new LdsOptions(o.Kernel, o.Size, o.Sigma), o.ClipMin, o.ClipMax);
        var text = CsvTable.Write(new[] { "row", "target", "bin", "weight" }, Enumerable.Range(0, targets.Length).Select(i => new[]
        {
            i.ToString(CultureInfo.InvariantCulture), CsvTable.Number(targets[i]), bins.BinOf(targets[i]).ToString(CultureInfo.InvariantCulture), CsvTable.Number(weights[i]),
        }));
        if (o.Out is null) output.Write(text);
        else
        {
            AtomicFile.WriteAllText(o.Out, text);
            output.WriteLine($"{targets.Length} weights written to {Path.GetFullPath(o.Out)}");
        }
    }

    private static void Report(Options o, TextWriter output)
    {
        if (o.Files.Count == 0) throw new UsageException("report needs at least one results.json.");
        var variants = o.Files.SelectMany(ResultReader.Read).ToList();
        var text = new StringBuilder();
        text.AppendLine($"Merged {variants.Count} variant results from {o.Files.Count} file(s); test split, each model selected on validation.");
        text.AppendLine();
        text.Append(ResultWriter.Table(variants, explicitGroups: false));
        if (o.Explicit)
        {
            text.AppendLine("With explicit shot groups:");
            text.AppendLine();
            text.Append(ResultWriter.Table(variants, explicitGroups: true));
        }
        var search = ResultWriter.SearchSection(variants);
        if (search.Length > 0) text.AppendLine().Append(search);
        if (o.Out is null) output.Write(text);
        else
        {
            AtomicFile.WriteAllText(o.Out, text.ToString());
            output.WriteLine($"report written to {Path.GetFullPath(o.Out)}");
        }
    }

    private static void Compare(Options o, TextWriter output)
    {
        if (o.Files.Count != 2) throw new UsageException("compare needs two results.json files (or two merged sets: give each run as one file).");
        Func<GroupMetrics, double> metric = o.Metric.ToLowerInvariant() switch
        {
            "mse" => m => m.Mse,
            "mae" => m => m.Mae,
            "gm" => m => m.GeometricMean,
            _ => throw new UsageException($"--metric needs mse, mae or gm, not '{o.Metric}'."),
        };
        var a = ResultReader.Read(o.Files[0]);
        var b = ResultReader.Read(o.Files[1]);
        var cells = RunComparison.Compare(a, b, metric, o.Explicit);
        if (cells.Count == 0) throw new UsageException("the two files have no row in common.");
        var text = new StringBuilder();
        text.AppendLine($"A = {o.Files[0]} (seeds {string.Join(", ", a.Select(v => v.Seed).Distinct().Order())})");
        text.AppendLine($"B = {o.Files[1]} (seeds {string.Join(", ", b.Select(v => v.Seed).Distinct().Order())})");
        foreach (var line in EnvironmentDifferences(o.Files[0], o.Files[1])) text.AppendLine(line);
        foreach (var line in RunComparison.DataDifferences(a, b)) text.AppendLine(line);
        text.AppendLine();
        text.Append(RunComparison.Table(cells, o.Metric.ToUpperInvariant(), "A", "B"));
        if (o.Out is null) output.Write(text);
        else
        {
            AtomicFile.WriteAllText(o.Out, text.ToString());
            output.WriteLine($"comparison written to {Path.GetFullPath(o.Out)}");
        }
    }

    /// <summary>Where the two runs' recorded environments differ (CPU, instruction sets, threads, versions, settings).</summary>
    private static IEnumerable<string> EnvironmentDifferences(string a, string b)
    {
        var x = ResultReader.Environment(a);
        var y = ResultReader.Environment(b);
        if (x is null || y is null) yield return "environment: not recorded in " + (x is null ? a : b) + " (written by an older DirDsl).";
        else
            foreach (var key in x.Keys.Union(y.Keys).Order())
            {
                x.TryGetValue(key, out var left);
                y.TryGetValue(key, out var right);
                if (left != right) yield return $"environment differs: {key}: A {left ?? "(none)"}, B {right ?? "(none)"}";
            }
    }

    private static (float[] Targets, LabelBins Bins) LoadTargets(Options o)
    {
        if (o.File is null || o.Target is null) throw new UsageException("inspect and weights need FILE and --target COL.");
        var targets = CsvSource.Read(o.File, row => row.Target(o.Target!), o.Delimiter, o.Quoting, o.Columns, o.Trim).ToArray();
        double min = o.Min ?? Math.Floor(targets.Min());
        bool whole = targets.All(t => t == MathF.Floor(t));
        bool integer = o.Integer || (o.BinCount is null && o.Max is null && whole && targets.Max() - min <= 300);
        var bins = integer
            ? LabelBins.Integer(o.BinCount ?? (int)(Math.Floor(targets.Max()) - min + 1), (int)min)
            : LabelBins.Uniform(o.Min ?? targets.Min(), o.Max ?? targets.Max(), o.BinCount ?? 50);
        return (targets, bins);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal sealed class UsageException(string message) : Exception(message);

    /// <summary>The options of a command, bound from the parse result.</summary>
    internal sealed class Options
    {
        public string? File;
        public List<string> Files = new();
        public string? Target, Png, Out;
        public string Delimiter = ",";
        public bool Trim;
        public bool Quoting = true, Integer, Explicit;
        public string Metric = "mse";
        public string[]? Columns;
        public int? BinCount;
        public double? Min, Max, ClipMin, ClipMax;
        public Reweight Reweight = Reweight.SqrtInverse;
        public Kernel Kernel = Kernel.Gaussian;
        public int Size = DslDefaults.KernelSize;
        public double Sigma = DslDefaults.KernelSigma;
        public int Many = DslDefaults.ManyAbove, Few = DslDefaults.FewBelow;
    }
}
