namespace DirDsl;

/// <summary>The shot group of a label bin, from its number of training samples.</summary>
public enum ShotGroup
{
    /// <summary>More than the many-shot threshold (default 100) training samples.</summary>
    Many,
    /// <summary>Between the thresholds.</summary>
    Medium,
    /// <summary>Fewer than the few-shot threshold (default 20), zero included.</summary>
    Few,
}

/// <summary>
/// Which label bins are many-, medium- and few-shot, and which had no training sample
/// (zero-shot, reported as its own row and also counted in few-shot as the reference does).
/// Built from training counts with thresholds, or given explicitly (to match a paper's table).
/// </summary>
public sealed class ShotGroups
{
    private readonly ShotGroup[] groups;
    private readonly bool[] zero;

    private ShotGroups(ShotGroup[] groups, bool[] zero, bool isExplicit)
    {
        this.groups = groups;
        this.zero = zero;
        IsExplicit = isExplicit;
    }

    /// <summary>Many: count &gt; <paramref name="manyAbove"/>; few: count &lt; <paramref name="fewBelow"/>; medium otherwise.</summary>
    public static ShotGroups FromCounts(IReadOnlyList<int> trainCounts, int manyAbove = DslDefaults.ManyAbove, int fewBelow = DslDefaults.FewBelow)
    {
        if (!DslRules.IsValidShotThresholds(manyAbove, fewBelow))
            throw new ArgumentOutOfRangeException(nameof(manyAbove), $"Shot thresholds need 0 <= fewBelow <= manyAbove + 1, got many > {manyAbove}, few < {fewBelow}.");
        var groups = trainCounts.Select(c => c > manyAbove ? ShotGroup.Many : c < fewBelow ? ShotGroup.Few : ShotGroup.Medium).ToArray();
        return new ShotGroups(groups, trainCounts.Select(c => c == 0).ToArray(), false) { ManyAbove = manyAbove, FewBelow = fewBelow };
    }

    /// <summary>
    /// Explicit bin lists, e.g. the STS-B-DIR paper's. Every bin must be in exactly one list.
    /// Zero-shot bins still come from <paramref name="trainCounts"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A bin in two lists, a bin in none, or an index outside the bins.</exception>
    public static ShotGroups Explicit(IReadOnlyList<int> trainCounts, IEnumerable<int> many, IEnumerable<int> medium, IEnumerable<int> few)
    {
        int count = trainCounts.Count;
        var assigned = new ShotGroup?[count];
        void Assign(IEnumerable<int> bins, ShotGroup group)
        {
            foreach (var bin in bins)
            {
                if (bin < 0 || bin >= count) throw new ArgumentException($"Shot group {group} names bin {bin}, outside 0..{count - 1}.");
                if (assigned[bin] is { } other) throw new ArgumentException($"Bin {bin} is in both the {other} and the {group} shot groups.");
                assigned[bin] = group;
            }
        }
        Assign(many, ShotGroup.Many);
        Assign(medium, ShotGroup.Medium);
        Assign(few, ShotGroup.Few);
        var missing = Enumerable.Range(0, count).Where(b => assigned[b] is null).ToArray();
        if (missing.Length > 0) throw new ArgumentException($"Explicit shot groups leave bins out: {string.Join(", ", missing)}.");
        return new ShotGroups(assigned.Select(g => g!.Value).ToArray(), trainCounts.Select(c => c == 0).ToArray(), true);
    }

    /// <summary>The many-shot threshold (more training samples than this), or null for explicit groups.</summary>
    public int? ManyAbove { get; private init; }

    /// <summary>The few-shot threshold (fewer training samples than this), or null for explicit groups.</summary>
    public int? FewBelow { get; private init; }

