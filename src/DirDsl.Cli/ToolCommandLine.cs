using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using DirDsl.Hosting;

namespace DirDsl.Cli;

/// <summary>The <c>dirdsl</c> tool's commands and options on System.CommandLine, each defined once.</summary>
internal static class ToolCommandLine
{
    private static readonly Argument<string> File = new("FILE") { Description = "A delimited file with a header row (or --columns)." };
    private static readonly Argument<string[]> ResultFiles = new("RESULTS") { Description = "results.json files of separate runs.", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string> Target = new("--target") { Description = "The target column.", Required = true };
    private static readonly Option<string?> Png = new("--png") { Description = "Write the label-density figure here (PNG)." };
    private static readonly Option<string?> Out = new("--out") { Description = "Write the output here instead of standard output." };
    private static readonly Option<string> Delimiter = new("--delimiter")
    {
        Description = "Field separator, one character or several (default ','; 'tab' for tabs; ', ' for census tables).",
        DefaultValueFactory = _ => ",",
        CustomParser = result => OptionParsing.Checked(result, text => text is "tab" or "\\t" ? "\t" : text.Length > 0 ? text
            : throw new ArgumentException("--delimiter needs at least one character, or 'tab'.")),
    };
    private static readonly Option<bool> Trim = new("--trim") { Description = "Remove white space around every field." };
    private static readonly Option<bool> NoQuoting = new("--no-quoting") { Description = "Read quotes as text (STS-B, SICK)." };
    private static readonly Option<string?> Columns = new("--columns") { Description = "Column names (a,b,c) for a file without a header row." };
    private static readonly Option<int?> Bins = new("--bins") { Description = "N equal bins over [--min, --max] (default: the data's range)." };
    private static readonly Option<double?> Min = new("--min") { Description = "Lower end of the label range." };
    private static readonly Option<double?> Max = new("--max") { Description = "Upper end of the label range." };
    private static readonly Option<bool> Integer = new("--integer") { Description = "Width-1 bins from --min (default for whole-number targets)." };
    private static readonly Option<Reweight> ReweightOption = new("--reweight")
    {
        Description = "inverse or sqrt-inverse (default sqrt-inverse).",
        HelpName = "inverse|sqrt-inverse",
        DefaultValueFactory = _ => Reweight.SqrtInverse,
        CustomParser = result => OptionParsing.Checked(result, text => text.ToLowerInvariant() switch
        {
            "inverse" => Reweight.Inverse,
            "sqrt-inverse" or "sqrtinverse" or "sqrt_inv" => Reweight.SqrtInverse,
            var other => throw new ArgumentException($"--reweight must be inverse or sqrt-inverse, not '{other}'."),
        }),
    };
    private static readonly Option<Kernel> KernelOption = new("--kernel")
    {
        Description = "gaussian, triangular or laplace (default gaussian).",
        HelpName = "gaussian|triangular|laplace",
        DefaultValueFactory = _ => Kernel.Gaussian,
        CustomParser = result => OptionParsing.Checked(result, text => text.ToLowerInvariant() switch
        {
            "gaussian" => Kernel.Gaussian,
            "triangular" or "triang" => Kernel.Triangular,
            "laplace" => Kernel.Laplace,
            var other => throw new ArgumentException($"--kernel must be gaussian, triangular or laplace, not '{other}'."),
        }),
    };
    private static readonly Option<int> Size = new("--size") { Description = "LDS kernel size (odd, at least 3).", DefaultValueFactory = _ => DslDefaults.KernelSize };
    private static readonly Option<double> Sigma = new("--sigma") { Description = "LDS kernel width.", DefaultValueFactory = _ => DslDefaults.KernelSigma };
    private static readonly Option<(double, double)?> Clip = new("--clip")
    {
        Description = "Clip per-bin counts to MIN,MAX first (the age recipe: 5,1000).",
        CustomParser = result => OptionParsing.Checked<(double, double)?>(result, text =>
        {
            var parts = text.Split(',');
            return parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lo)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var hi)
                ? (lo, hi) : throw new ArgumentException("--clip needs MIN,MAX, e.g. 5,1000.");
        }),
    };
    private static readonly Option<int> Many = new("--many") { Description = "Many-shot: more training samples than this.", DefaultValueFactory = _ => DslDefaults.ManyAbove };
    private static readonly Option<int> Few = new("--few") { Description = "Few-shot: fewer training samples than this.", DefaultValueFactory = _ => DslDefaults.FewBelow };
    private static readonly Option<string?> Metric = new("--metric") { Description = "compare: the metric, mse (default), mae or gm.", HelpName = "mse|mae|gm" };
    private static readonly Option<bool> Explicit = new("--explicit") { Description = "Report the explicit shot groups of [ShotGroups]." };

    /// <summary>The root command with inspect, weights and report.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("dirdsl: inspect a skewed target column, compute LDS weights, merge or compare results of DirDsl runs.");
        Option[] label = { Delimiter, NoQuoting, Trim, Columns, Bins, Min, Max, Integer, ReweightOption, KernelOption, Size, Sigma, Clip, Many, Few };
        var inspect = new Command("inspect", "Summary statistics, a per-bin table (count, LDS-effective density, shot group), suggested bins and kernel, and the density PNG.");
        inspect.Arguments.Add(File);
        foreach (var option in label.Append(Target).Append(Png)) inspect.Options.Add(option);
        var weights = new Command("weights", "Per-row LDS weights as CSV (row, target, bin, weight).");
        weights.Arguments.Add(File);
        foreach (var option in label.Append(Target).Append(Out)) weights.Options.Add(option);
        var report = new Command("report", "Merge results.json files of separate runs into one table (search points: selected on validation).");
        report.Arguments.Add(ResultFiles);
        report.Options.Add(Explicit);
        report.Options.Add(Out);
        var compare = new Command("compare", "Compare two runs (results.json of each, e.g. another machine or other seeds): per row and group, are the means consistent given their seeds?");
        compare.Arguments.Add(ResultFiles);
        compare.Options.Add(Explicit);
        compare.Options.Add(Metric);
        compare.Options.Add(Out);
        root.Subcommands.Add(inspect);
        root.Subcommands.Add(weights);
        root.Subcommands.Add(report);
        root.Subcommands.Add(compare);
        return root;
    }

    /// <summary>The options of the parsed command.</summary>
    /// <exception cref="DirDslTool.UsageException">The kernel size and sigma do not make a valid window.</exception>
    public static DirDslTool.Options Bind(ParseResult result)
    {
        if (result.CommandResult.Command.Name is "report" or "compare")
        {
            var report = new DirDslTool.Options { Out = result.GetValue(Out), Explicit = result.GetValue(Explicit), Metric = result.GetValue(Metric) ?? "mse" };
            report.Files.AddRange(result.GetValue(ResultFiles) ?? Array.Empty<string>());
            return report;
        }
        var o = new DirDslTool.Options
        {
            Target = result.GetValue(Target),
            Png = result.GetValue(Png),
            Out = result.GetValue(Out),
            Delimiter = result.GetValue(Delimiter)!,
            Trim = result.GetValue(Trim),
            Quoting = !result.GetValue(NoQuoting),
            Columns = result.GetValue(Columns)?.Split(','),
            BinCount = result.GetValue(Bins),
            Min = result.GetValue(Min),
            Max = result.GetValue(Max),
            Integer = result.GetValue(Integer),
            Reweight = result.GetValue(ReweightOption),
            Kernel = result.GetValue(KernelOption),
            Size = result.GetValue(Size),
            Sigma = result.GetValue(Sigma),
            Many = result.GetValue(Many),
            Few = result.GetValue(Few),
        };
        if (result.GetValue(Clip) is var (clipMin, clipMax)) (o.ClipMin, o.ClipMax) = (clipMin, clipMax);
        o.File = result.GetValue(File);
        if (o.File is not null) o.Files.Add(o.File);
        if (DslRules.KernelProblem(o.Size, o.Sigma) is { } problem) throw new DirDslTool.UsageException(problem + ".");
        return o;
    }
}
