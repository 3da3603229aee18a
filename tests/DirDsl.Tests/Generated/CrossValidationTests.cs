using System.Globalization;
using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>[CrossValidation]: folds that partition the records by label bin, a run per fold, means and intervals over folds.</summary>
public sealed class CrossValidationTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-cv").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void Folds_PartitionThePooledRecords_StratifiedByBin()
    {
        var splits = TinyData.Splits(7);
        var bins = LabelBins.Uniform(0, 10, 10);
        var folds = CrossValidation.Split(splits, r => (float)r.Y, bins, 4, seed: 3);
        var all = splits.Train.Concat(splits.Validation).Concat(splits.Test).ToList();
        // Each record is tested exactly once; fold f validates on the fold that fold f + 1 tests; train is the rest.
        Assert.Equal(all.Count, folds.Sum(f => f.Test.Count));
        Assert.Equal(all.OrderBy(r => r.X), folds.SelectMany(f => f.Test).OrderBy(r => r.X));
        for (int f = 0; f < 4; f++)
        {
            Assert.Equal(folds[(f + 1) % 4].Test, folds[f].Validation);
            Assert.Equal(all.Count, folds[f].Train.Count + folds[f].Validation.Count + folds[f].Test.Count);
            Assert.Empty(folds[f].Train.Intersect(folds[f].Test));
        }
        // Stratified: in every bin the folds' test counts differ by at most one (the bins are dealt in turn).
        foreach (var bin in all.GroupBy(r => bins.BinOf((float)r.Y)))
        {
            var perFold = folds.Select(f => f.Test.Count(r => bins.BinOf((float)r.Y) == bin.Key)).ToList();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"bin {bin.Key}: {string.Join(", ", perFold)}");
        }
        // The same seed deals the same folds; another seed others.
        Assert.Equal(folds[0].Test, CrossValidation.Split(splits, r => (float)r.Y, bins, 4, seed: 3)[0].Test);
        Assert.NotEqual(folds[0].Test, CrossValidation.Split(splits, r => (float)r.Y, bins, 4, seed: 4)[0].Test);
        Assert.Contains("at least 3 folds", Assert.Throws<ArgumentException>(() => CrossValidation.Split(splits, r => (float)r.Y, bins, 2, 0)).Message);
    }

    [Fact]
    public void Run_TrainsEveryFold_AndReportsMeansAndIntervalsOverFolds()
    {
        var log = new StringWriter();
        var result = CrossValidatedExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = log });
        Assert.Equal(3, result.FoldCount);
        Assert.Contains("3-fold cross-validation of 360 records", log.ToString());
        Assert.Contains("CrossValidatedExperiment fold 2/3: 120 train / 120 validation / 120 test records", log.ToString());
        var folder = Path.Combine(output, "CrossValidatedExperiment");
        foreach (var fold in new[] { "fold-1", "fold-2", "fold-3" })
            Assert.True(File.Exists(Path.Combine(folder, fold, "results.json")), fold);
        Assert.Equal(new[] { 1, 2, 3 }, result.Variants.Where(v => v.Variant == "LDS").Select(v => v.Fold!.Value));

        // The LDS row's overall MSE: mean over the folds and the 95% t-interval (t = 4.303 for 2 degrees of freedom).
        var mse = result.Variants.Where(v => v.Variant == "LDS").Select(v => v.Test.Overall.Mse).ToArray();
        double mean = mse.Average();
        double sd = Math.Sqrt(mse.Sum(x => (x - mean) * (x - mean)) / 2);
        string cell = $"{ResultWriter.Format(mean)} +- {ResultWriter.Format(4.303 * sd / Math.Sqrt(3))}";
        var table = File.ReadAllText(Path.Combine(folder, CrossValidation.ReportFile));
        var ldsLine = table.Split('\n').First(l => l.StartsWith("| LDS |", StringComparison.Ordinal));
        Assert.StartsWith($"| LDS | {cell} |", ldsLine);
        Assert.Contains("| Mean |", table);
        Assert.Contains("Test records per group, over all folds: All 360", table);
    }
}
