using System.Globalization;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>
/// Targets with a shape: a vector (two targets of one record, or an array with missing elements) and a dense map, carried
/// from the record through splits and batches to the loss, the label counts and the metrics, each element on its own.
/// </summary>
public sealed class ShapedTargetTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-shaped").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private RunOptions Options(string folder, params string[] variants)
    {
        var options = new RunOptions { OutputFolder = Path.Combine(output, folder), Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.Zero };
        foreach (var variant in variants) options.Variants.Add(variant);
        return options;
    }

    /// <summary>The rows of predictions.csv: (record, element, target, prediction of the first variant).</summary>
    /// <summary>predictions.csv's rows with the column of <paramref name="variant"/>.</summary>
    private static List<(int Record, string Element, double Target, double Prediction)> Predictions(string file, string variant = "Vanilla")
    {
        var lines = File.ReadAllLines(file);
        int column = Array.IndexOf(CsvLine(lines[0]), variant);
        return lines.Skip(1).Select(line => CsvLine(line)).Select(f =>
            (int.Parse(f[0], CultureInfo.InvariantCulture), f[1], double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[column], CultureInfo.InvariantCulture)))
            .ToList();
    }

    private static string[] CsvLine(string line) => line.Split(',');

    [Fact]
    public void TwoTargets_TrainAsOneVector_AndAreEvaluatedPerElement()
    {
        var result = TinyVectorExperiment.Run(Options("vector"));
        Assert.Equal(TargetShape.Vector("Wave", "Ramp"), result.Target);
        // Label counts are over both elements of every training record.
        Assert.Equal(2 * 240, result.TrainCounts.Sum());
        var csv = Predictions(Path.Combine(output, "vector", nameof(TinyVectorExperiment), "predictions.csv"));
        Assert.Equal(2 * 60, csv.Count);
        var splits = VectorData.Twins(7);
        foreach (var variant in result.Variants)
        {
            Assert.Equal(2 * 60, variant.Test.Overall.Count);
            var elements = variant.TestElements!;
            Assert.Equal(new[] { "Wave", "Ramp" }, elements.Select(e => e.Element));
            foreach (var (element, index) in elements.Select((e, i) => (e, i)))
            {
                Assert.Equal(60, element.Test.Overall.Count);
                // Each element's own MAE, recomputed from its predictions and its record's member.
                var own = variant.TestPredictions.Where((_, i) => i % 2 == index).ToArray();
                var truth = splits.Test.Select(r => index == 0 ? r.Wave : r.Ramp).ToArray();
                double mae = own.Zip(truth, (p, t) => Math.Abs(p - (float)t)).Average();
                Assert.Equal(mae, element.Test.Overall.Mae, 5);
                // Trained, not guessed: better than the training mean of that element (a constant predictor).
                double mean = splits.Train.Select(r => (float)(index == 0 ? r.Wave : r.Ramp)).Average();
                double constant = truth.Select(t => Math.Abs((float)t - mean)).Average();
                // The baseline row Mean is that constant predictor, element by element; Linear is not a trained network.
                if (variant.Variant == Baselines.MeanName) Assert.Equal(constant, element.Test.Overall.Mae, 5);
                if (Baselines.IsBaseline(variant.Variant)) continue;
                Assert.True(element.Test.Overall.Mae < 0.9 * constant, $"{variant.Variant} {element.Element}: MAE {element.Test.Overall.Mae} vs constant {constant}");
            }
            // Pooled over the two elements (equal counts): the mean of the two.
            Assert.Equal((elements[0].Test.Overall.Mae + elements[1].Test.Overall.Mae) / 2, variant.Test.Overall.Mae, 5);
        }
        // predictions.csv names the record and the element, and has a column per row (Vanilla's here).
        var vanilla = result.Variants.Single(v => v.Variant == "Vanilla");
        Assert.Equal(new[] { "Wave", "Ramp" }, csv.Take(2).Select(r => r.Element));
        Assert.Equal(Enumerable.Range(0, 120).Select(i => i / 2), csv.Select(r => r.Record));
        Assert.Equal(vanilla.TestPredictions.Select(p => (double)p), csv.Select(r => r.Prediction), new ToleranceComparer(1e-4));
        var markdown = File.ReadAllText(Path.Combine(output, "vector", nameof(TinyVectorExperiment), "results.md"));
        Assert.Contains("Element Wave:", markdown);
        Assert.Contains("Element Ramp:", markdown);
    }

    [Fact]
    public void MissingElements_AreMaskedOutOfWeightsLossCountsAndMetrics()
    {
        TinyPairExperiment.Seen.Clear();
        var result = TinyPairExperiment.Run(Options("pair", "LDS"));
        var splits = VectorData.Pairs(7);
        int trainPresent = splits.Train.Sum(r => r.Pair.Count(v => !float.IsNaN(v)));
        int testPresent = splits.Test.Sum(r => r.Pair.Count(v => !float.IsNaN(v)));
        Assert.Equal(2 * 240 - 48, trainPresent);
        Assert.Equal(trainPresent, result.TrainCounts.Sum());
        var lds = Assert.Single(result.Variants);
        Assert.Equal(testPresent, lds.Test.Overall.Count);
        Assert.Equal(new[] { 60, 48 }, lds.TestElements!.Select(e => e.Test.Overall.Count));
        Assert.Equal(testPresent, File.ReadAllLines(Path.Combine(output, "pair", nameof(TinyPairExperiment), "predictions.csv")).Length - 1);

        // The batches of the first epoch: every training element once; a missing one masked, weighted 0, its target 0.
        Assert.Equal(2 * 240, TinyPairExperiment.Seen.Count);
        Assert.Equal(48, TinyPairExperiment.Seen.Count(s => s.Mask == 0));
        Assert.All(TinyPairExperiment.Seen.Where(s => s.Mask == 0), s => Assert.Equal((0f, 0f), (s.Target, s.Weight)));
        // A present element's weight is the LDS weight of its own bin, computed over the present training elements.
        var bins = LabelBins.Uniform(0, 10, 10);
        var present = splits.Train.SelectMany(r => r.Pair).Where(v => !float.IsNaN(v)).ToArray();
        var expected = LabelDistribution.SampleWeights(present, bins, Reweight.SqrtInverse, new LdsOptions(Kernel.Gaussian, 5, 2));
        var weightOfBin = new Dictionary<int, float>();
        for (int i = 0; i < present.Length; i++) weightOfBin[bins.BinOf(present[i])] = expected[i];
        foreach (var (target, weight, _) in TinyPairExperiment.Seen.Where(s => s.Mask == 1))
            Assert.Equal(weightOfBin[bins.BinOf(target)], weight, 5);
    }

    [Fact]
    public void VectorTarget_StreamedAndHeld_TrainTheSame()
    {
        var held = Options("held", "LDS");
        held.DataPath = DataPath.InMemory;
        var streamed = Options("streamed", "LDS");
        streamed.DataPath = DataPath.Streaming;
        Assert.Equal(TinyPairExperiment.Run(held).Variants[0].TestPredictions, TinyPairExperiment.Run(streamed).Variants[0].TestPredictions);
    }

    [Fact]
    public void ScalarOnlyMethods_AndRecordLevelOptions_AreRefusedBeforeTraining()
    {
        var fds = new DirVariant("FDS", new FeatureSmoothing(new FdsOptions(0.9, Kernel.Gaussian, 5, 2, 0, 0.1, 10)));
        var e = Assert.Throws<ArgumentException>(() => fds.CheckTarget(TargetShape.Vector("Wave", "Ramp")));
        Assert.Contains("FDS calibrates a record's features by the bin of its one target, and this target is a vector (Wave, Ramp)", e.Message);
        fds.CheckTarget(TargetShape.Scalar);
        new DirVariant("LDS", new Reweighting(Reweight.SqrtInverse, new LdsOptions())).CheckTarget(TargetShape.Map(4, 4));

        var holdout = Options("holdout");
        holdout.Holdouts.Add(new TargetRange(4, 5));
        Assert.Contains("--holdout removes records by their target", Assert.Throws<ArgumentException>(() => TinyVectorExperiment.Run(holdout)).Message);
    }

    [Fact]
    public void OutsideBinsDrop_OnAVector_DropsItsElementsOutside_AsIfTheyWereMissing_AndKeepsItsRecords()
    {
        var splits = OutsidePairExperiment.Outside(VectorData.Pairs(7), asMissing: false);
        static bool Outside(float v) => v < 0 || v > 10;
        int trainOutside = splits.Train.Sum(r => r.Pair.Count(Outside));
        int trainInside = splits.Train.Sum(r => r.Pair.Count(v => !float.IsNaN(v) && !Outside(v)));
        int testInside = splits.Test.Sum(r => r.Pair.Count(v => !float.IsNaN(v) && !Outside(v)));
        // 34 first elements above (records 3, 10, ..., 234 of 240) and 18 second elements below (every eleventh from record 2, less
        // the four that are missing: records 24, 79, 134 and 189).
        Assert.Equal((34, 18), (splits.Train.Count(r => r.Pair[0] > 10), splits.Train.Count(r => r.Pair[1] < 0)));

        var log = new StringWriter();
        var dropOptions = Options("drop");
        dropOptions.OutsideTargets = OutsideTargets.Drop;
        dropOptions.Log = log;
        OutsidePairExperiment.OutsideAsMissing = false;
        var dropped = OutsidePairExperiment.Run(dropOptions);
        Assert.Contains($"train split: {trainOutside} target elements outside [LabelBins] [0, 10] have no target (--outside-bins drop", log.ToString());
        // Counts, weights and metrics see only the elements inside; every record is still there.
        Assert.Equal(trainInside, dropped.TrainCounts.Sum());
        Assert.All(dropped.Variants, v => Assert.Equal(testInside, v.Test.Overall.Count));

        // The same data with those elements missing from the start trains to the same digits.
        OutsidePairExperiment.OutsideAsMissing = true;
        try
        {
            var missing = OutsidePairExperiment.Run(Options("missing"));
            Assert.Equal(missing.TrainCounts, dropped.TrainCounts);
            Assert.Equal(missing.Variants.Select(v => v.Variant), dropped.Variants.Select(v => v.Variant));
            foreach (var (a, b) in missing.Variants.Zip(dropped.Variants))
            {
                Assert.Equal(a.TestPredictions, b.TestPredictions);
                Assert.Equal(a.History.Select(h => h.TrainLoss), b.History.Select(h => h.TrainLoss));
            }
        }
        finally
        {
            OutsidePairExperiment.OutsideAsMissing = false;
        }

        // Warn keeps them: they count in the edge bins.
        var kept = OutsidePairExperiment.Run(Options("warn", "Vanilla"));
        Assert.Equal(trainInside + trainOutside, kept.TrainCounts.Sum());
    }

    [Fact]
    public void DenseMap_TrainsPerPixel_WithMissingPixelsMasked()
    {
        var result = DirTrainer.Run(DepthMaps.Definition(), Options("map"));
        var splits = DepthMaps.Splits();
        int Present(IEnumerable<DepthRecord> records) => records.Sum(r => r.Depth.Count(v => !float.IsNaN(v)));
        Assert.Equal(TargetShape.Map(4, 4), result.Target);
        Assert.Equal(Present(splits.Train), result.TrainCounts.Sum());
        var csv = File.ReadAllLines(Path.Combine(output, "map", "DepthMaps", "predictions.csv"));
        Assert.Equal("index,element,target,bin,Vanilla,LDS", csv[0]);
        Assert.Equal(Present(splits.Test), csv.Length - 1);
        foreach (var variant in result.Variants)
        {
            Assert.Equal(Present(splits.Test), variant.Test.Overall.Count);
            Assert.Null(variant.TestElements);
            // depth = 2 * pixel + 1 per pixel: per-pixel convolutions learn it; far better than the mean depth.
            double mean = splits.Train.SelectMany(r => r.Depth).Where(v => !float.IsNaN(v)).Average();
            double constant = splits.Test.SelectMany(r => r.Depth).Where(v => !float.IsNaN(v)).Select(v => Math.Abs(v - mean)).Average();
            Assert.True(variant.Test.Overall.Mae < 0.5 * constant, $"{variant.Variant}: MAE {variant.Test.Overall.Mae} vs constant {constant}");
        }
        // The first missing test pixel has no row: record 0's pixel (0, 0) is missing in every test record.
        Assert.DoesNotContain(csv.Skip(1), line => line.StartsWith("0,\"0,0\"", StringComparison.Ordinal));
        Assert.Contains(csv.Skip(1), line => line.StartsWith("0,\"0,1\"", StringComparison.Ordinal));
    }

    [Fact]
    public void DenseMap_FdsPerPixel_TrainsWithTheDepthCodesChoices()
    {
        // FDS on the encoder's 8-channel 4 x 4 map, as the depth code sets it: statistics from bin 1 on, clamp [0.2, 5], the
        // lagged order, an unaugmented training-mode pass over a fixed subset of the training records.
        var fds = new FdsOptions(0.9, Kernel.Gaussian, 5, 2, 0, Nyud2Reference.ClampMin, Nyud2Reference.ClampMax, StartSmooth: 1)
        {
            StartBin = 1,
            Order = FdsOrder.Lagged,
            Statistics = FdsStatistics.UnaugmentedPass,
            Subset = Enumerable.Range(0, 60).Select(i => 2 * i).ToArray(),
        };
        var variant = new DirVariant("LDS+FDS", new Reweighting(Reweight.SqrtInverse, new LdsOptions(Kernel.Gaussian, 5, 2)), new FeatureSmoothing(fds));
        var result = DirTrainer.Run(DepthMaps.Definition(variant), Options("map-fds"));
        var trained = Assert.Single(result.Variants);
        var splits = DepthMaps.Splits();
        double mean = splits.Train.SelectMany(r => r.Depth).Where(v => !float.IsNaN(v)).Average();
        double constant = splits.Test.SelectMany(r => r.Depth).Where(v => !float.IsNaN(v)).Select(v => Math.Abs(v - mean)).Average();
        Assert.True(trained.Test.Overall.Mae < 0.5 * constant, $"MAE {trained.Test.Overall.Mae} vs constant {constant}");
        // Nine statistics rows (bins 1..9) of eight channels; the pixels' depths 1..9 leave no row below 1 unseen that the
        // training pixels reach, and the last epoch's update moved the statistics away from their initial 0 / 1.
        var snapshot = Assert.IsType<FdsSnapshot>(trained.Fds);
        Assert.Equal(9, snapshot.RunningMean.Length);
        Assert.All(snapshot.RunningMean, row => Assert.Equal(8, row.Length));
        Assert.Contains(snapshot.RunningMean.SelectMany(row => row), value => Math.Abs(value) > 1e-3);
        Assert.All(trained.History, epoch => Assert.True(double.IsFinite(epoch.TrainLoss), $"epoch {epoch.Epoch}: loss {epoch.TrainLoss}"));
        // The depth metrics over the same test pixels: MAE and RMSE agree with the shot table's MAE and MSE, every test
        // pixel counted once, and results.json and the report carry them.
        var depth = Assert.IsType<DepthShotReport>(trained.TestDepth);
        int testPixels = splits.Test.SelectMany(r => r.Depth).Count(v => !float.IsNaN(v));
        Assert.Equal(testPixels, depth.Overall.Count);
        Assert.Equal(depth.Overall.Count, depth.Many.Count + depth.Medium.Count + depth.Few.Count);
        Assert.Equal(trained.Test.Overall.Mae, depth.Overall.Mae, 9);
        Assert.Equal(trained.Test.Overall.Mse, depth.Overall.Rmse * depth.Overall.Rmse, 9);
        Assert.InRange(depth.Overall.Delta1, 0, depth.Overall.Delta2);
        var folder = Path.Combine(output, "map-fds", "DepthMaps");
        Assert.Equal(depth, ResultReader.Read(Path.Combine(folder, "results.json")).Single().TestDepth);
        Assert.Contains("| delta1 |", File.ReadAllText(Path.Combine(folder, "results.md")));
    }


    [Fact]
    public void HoldoutOnADenseMap_MasksTheRangesPixelsInTrainingAndValidation_AndTestKeepsThem()
    {
        // Depths 2p + 1 in [1, 9]: hold out [5, 7). The training pixels there have no target (their bins count 0); the
        // test pixels there stay and are evaluated.
        var options = Options("map-holdout", "Vanilla");
        options.Epochs = 1;
        options.Holdouts.Add(new TargetRange(5, 7));
        var log = new StringWriter();
        options.Log = log;
        var result = DirTrainer.Run(DepthMaps.Definition(), options);
        var splits = DepthMaps.Splits();
        int trainKept = splits.Train.SelectMany(r => r.Depth).Count(v => !float.IsNaN(v) && !(v >= 5 && v < 7));
        Assert.Equal(trainKept, result.TrainCounts.Sum());
        Assert.Equal(0, result.TrainCounts[5] + result.TrainCounts[6]);
        int testInRange = splits.Test.SelectMany(r => r.Depth).Count(v => v >= 5 && v < 7);
        Assert.True(testInRange > 0, "the test maps have pixels in the range");
        Assert.Equal(testInRange, result.TestTargets.Count(v => v >= 5 && v < 7));
        Assert.Contains("Held out [5, 7): the training and validation pixels with these targets have none", log.ToString());
    }
    [Fact]
    public void MaskedLoss_IsTheMeanOverPresentElements_HandDerived()
    {
        // Predictions and targets [2, 2]; element (0, 1) missing (its target 0 as batches carry it).
        using var predictions = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var targets = tensor(new float[] { 0, 0, 1, 1 }, new long[] { 2, 2 });
        using var weights = tensor(new float[] { 1, 5, 2, 1 }, new long[] { 2, 2 });
        using var mask = tensor(new float[] { 1, 0, 1, 1 }, new long[] { 2, 2 });
        // MSE: (1 * 1 + 2 * 4 + 1 * 9) / 3 present elements = 6.
        Assert.Equal(6f, WeightedLoss.Compute(predictions, targets, new LossOptions(LossKind.Mse), weights, mask).item<float>(), 5);
        // L1 unweighted: (1 + 2 + 3) / 3 = 2.
        Assert.Equal(2f, WeightedLoss.Compute(predictions, targets, new LossOptions(LossKind.L1), null, mask).item<float>(), 5);
        // No element present: 0, not NaN.
        using var none = zeros(2, 2);
        Assert.Equal(0f, WeightedLoss.Compute(predictions, targets, new LossOptions(LossKind.L1), null, none).item<float>());
    }

    [Fact]
    public void ModelChecks_NameTheTargetShape()
    {
        using var encoder = nn.Linear(3, 4);
        using var regressor = nn.Linear(4, 1);
        var e = Assert.Throws<InvalidOperationException>(() =>
            ModelChecks.CheckShapes(encoder, regressor, new long[] { 3 }, 4, "Encoder", TargetShape.Vector("a", "b")));
        Assert.Contains("a vector (a, b) target needs [2, 2]", e.Message);
        using var two = nn.Linear(4, 2);
        ModelChecks.CheckShapes(encoder, two, new long[] { 3 }, 4, "Encoder", TargetShape.Vector("a", "b"));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));
        public int GetHashCode(double value) => 0;
    }
}

