using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>[Ablation(Seeds = 3)] with DenseWeight and Balanced MSE, trained through the generated loop.</summary>
public sealed class MultiSeedTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-seeds").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void Figures_SayWhichSeedTheyShow_AndTickWholeEpochs_AndTheJsonCountsEpochsAsTheLogDoes()
    {
        var log = new StringWriter();
        var options = new RunOptions { OutputFolder = output, Device = "cpu", Log = log, Seeds = 2, Epochs = 3, Variants = { "Vanilla", "LDS" } };
        var result = TinyExperiment.Run(options);
        // FigureWriter draws the first seed's trainings and says so.
        var first = result with { Variants = result.Variants.Where(v => v.Seed == 7).ToList() };
        var plot = DirDsl.Figures.Plots.LearningCurvesPlot(first, seedsInRun: result.Seeds.Count);
        Assert.Equal("TinyExperiment: validation MSE per epoch, seed 7 (the first of 2 seeds; the tables pool them)", plot.Axes.Title.Label.Text);
        plot.GetImage(400, 300).Dispose();
        var ticks = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Position).ToList();
        Assert.NotEmpty(ticks);
        Assert.All(ticks, position => Assert.Equal(Math.Round(position), position));
        // The log's "best epoch N" is results.json's bestEpoch: both count the first epoch as 1.
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "TinyExperiment", "results.json"))).RootElement;
        Assert.Equal(1, json.GetProperty("epochsCountedFrom").GetInt32());
        foreach (var variant in json.GetProperty("variants").EnumerateArray())
        {
            int best = variant.GetProperty("bestEpoch").GetInt32();
            Assert.InRange(best, 1, 3);
            Assert.Contains($"{variant.GetProperty("variant").GetString()} seed {variant.GetProperty("seed").GetInt32()}: 3 epochs in ", log.ToString());
            Assert.Contains(log.ToString().Split('\n'), l => l.StartsWith($"{variant.GetProperty("variant").GetString()} seed {variant.GetProperty("seed").GetInt32()}: ", StringComparison.Ordinal)
                && l.Contains($"(best epoch {best})", StringComparison.Ordinal));
            Assert.Equal(new[] { 1, 2, 3 }, variant.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("epoch").GetInt32()));
        }
        // Read back, epochs are the run's own (0-based inside), for files of this version and older ones alike.
        Assert.Equal(result.Variants.Select(v => v.BestEpoch), ResultReader.Read(Path.Combine(output, "TinyExperiment", "results.json")).Select(v => v.BestEpoch));
    }

    [Fact]
    public void MissingCategories_AreLoggedWithTheirCounts_AndKeptAsCategories()
    {
        var log = new StringWriter();
        var result = CategoryGapExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = log });
        Assert.Contains("'Group': 40 of 240 training values look missing ('?' x 30, null x 10); each is kept as a category of its own", log.ToString());
        // Four categories (low, high, ?, the empty one of null) in the one-hot code: the input is X, 4 columns, Extra's 2.
        Assert.Contains("input width 7", log.ToString());
        Assert.True(double.IsFinite(result.Variants.Single().Test.Overall.Mae));
        // A category without gaps says nothing.
        var clean = new StringWriter();
        TinyExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = clean, Variants = { "Vanilla" } });
        Assert.DoesNotContain("look missing", clean.ToString());
    }

    [Fact]
    public void SplitSeed_KeepsTheRecords_WhileTheRunSeedChanges()
    {
        string TrainHash(int? seed, int? splitSeed, TextWriter? log = null)
        {
            var options = new RunOptions { OutputFolder = Path.Combine(output, $"{seed}-{splitSeed}"), Device = "cpu", Log = log ?? TextWriter.Null, Seed = seed, SplitSeed = splitSeed };
            var result = SplitSeedExperiment.Run(options);
            Assert.Equal((splitSeed ?? seed ?? 7).ToString(System.Globalization.CultureInfo.InvariantCulture), result.Variants[0].Fingerprint!["split seed"]);
            return result.Variants[0].Fingerprint!["train data"];
        }
        var log = new StringWriter();
        string declared = TrainHash(null, null);
        // Another run seed draws another split by default (the seed is the split's), and the declared one with --split-seed 7.
        Assert.NotEqual(declared, TrainHash(3, null));
        Assert.Equal(declared, TrainHash(3, 7, log));
        Assert.Contains("split seed 7", log.ToString());
        Assert.Equal(7, DirDsl.Hosting.DirCommandLine.Parse(new[] { "--seed", "3", "--split-seed", "7" }).SplitSeed);
        Assert.Equal(new DataContext(seed: 4).Seed, new DataContext(seed: 4).SplitSeed);
    }

    [Fact]
    public void Rrt_KeepsTheStageOneEncoder_AndRetrainsOnlyTheRegressor()
    {
        var options = new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null };
        var result = RrtExperiment.Run(options);
        Assert.Equal(new[] { "LDS", "RRT" }, result.VariantNames);
        var rrt = result.Variants.Single(v => v.Variant == "RRT");
        Assert.Equal(3, rrt.EpochsRun);                       // the second stage's epochs

        var map = new RrtExperiment.FeatureMap();
        map.Fit(TinyData.Splits(7).Train);
        Dictionary<string, float[]> Weights(string path)
        {
            using var model = new RrtExperiment.Model(ModelContext.Plain(map.Width, RrtExperiment.Configuration.Bins));
            CheckpointStore.LoadWeightsExcept(path, model, "no-such-prefix");
            return model.state_dict().ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());
        }
        var stageOne = Weights(Path.Combine(output, "RrtExperiment", "rrt", "rrt-stage1", "seed-7", "best.ckpt"));
        var stageTwo = Weights(Path.Combine(output, "RrtExperiment", "rrt", "seed-7", "best.ckpt"));
        foreach (var key in stageOne.Keys.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal)))
            Assert.Equal(stageOne[key], stageTwo[key]);       // frozen: bit for bit
        Assert.NotEqual(stageOne["regressor.weight"], stageTwo["regressor.weight"]);
        Assert.NotEqual(result.Variants.Single(v => v.Variant == "LDS").TestPredictions, rrt.TestPredictions);
    }

    [Fact]
    public void ThreeSeeds_EveryRow_MeansAndIntervalsAsComputedIndependently()
    {
        var result = MethodsExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null, NoBaselines = true });
        Assert.Equal(new[] { 7, 8, 9 }, result.Seeds);
        Assert.Equal(new[] { "Vanilla", "SqrtInverse", "LDS", "DenseWeight", "BMSE-BMC" }, result.VariantNames);
        Assert.Equal(15, result.Variants.Count);

        // DenseWeight trains with DenseWeight's weights, so it differs from Vanilla on the same seed.
        var vanilla = result.Variants.Single(v => v.Variant == "Vanilla" && v.Seed == 7);
        Assert.NotEqual(vanilla.TestPredictions, result.Variants.Single(v => v.Variant == "DenseWeight" && v.Seed == 7).TestPredictions);
        Assert.NotEqual(vanilla.TestPredictions, result.Variants.Single(v => v.Variant == "BMSE-BMC" && v.Seed == 7).TestPredictions);
        // Different seeds, different initial weights.
        Assert.NotEqual(vanilla.TestPredictions, result.Variants.Single(v => v.Variant == "Vanilla" && v.Seed == 8).TestPredictions);

        // A cell of the table: mean and half-width of the three seeds' overall MSE, by hand.
        var mses = result.Variants.Where(v => v.Variant == "LDS").Select(v => v.Test.Overall.Mse).ToArray();
        double mean = mses.Average();
        double sd = Math.Sqrt(mses.Sum(m => (m - mean) * (m - mean)) / 2);
        var cell = SeedStatistics.Cell(result, "LDS", r => r.Overall, m => m.Mse, explicitGroups: false);
        Assert.Equal(mean, cell.Mean, 12);
        Assert.Equal(4.303 * sd / Math.Sqrt(3), cell.HalfWidth, 12);
        var table = ResultWriter.Table(result, explicitGroups: false);
        Assert.Contains($"| LDS | {ResultWriter.Format(cell.Mean)} +- {ResultWriter.Format(cell.HalfWidth)}", table);
        Assert.Contains("over 3 seeds (7, 8, 9)", table);
        Assert.True(File.Exists(Path.Combine(output, "MethodsExperiment", "bmse-bmc", "seed-9", "last.ckpt")));

        // The noise scale is trained: it moved from its initial 1.0, and only Balanced MSE rows report one.
        Assert.All(result.Variants.Where(v => v.Variant == "BMSE-BMC"), v => Assert.True(v.NoiseSigma is > 0 and not 1.0, $"sigma {v.NoiseSigma}"));
        Assert.All(result.Variants.Where(v => v.Variant != "BMSE-BMC"), v => Assert.Null(v.NoiseSigma));
        var stored = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "MethodsExperiment", "results.json")))
            .RootElement.GetProperty("variants").EnumerateArray().ToArray();
        for (int i = 0; i < stored.Length; i++)
        {
            var sigma = stored[i].GetProperty("noiseSigma");
            if (result.Variants[i].NoiseSigma is { } expected) Assert.Equal(expected, sigma.GetDouble(), 12);
            else Assert.Equal(System.Text.Json.JsonValueKind.Null, sigma.ValueKind);
        }
    }
}
