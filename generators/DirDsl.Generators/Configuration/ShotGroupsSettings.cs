using System.Collections.Generic;
using System.Linq;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;
using static DirDsl.Generators.Parsing.ExperimentValidator;

namespace DirDsl.Generators.Configuration;

/// <summary>
/// [ShotGroups(ManyAbove, FewBelow)] or [ShotGroups(Many = ..., Medium = ..., Few = ...)]: how test bins are grouped by
/// their training counts, by thresholds (the paper's 100 / 20) or by explicit lists that cover every bin once.
/// </summary>
internal static class ShotGroupsSettings
{
    public const string AttributeName = AttributeNames.ShotGroups;
    private const string Attribute = "ShotGroups";

    public static void Read(ExperimentParser.ArgumentReader args, ExperimentDraft draft)
    {
        draft.ManyAbove = args.Named("ManyAbove", DslDefaults.ManyAbove);
        draft.FewBelow = args.Named("FewBelow", DslDefaults.FewBelow);
        draft.ShotMany = args.NamedArray("Many");
        draft.ShotMedium = args.NamedArray("Medium");
        draft.ShotFew = args.NamedArray("Few");
    }

    public static void Check(ExperimentDraft d, List<Problem> problems)
    {
        CheckLists(d, problems);
        if (!DslRules.IsValidShotThresholds(d.ManyAbove, d.FewBelow))
            problems.Add(Problem.OnArgument(DiagnosticIds.ShotThresholds, Attribute, d.FewBelow.IsExplicit || !d.ManyAbove.IsExplicit ? "FewBelow" : "ManyAbove",
                Text(d.FewBelow), Text(d.ManyAbove + 1)));
    }

    /// <summary>Explicit lists: each bin of the label space in exactly one group.</summary>
    private static void CheckLists(ExperimentDraft d, List<Problem> problems)
    {
        var lists = new[] { ("Many", d.ShotMany), ("Medium", d.ShotMedium), ("Few", d.ShotFew) };
        if (lists.All(l => l.Item2 is null) || !d.HasBins || d.BinCount < 1) return;
        var owner = new Dictionary<int, string>();
        var outOfRange = new List<int>();
        foreach (var (name, bins) in lists)
        {
            foreach (var bin in bins ?? new int[0])
            {
                if (bin < 0 || bin >= d.BinCount) outOfRange.Add(bin);
                else if (owner.TryGetValue(bin, out var first))
                {
                    problems.Add(Problem.OnArgument(DiagnosticIds.ShotOverlap, Attribute, name, Text(bin), first, name));
                    return;
                }
                else owner[bin] = name;
            }
        }
        var missing = Enumerable.Range(0, d.BinCount).Where(b => !owner.ContainsKey(b)).ToList();
        if (outOfRange.Count > 0 || missing.Count > 0)
        {
            var what = outOfRange.Count > 0
                ? $"bins {string.Join(", ", outOfRange)} are outside the label space"
                : $"missing: {string.Join(", ", missing.Take(12))}{(missing.Count > 12 ? ", ..." : "")}";
            var argument = lists.LastOrDefault(l => l.Item2 is not null).Item1;
            problems.Add(Problem.OnArgument(DiagnosticIds.ShotGaps, Attribute, argument, Text(d.BinCount - 1), what));
        }
    }

    public static ShotGroupsModel Build(ExperimentDraft d) =>
        new(d.ManyAbove, d.FewBelow, d.ShotMany?.ToEquatableArray(), d.ShotMedium?.ToEquatableArray(), d.ShotFew?.ToEquatableArray());

    /// <summary>The groups from the training counts (thresholds) and the explicit groups, or null.</summary>
    public static void Emit(SourceWriter w, ShotGroupsModel shots)
    {
        w.Line("/// <summary>Shot groups from the training counts.</summary>");
        w.Line($"public static global::DirDsl.ShotGroups ShotGroupsFor(global::System.Collections.Generic.IReadOnlyList<int> trainCounts) => global::DirDsl.ShotGroups.FromCounts(trainCounts, manyAbove: {Literal(shots.ManyAbove)}, fewBelow: {Literal(shots.FewBelow)});");
        w.Line();
        w.Line("/// <summary>The explicit shot groups of [ShotGroups], or null when none are given.</summary>");
        if (shots.IsExplicit)
        {
            string List(EquatableArray<int>? bins) => bins is null ? "global::System.Array.Empty<int>()" : $"new[] {{ {string.Join(", ", bins.Value.Select(Literal))} }}";
            w.Line("public static global::DirDsl.ShotGroups? ExplicitShotGroupsFor(global::System.Collections.Generic.IReadOnlyList<int> trainCounts) =>");
            w.Line($"    global::DirDsl.ShotGroups.Explicit(trainCounts, many: {List(shots.Many)}, medium: {List(shots.Medium)}, few: {List(shots.Few)});");
        }
        else
        {
            w.Line("public static global::DirDsl.ShotGroups? ExplicitShotGroupsFor(global::System.Collections.Generic.IReadOnlyList<int> trainCounts) => null;");
        }
    }
}