    /// <summary>
    /// What the groups of a table are: per group its rule, its bins as label ranges (noting when a group spans both
    /// tails), and how many test records it holds, as a Markdown table.
    /// </summary>
    /// <remarks>For a map target the rule counts training pixels in maps' worth (<see cref="ShotCounts"/>) and the last column pixels.</remarks>
    public string Legend(LabelBins bins, float[] testTargets, TargetShape? shape = null)
    {
        var testPerBin = bins.Counts(testTargets);
        var text = new System.Text.StringBuilder();
        bool map = shape?.Kind == TargetKind.Map;
        text.AppendLine(map && !IsExplicit
            ? "| group | rule (training pixels per bin, in maps' worth) | bins | labels | test pixels |"
            : map ? "| group | rule | bins | labels | test pixels |" : "| group | rule (training samples per bin) | bins | labels | test records |");
        text.AppendLine("|---|---|---:|---|---:|");
        void Row(string name, string rule, Func<int, bool> member)
        {
            var members = Enumerable.Range(0, Count).Where(member).ToList();
            var runs = Runs(members);
            bool bothTails = runs.Count > 1 && runs[0].First == 0 && runs[^1].Last == Count - 1;
            string labels = members.Count == 0 ? "–" : string.Join(", ", runs.Select(r => Range(bins, r.First, r.Last))) + (bothTails ? " (both tails)" : "");
            text.AppendLine(System.FormattableString.Invariant($"| {name} | {rule} | {members.Count} | {labels} | {members.Sum(b => testPerBin[b])} |"));
        }
        Row("Many", ManyAbove is { } many ? $"> {many}" : "listed", b => groups[b] == ShotGroup.Many);
        Row("Medium", ManyAbove is { } m && FewBelow is { } f ? $"{f} to {m}" : "listed", b => groups[b] == ShotGroup.Medium);
        Row("Few", FewBelow is { } few ? $"< {few} (zero included)" : "listed", b => groups[b] == ShotGroup.Few);
        Row("Zero", "0", b => zero[b]);
        return text.ToString();
    }

    /// <summary>Consecutive runs of bin indices.</summary>
    private static List<(int First, int Last)> Runs(List<int> members)
    {
        var runs = new List<(int First, int Last)>();
        foreach (var bin in members)
        {
            if (runs.Count > 0 && runs[^1].Last == bin - 1) runs[^1] = (runs[^1].First, bin);
            else runs.Add((bin, bin));
        }
        return runs;
    }

    /// <summary>The labels of bins first..last: whole numbers for integer bins, else [lower, upper).</summary>
    private static string Range(LabelBins bins, int first, int last)
    {
        double width = (bins.Max - bins.Min) / bins.Count;
        string Number(double value) => value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
        if (bins.IsInteger)
            return first == last ? Number(bins.Min + first) : $"{Number(bins.Min + first)}-{Number(bins.Min + last)}";
        return $"[{Number(bins.Min + width * first)}, {Number(bins.Min + width * (last + 1))})";
    }

    /// <summary>True when the groups were given explicitly.</summary>
    public bool IsExplicit { get; }

    /// <summary>Number of bins.</summary>
    public int Count => groups.Length;

    /// <summary>The group of a bin.</summary>
    public ShotGroup GroupOf(int bin) => groups[bin];

    /// <summary>Whether a bin had no training sample.</summary>
    public bool IsZeroShot(int bin) => zero[bin];
}

/// <summary>The training counts shot groups are formed from, for every target shape: the one rule the trainer uses.</summary>
public static class ShotCounts
{
    /// <summary>
    /// A bin's count as the shot thresholds read it. For a scalar or vector target, its samples (target elements). For a map
    /// target, its training pixels in maps' worth, rounded up (ceil(pixels / pixels per map)): [ShotGroups]' thresholds (more
    /// than 100, fewer than 20) then mean about as many maps' worth of pixels as they mean records for a scalar target, and
    /// a bin with any pixel is not zero-shot.
    /// </summary>
    public static int[] For(TargetShape shape, IReadOnlyList<int> trainCounts) => shape.Kind != TargetKind.Map
        ? trainCounts.ToArray()
        : trainCounts.Select(c => (int)(((long)c + shape.Elements - 1) / shape.Elements)).ToArray();
}