/// <summary>A 4 x 4 one-channel "photo" and its depth map (depth = 2 * pixel + 1), pixel (0, 0) missing in every record.</summary>
public sealed record DepthRecord(float[] Pixels, float[] Depth);

/// <summary>A dense-target experiment assembled by hand: its feature map, model and definition.</summary>
public static class DepthMaps
{
    private const int Side = 4;

    public static DirSplits<DepthRecord> Splits()
    {
        var random = new Random(3);
        List<DepthRecord> Make(int count, bool skewed) => Enumerable.Range(0, count).Select(_ =>
        {
            // Skewed training pixels (most near 0: deep depths rare), even test pixels.
            var pixels = Enumerable.Range(0, Side * Side).Select(_ => (float)(skewed ? Math.Min(3.99, -Math.Log(1 - random.NextDouble()) * 0.8) : random.NextDouble() * 4)).ToArray();
            var depth = pixels.Select((p, i) => i == 0 ? float.NaN : 2 * p + 1).ToArray();
            return new DepthRecord(pixels, depth);
        }).ToList();
        return new DirSplits<DepthRecord>(Make(120, skewed: true), Make(30, skewed: false), Make(30, skewed: false));
    }

    /// <summary>The definition with Vanilla and LDS, or only <paramref name="only"/>.</summary>
    public static ExperimentDefinition<DepthRecord, DepthModel> Definition(DirVariant? only = null)
    {
        var bins = LabelBins.Uniform(0, 10, 10);
        var lds = new DirVariant("LDS", new Reweighting(Reweight.SqrtInverse, new LdsOptions(Kernel.Gaussian, 5, 2)));
        var loss = new LossOptions(LossKind.L1);
        return new ExperimentDefinition<DepthRecord, DepthModel>
        {
            Name = "DepthMaps",
            Settings = new TrainerSettings { Bins = bins, Epochs = 25, BatchSize = 16, LearningRate = 2e-2, Seed = 1 },
            Load = _ => Splits(),
            CreateFeatureMap = () => new DepthMap(),
            CreateModel = context => new DepthModel(context),
            TrainingStep = (model, batch) => WeightedLoss.Compute(model.forward(batch.Inputs, batch.Bins, batch.Epoch), batch.Targets, loss, batch.Weights, batch.Mask),
            Loss = loss,
            Configured = only ?? lds,
            Variants = only is null ? new[] { DirVariant.Vanilla, lds } : new[] { only },
            ShotGroupsFor = counts => ShotGroups.FromCounts(counts),
        };
    }

    private sealed class DepthMap : IFeatureMap<DepthRecord>
    {
        public int Width => Side * Side;
        public FeatureLayout Layout => FeatureLayout.Image(1, Side, Side);
        public TargetShape TargetShape => TargetShape.Map(Side, Side);
        public void Fit(IReadOnlyList<DepthRecord> train) { }
        public void Write(DepthRecord record, Span<float> row, string split, int index) => record.Pixels.CopyTo(row);
        public void WriteTarget(DepthRecord record, Span<float> target, string split, int index) => record.Depth.CopyTo(target);
    }

    /// <summary>
    /// A per-pixel encoder (1x1 convolutions, 8 channels) and a 1x1 convolution as the regressor. (3x3 padded convolutions on
    /// these 4x4 maps give intermittent NaN gradients with 2 torch threads on this CPU, not with 1: noted for dense targets.)
    /// </summary>
    public sealed class DepthModel(ModelContext context) : DirModel("depth", context,
        nn.Sequential(nn.Conv2d(1, 8, 1), nn.ReLU(), nn.Conv2d(8, 8, 1), nn.ReLU()), nn.Conv2d(8, 1, 1), 8, "Encoder");
}
