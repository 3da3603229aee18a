using System.Collections.Generic;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;
using static DirDsl.Generators.Parsing.ExperimentValidator;

namespace DirDsl.Generators.Configuration;

/// <summary>[LabelBins(Min, Max, Count, Integer)]: the label space every per-bin method and the shot groups use.</summary>
internal static class LabelBinsSettings
{
    public const string AttributeName = AttributeNames.LabelBins;
    private const string Attribute = "LabelBins";

    /// <summary>More label bins than this draws DIR104: far more than the paper's 100 (ages) or 50 (STS-B scores).</summary>
    public const int MaxSensibleBins = 10_000;

    public static void Read(ExperimentParser.ArgumentReader args, ExperimentDraft draft)
    {
        draft.HasBins = true;
        draft.BinMin = args.Named("Min", 0.0);
        draft.BinMax = args.Named("Max", 0.0);
        draft.BinCount = args.Named("Count", 0);
        draft.IntegerBins = args.Named("Integer", false);
        draft.BinRule = args.NamedEnum("Rule", DslDefaults.BinRule);
    }

    public static void Check(ExperimentDraft d, List<Problem> problems)
    {
        if (!d.HasBins)
        {
            problems.Add(Problem.OnClass(DiagnosticIds.NoBins, d.ClassName));
            return;
        }
        if (d.BinCount < 1) problems.Add(Problem.OnArgument(DiagnosticIds.BinsCount, Attribute, "Count", Text(d.BinCount)));
        if (!(d.BinMax > d.BinMin) || double.IsInfinity(d.BinMax) || double.IsInfinity(d.BinMin))
            problems.Add(Problem.OnArgument(DiagnosticIds.BinsRange, Attribute, "Max", Text(d.BinMax), Text(d.BinMin)));
        else if (d.IntegerBins && d.BinCount >= 1 && (d.BinMin != System.Math.Floor(d.BinMin) || d.BinMax != d.BinMin + d.BinCount))
            problems.Add(Problem.OnArgument(DiagnosticIds.IntegerBins, Attribute, "Integer", Text(d.BinMin), Text(d.BinMax), Text(d.BinCount)));
        // More bins than any data set fills: most are empty and every per-bin method degenerates.
        if (d.BinCount > MaxSensibleBins)
            problems.Add(Problem.OnArgument(DiagnosticIds.ManyBins, Attribute, "Count", Text(d.BinCount), Text(d.BinMin), Text(d.BinMax)));
    }

    public static BinsModel Build(ExperimentDraft d) => new(d.BinMin, d.BinMax, d.BinCount, d.IntegerBins, d.BinRule);

    /// <summary>The bounds and count as constants of <c>Configuration</c>.</summary>
    public static void EmitConstants(SourceWriter w, BinsModel bins)
    {
        w.Line($"/// <summary>Number of label bins.</summary>");
        w.Line($"public const int BinCount = {Literal(bins.Count)};");
        w.Line($"/// <summary>Lower bound of the label space.</summary>");
        w.Line($"public const double BinMin = {Literal(bins.Min)};");
        w.Line($"/// <summary>Upper bound of the label space.</summary>");
        w.Line($"public const double BinMax = {Literal(bins.Max)};");
    }

    /// <summary>The runtime's label space, built from the constants.</summary>
    public static void EmitBins(SourceWriter w, BinsModel bins)
    {
        w.Line("/// <summary>The label space.</summary>");
        w.Line(bins.Integer
            ? $"public static global::DirDsl.LabelBins Bins {{ get; }} = global::DirDsl.LabelBins.Integer(count: BinCount, start: {Literal((int)bins.Min)});"
            : $"public static global::DirDsl.LabelBins Bins {{ get; }} = global::DirDsl.LabelBins.Uniform(min: BinMin, max: BinMax, count: BinCount{(bins.Rule == DslDefaults.BinRule ? "" : ", rule: " + ExperimentFile.Enum(bins.Rule))});");
    }
}
