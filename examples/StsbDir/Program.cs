// STS-B-DIR: the label distribution the paper's ablation trains on, its LDS-smoothed
// effective density (Inverse re-weighting, Gaussian ks 5 sigma 2, as the STS-B-DIR recipe)
// and the shot groups per bin. The training ablation builds on this (see the README).
using System.Globalization;
using DirDsl;

var root = args.Length > 0 ? args[0] : FindDataFolder();
var train = TabularFile.Read(Path.Combine(root, "train_new.tsv"), '\t', quoting: false);
var scores = train.Floats("score");
var bins = LabelBins.Uniform(0, 5, 50);
var counts = bins.Counts(scores);
var effective = LabelDistribution.EffectiveDensity(counts, Reweight.Inverse, new LdsOptions(Kernel.Gaussian, 5, 2));
var groups = ShotGroups.FromCounts(counts);

Console.WriteLine($"STS-B-DIR training scores: {scores.Length} pairs, {bins}");
Console.WriteLine("bin  range        count  LDS-effective  group");
for (int j = 0; j < bins.Count; j++)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{j,3}  [{bins.LowerEdge(j),3:0.0}, {bins.LowerEdge(j) + 0.1,3:0.0})  {counts[j],5}  {effective[j],13:0.00}  {groups.GroupOf(j)}{(groups.IsZeroShot(j) ? " (zero)" : "")}"));
}
Console.WriteLine($"many / medium / few bins: {Enumerable.Range(0, 50).Count(j => groups.GroupOf(j) == ShotGroup.Many)} / "
    + $"{Enumerable.Range(0, 50).Count(j => groups.GroupOf(j) == ShotGroup.Medium)} / {Enumerable.Range(0, 50).Count(j => groups.GroupOf(j) == ShotGroup.Few)}");

static string FindDataFolder()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "data", "sts-b-dir");
        if (File.Exists(Path.Combine(candidate, "train_new.tsv"))) return candidate;
    }
    throw new DirectoryNotFoundException("data/sts-b-dir not found above " + AppContext.BaseDirectory + "; pass the folder as the first argument.");
}
