using System.Text.Json;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>
/// Compile-and-run: TinyExperiment is compiled by the real build with the generator as an analyzer;
/// these tests train it and check the results against independent computations.
/// </summary>
public sealed class GeneratedExperimentTests : IDisposable
{
    private readonly string output = Path.Combine(Path.GetTempPath(), $"dirdsl-tiny-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
    }

    private static int InputWidth()
    {
        var map = new TinyExperiment.FeatureMap();
        map.Fit(TinyData.Splits(7).Train);
        return map.Width;
    }

    private RunOptions Options(params string[] variants)
    {
        var options = new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.Zero };
        options.Variants.AddRange(variants);
        return options;
    }

    [Fact]
    public void Ablation_TrainsEveryVariant_AndReportsWhatTheRuntimeComputes()
    {
        // The trained rows alone (the baseline rows have tests of their own).
        var options = Options();
        options.NoBaselines = true;
        var result = TinyExperiment.Run(options);
        Assert.Equal(new[] { "Vanilla", "SqrtInverse", "LDS", "FDS", "LDS+FDS" }, result.Variants.Select(v => v.Variant));

        var splits = TinyData.Splits(7);
        var bins = LabelBins.Uniform(0, 10, 10);
        var trainTargets = splits.Train.Select(r => (float)r.Y).ToArray();
        var testTargets = splits.Test.Select(r => (float)r.Y).ToArray();
        Assert.Equal(bins.Counts(trainTargets), result.TrainCounts);
        foreach (var variant in result.Variants)
        {
            Assert.Equal(2, variant.EpochsRun);
            Assert.InRange(variant.BestEpoch, 0, 1);
            var independent = ShotMetrics.Evaluate(variant.TestPredictions, testTargets, trainTargets, bins);
            Assert.Equal(independent, variant.Test);
            // And by hand: the overall MSE is the mean squared error of the predictions.
            double mse = variant.TestPredictions.Zip(testTargets, (p, t) => ((double)p - t) * ((double)p - t)).Average();
            Assert.Equal(mse, variant.Test.Overall.Mse, 9);
            Assert.True(double.IsFinite(variant.Test.Overall.Mse));
        }
        // Re-weighting changes training, so the variants do not all predict the same.
        Assert.NotEqual(result.Variants[0].TestPredictions, result.Variants[2].TestPredictions);

        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "TinyExperiment", "results.json"))).RootElement;
        Assert.Equal(5, json.GetProperty("variants").GetArrayLength());
        Assert.Equal(result.Variants[4].Test.Overall.Mae, json.GetProperty("variants")[4].GetProperty("test").GetProperty("overall").GetProperty("mae").GetDouble(), 12);
        var csv = File.ReadAllLines(Path.Combine(output, "TinyExperiment", "predictions.csv"));
        Assert.Equal(testTargets.Length + 1, csv.Length);
        Assert.Contains("| LDS+FDS |", File.ReadAllText(Path.Combine(output, "TinyExperiment", "results.md")));
    }

    [Fact]
    public void GeneratedLoop_EqualsAHandWrittenLoop_BitForBit()
    {
        var generated = TinyExperiment.Run(Options("SqrtInverse")).Variants.Single();

        // The same training written by hand against the runtime API.
        var splits = TinyData.Splits(7);
        var map = new TinyExperiment.FeatureMap();
        map.Fit(splits.Train);
        var bins = LabelBins.Uniform(0, 10, 10);
        using var train = DirDataset.Build(map, splits.Train, "train", bins, 1.0, CPU);
        using var validation = DirDataset.Build(map, splits.Validation, "validation", bins, 1.0, CPU);
        using var test = DirDataset.Build(map, splits.Test, "test", bins, 1.0, CPU);
        TrainingKit.SeedEpoch(7, -1);
        using var model = new TinyExperiment.Model(ModelContext.Plain(map.Width, bins));
        using var optimizer = optim.Adam(model.parameters(), 1e-2);
        using var weights = tensor(LabelDistribution.SampleWeights(train.Targets, bins, Reweight.SqrtInverse), new long[] { train.Count, 1 });
        double best = double.PositiveInfinity;
        float[]? bestTest = null;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            TrainingKit.SeedEpoch(7, epoch);
            model.train();
            foreach (var batch in TrainingKit.Batches(train.Count, 32, 7, epoch))
            {
                using var scope = NewDisposeScope();
                var index = tensor(batch.ToArray());
                optimizer.zero_grad();
                var prediction = model.forward(train.Inputs.index_select(0, index));
                var loss = ((prediction - train.ScaledTargets.index_select(0, index)).pow(2) * weights.index_select(0, index)).mean();
                loss.backward();
                optimizer.step();
            }
            var (mse, _) = ShotMetrics.Errors(TinyExperiment.Predict(model, validation), validation.Targets);
            if (mse < best)
            {
                best = mse;
                bestTest = TinyExperiment.Predict(model, test);
            }
        }
        Assert.Equal(bestTest, generated.TestPredictions);
    }

    [Fact]
    public void SameSeed_GivesIdenticalMetrics()
    {
        var first = TinyExperiment.Run(Options("LDS+FDS")).Variants.Single();
        var second = TinyExperiment.Run(Options("LDS+FDS")).Variants.Single();
        Assert.Equal(first.TestPredictions, second.TestPredictions);
        Assert.Equal(first.Test, second.Test);
    }

    [Fact]
    public void ResumedRun_EndsWithExactlyTheMetricsOfAnUninterruptedOne()
    {
        var uninterrupted = TinyExperiment.Run(Options("LDS+FDS")).Variants.Single();
        Directory.Delete(output, recursive: true);

        // Interrupted after epoch 0 (its checkpoint is written before the epoch-end callback), with the same settings.
        var firstHalf = Options("LDS+FDS");
        firstHalf.OnTrainEpochEnd = (_, record) =>
        {
            if (record.Epoch == 0) throw new OperationCanceledException("interrupted after epoch 0");
        };
        Assert.Throws<OperationCanceledException>(() => TinyExperiment.Run(firstHalf));
        var resume = Options("LDS+FDS");
        resume.Resume = true;
        var resumed = TinyExperiment.Run(resume).Variants.Single();

        Assert.Equal(2, resumed.History.Count);
        Assert.Equal(uninterrupted.TestPredictions, resumed.TestPredictions);
        Assert.Equal(uninterrupted.Test, resumed.Test);
    }

    [Fact]
    public void CorruptedLastCheckpoint_FallsBackToThePreviousOne()
    {
        TinyExperiment.Run(Options("FDS"));
        var store = new CheckpointStore(Path.Combine(output, "TinyExperiment", "fds", "seed-7"));
        Assert.True(File.Exists(store.PreviousPath));
        var bytes = File.ReadAllBytes(store.LastPath);
        File.WriteAllBytes(store.LastPath, bytes.AsSpan(0, bytes.Length / 2).ToArray()); // truncated

        var log = new StringWriter();
        using var model = new TinyExperiment.Model(ModelContext.Plain(InputWidth(), TinyExperiment.Configuration.Bins, fds: TinyExperiment.Configuration.Fds));
        using var optimizer = TrainingKit.CreateOptimizer(OptimizerKind.Adam, model.parameters(), 1e-3, 0);
        var state = store.TryResume(model, optimizer, log);
        Assert.NotNull(state);
        Assert.Equal(1, state!.NextEpoch);        // the previous checkpoint: after epoch 0
        Assert.Contains("checksum", log.ToString());

        File.WriteAllBytes(store.PreviousPath, new byte[] { 1, 2, 3 });
        var e = Assert.Throws<CheckpointException>(() => store.TryResume(model, optimizer, TextWriter.Null));
        Assert.Contains(store.PreviousPath, e.Message);
    }

    [Fact]
    public void TimedCheckpoints_WriteOnlyAtTheEnd_AndGiveTheSameResult()
    {
        var everyEpoch = TinyExperiment.Run(Options("LDS")).Variants.Single();
        var timed = Options("LDS");
        timed.CheckpointInterval = TimeSpan.FromHours(1);
        timed.OutputFolder = Path.Combine(output, "timed");
        var saves = new List<bool>();
        timed.OnTrainEpochEnd = (_, _) => saves.Add(File.Exists(Path.Combine(timed.OutputFolder, "TinyExperiment", "lds", "seed-7", "last.ckpt")));
        var result = TinyExperiment.Run(timed).Variants.Single();
        Assert.Equal(new[] { false, true }, saves);   // nothing after epoch 0, the final save after epoch 1
        Assert.Equal(everyEpoch.TestPredictions, result.TestPredictions);
        Assert.False(File.Exists(Path.Combine(timed.OutputFolder, "TinyExperiment", "lds", "seed-7", "last.prev.ckpt")));
    }

    [Fact]
    public void HeldOutRange_BecomesZeroShot_AndTheZeroRowMeasuresIt()
    {
        var options = Options("Vanilla");
        options.Holdouts.Add(TargetRange.Parse("4:6"));
        var result = TinyExperiment.Run(options);
        var splits = TinyData.Splits(7);
        Assert.Equal(0, result.TrainCounts[4]);
        Assert.Equal(0, result.TrainCounts[5]);
        Assert.Equal(splits.Train.Count(r => r.Y < 4 || r.Y >= 6), result.TrainCounts.Sum());
        Assert.Equal(splits.Test.Count, result.TestTargets.Length);                  // test keeps everything
        var zero = result.Variants.Single().Test.Zero;
        Assert.Equal(splits.Test.Count(r => r.Y >= 4 && r.Y < 6), zero.Count);
        Assert.True(zero.Count > 0 && double.IsFinite(zero.Mse));
        Assert.Throws<ArgumentException>(() => TargetRange.Parse("6:4"));
        Assert.Equal(new TargetRange(40, 50), DirDsl.Hosting.DirCommandLine.Parse(new[] { "--holdout", "40:50" }).Holdouts.Single());
    }

    [Fact]
    public void CompileTimeWindows_EqualTheRuntimeKernelWindows()
    {
        Assert.Equal(KernelWindow.ForLds(Kernel.Gaussian, 5, 2), TinyExperiment.Configuration.LdsWindow);
        Assert.Equal(KernelWindow.ForFds(Kernel.Gaussian, 3, 1), TinyExperiment.Configuration.FdsWindow);
        Assert.Equal(10, TinyExperiment.Configuration.BinCount);
        Assert.Equal("LDS+FDS", TinyExperiment.Configuration.Configured.Name);
    }

    [Fact]
    public void UnknownVariant_IsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => TinyExperiment.Run(Options("Bogus")));
        Assert.Contains("Vanilla, SqrtInverse, LDS, FDS, LDS+FDS", e.Message);
    }
}
