using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>Generated SMOTER / SMOGN rows and hyperparameter search, run for real on tiny data.</summary>
public sealed class ResamplingAndSearchTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-search").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void FeatureMap_LayoutMarksTheCategoryBlock()
    {
        // TinyRecord: X (number), Band (string: low / high, one-hot), Wave (float[2]).
        var map = new ResamplingExperiment.FeatureMap();
        map.Fit(TinyData.Splits(7).Train);
        var layout = ((IFeatureMap<TinyRecord>)map).Layout;
        Assert.Equal(map.Width, layout.Width);
        Assert.Equal(new[] { (1, 2) }, layout.Categories);
        Assert.Equal(new[] { 0, 3, 4 }, layout.NumericColumns);
    }

    [Fact]
    public void Resampling_TrainsOnMoreBalancedRecords_AndLeavesValidationAndTestAlone()
    {
        var log = new StringWriter();
        var result = ResamplingExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = log, NoBaselines = true });
        Assert.Equal(new[] { "Vanilla", "SMOTER", "SMOGN" }, result.VariantNames);
        Assert.Contains("SMOTER (seed 7): 240 training records resampled to", log.ToString());
        Assert.Contains("SMOGN (seed 7): 240 training records resampled to", log.ToString());
        // Every row is evaluated on the same 60 test records.
        Assert.All(result.Variants, v => Assert.Equal(60, v.TestPredictions.Length));
        Assert.NotEqual(result.Variants[0].TestPredictions, result.Variants[1].TestPredictions);

        // The resampled split: the thinnest training bin grows relative to the fullest (balance strategy).
        var splits = TinyData.Splits(7);
        var map = new ResamplingExperiment.FeatureMap();
        map.Fit(splits.Train);
        using var train = DirDataset.Build(map, splits.Train, "train", ResamplingExperiment.Configuration.Bins, 1, CPU);
        var smogn = ResamplingExperiment.Configuration.Variants.Single(v => v.Name == "SMOGN");
        using var resampled = VariantRecords.For(train, smogn, ResamplingExperiment.Configuration.Bins, 1, 7, TextWriter.Null)!;
        double Ratio(float[] targets)
        {
            var counts = ResamplingExperiment.Configuration.Bins.Counts(targets).Where(c => c > 0).ToArray();
            return (double)counts.Min() / counts.Max();
        }
        Assert.True(Ratio(resampled.Targets) > Ratio(train.Targets), $"{Ratio(resampled.Targets)} vs {Ratio(train.Targets)}");
    }

    [Fact]
    public void SearchOfTheTraining_TrainsEachPointWithItsOwnSettings_AndSelectsOnValidation()
    {
        var log = new StringWriter();
        var result = TrainingSearchExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = log, Search = true, Verbose = true });
        Assert.Equal(16, result.Variants.Count);
        var point = result.Variants.Single(v => v.Variant == "Vanilla@lr=0.001,wd=0.0001,epochs=3,batch=16");
        // Its own epochs (the experiment declares 2), its own learning rate in every epoch, its own batch size (240 / 16 steps).
        Assert.Equal(3, point.EpochsRun);
        Assert.All(point.History, h => Assert.Equal(1e-3, h.LearningRate));
        Assert.Equal(1, result.Variants.Single(v => v.Variant == "Vanilla@lr=0.01,wd=0,epochs=1,batch=64").EpochsRun);
        // The same point trained on its own (--variant NAME) gives the same numbers: the point carries its settings.
        var alone = new RunOptions { OutputFolder = Path.Combine(output, "alone"), Device = "cpu", Log = TextWriter.Null, Variants = { point.Variant } };
        Assert.Equal(point.TestPredictions, TrainingSearchExperiment.Run(alone).Variants.Single().TestPredictions);
        // A different batch size is a different training: its predictions differ from the point that differs only there.
        Assert.NotEqual(point.TestPredictions, result.Variants.Single(v => v.Variant == "Vanilla@lr=0.001,wd=0.0001,epochs=3,batch=64").TestPredictions);
        // Selection looks at validation only.
        var best = result.Variants.MinBy(v => v.Validation.Overall.Mse)!;
        Assert.Contains($"| {best.Variant} |", ResultWriter.SearchSection(result).Split('\n').Single(line => line.EndsWith("| selected |", StringComparison.Ordinal)));
    }

    [Fact]
    public void Search_RunsEveryPoint_AndSelectsTheLowestValidationMse()
    {
        var options = new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null, Search = true };
        var result = SearchExperiment.Run(options);
        Assert.Equal(8, result.Variants.Count);
        Assert.All(result.Variants, v => Assert.Equal("LDS+FDS", v.SearchOf));
        // A point's bins size its FDS statistics.
        Assert.Equal(20, result.Variants.Single(v => v.Variant == "LDS+FDS@size=5,momentum=0.9,bins=20").Fds!.RunningMean.Length);
        Assert.Equal(10, result.Variants.Single(v => v.Variant == "LDS+FDS@size=3,momentum=0.5,bins=10").Fds!.RunningMean.Length);
        var best = result.Variants.MinBy(v => v.Validation.Overall.Mse)!;
        var section = ResultWriter.SearchSection(result);
        Assert.Contains($"| {best.Variant} | {ResultWriter.Format(best.Validation.Overall.Mse)} |", section);
        Assert.Single(section.Split('\n'), line => line.EndsWith("| selected |", StringComparison.Ordinal));
        Assert.Contains($"| {best.Variant} |", section.Split('\n').Single(line => line.EndsWith("| selected |", StringComparison.Ordinal)));
        Assert.Contains("searchOf", File.ReadAllText(Path.Combine(output, "SearchExperiment", "results.json")));
    }

    [Fact]
    public void List_PrintsRowsThenSearchPoints()
    {
        var log = new StringWriter();
        var entry = new ExperimentEntry("SearchExperiment", SearchExperiment.Run, SearchExperiment.Configuration.Variants, SearchExperiment.Configuration.SearchVariants);
        Assert.Equal(0, DirDsl.Hosting.DirCommandLine.Run(new[] { "--list" }, new[] { entry }, log));
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(9, lines.Length);
        Assert.Equal("LDS+FDS", lines[0]);
        Assert.Equal("LDS+FDS@size=3,momentum=0.5,bins=10", lines[1]);
        Assert.Equal("LDS+FDS@size=5,momentum=0.9,bins=20", lines[8]);
    }
}
