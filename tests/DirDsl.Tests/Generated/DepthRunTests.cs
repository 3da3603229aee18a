using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>
/// A generated dense-target experiment end to end: photos and 16-bit depth PNGs streamed from disk, the depth code's LDS
/// and FDS choices declared with the DSL, the ablation, and the depth metrics over the pixels that have a reading.
/// </summary>
public sealed class DepthRunTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-depth-run").FullName;

    public void Dispose()
    {
        DepthFolderExperiment.Subset = null;
        Directory.Delete(folder, recursive: true);
    }

    private RunOptions Options(string data, string name) => new()
    {
        DataRoot = data,
        OutputFolder = Path.Combine(folder, name),
        Device = "cpu",
        Log = TextWriter.Null,
        CheckpointInterval = TimeSpan.Zero,
    };

    /// <summary>The depths in metres of a split's pixels that have a reading, read back from the files' gray levels.</summary>
    private static List<double> Depths(string data, string split) => PixelDepths(data, split).Select(d => d.Depth).ToList();

    /// <summary>Each pixel with a reading: its index in the map and its depth in metres.</summary>
    private static List<(int Pixel, double Depth)> PixelDepths(string data, string split) => File.ReadLines(Path.Combine(data, $"{split}.csv")).Skip(1)
        .SelectMany(line =>
        {
            using var bitmap = SkiaSharp.SKBitmap.Decode(Path.Combine(data, line.Split(',')[0]));
            return Enumerable.Range(1, DepthFolder.Side * DepthFolder.Side - 1)
                .Select(p => (p, DepthFolder.DepthOf(bitmap.GetPixel(p % DepthFolder.Side, p / DepthFolder.Side).Red) * 0.001)).ToList();
        }).ToList();

    /// <summary>Each pixel's mean depth over a split's maps.</summary>
    private static Dictionary<int, double> PixelMeans(string data, string split) =>
        PixelDepths(data, split).GroupBy(d => d.Pixel).ToDictionary(g => g.Key, g => g.Average(d => d.Depth));

    [Fact]
    public void DepthAblation_LearnsEachPixelsDepth_AndReportsTheDepthMetricsOverThePixelsWithAReading()
    {
        string data = Path.Combine(folder, "scenes");
        DepthFolder.Write(data, count: 48);
        var options = Options(data, "ablation");
        var log = new StringWriter();
        options.Log = log;
        var result = DepthFolderExperiment.Run(options);
        // The photos go through the image map's decode cache: each of the 48 + 16 + 16 is decoded once in the run.
        Assert.Contains("Image cache: the decoded pixels of the 80 records take", log.ToString());
        Assert.Contains("Image cache: 80 decodes,", log.ToString());

        Assert.Superset(new HashSet<string> { "Vanilla", "LDS", "FDS", "LDS+FDS" }, result.Variants.Select(v => v.Variant).ToHashSet());
        // Label counts over the training pixels with a reading: 63 of the 64 of each of the 48 maps.
        Assert.Equal(48 * 63, result.TrainCounts.Sum());
        var train = Depths(data, "train");
        var test = Depths(data, "test");
        double mean = train.Average();
        double constant = test.Average(t => Math.Abs(t - mean));
        // The Mean row predicts each pixel's training mean (over the maps with a reading there): the same from the files.
        var pixelMeans = PixelMeans(data, "train");
        var testByPixel = PixelDepths(data, "test");
        double meanRow = testByPixel.Average(d => Math.Abs(d.Depth - pixelMeans[d.Pixel]));
        Assert.Equal(meanRow, result.Variants.Single(v => v.Variant == Baselines.MeanName).TestDepth!.Overall.Mae, 5);
        foreach (var variant in result.Variants.Where(v => !Baselines.IsBaseline(v.Variant)))
        {
            var depth = Assert.IsType<DepthShotReport>(variant.TestDepth);
            Assert.Equal(test.Count, depth.Overall.Count);
            Assert.Equal(variant.Test.Overall.Mae, depth.Overall.Mae, 9);
            Assert.Equal(variant.Test.Overall.Mse, depth.Overall.Rmse * depth.Overall.Rmse, 9);
            Assert.True(depth.Overall.Mae < 0.5 * constant, $"{variant.Variant}: MAE {depth.Overall.Mae} vs {constant} predicting the training mean");
            Assert.All(variant.History, epoch => Assert.True(double.IsFinite(epoch.TrainLoss), $"{variant.Variant} epoch {epoch.Epoch}: loss {epoch.TrainLoss}"));
        }
        // FDS kept statistics from the start bin on: 20 - 2 rows of 8 channels.
        var fds = Assert.IsType<FdsSnapshot>(result.Variants.First(v => v.Variant == "FDS").Fds);
        Assert.Equal(18, fds.RunningMean.Length);
    }


    [Fact]
    public void AnFdsSubsetFromTheDataMember_FeedsTheStatistics_AndABadOneIsNamed()
    {
        string data = Path.Combine(folder, "subset");
        DepthFolder.Write(data, count: 12, evaluationCount: 4);
        RunOptions Fds(string name) => new()
        {
            DataRoot = data, OutputFolder = Path.Combine(folder, name), Device = "cpu", Log = TextWriter.Null, Epochs = 2,
            CheckpointInterval = TimeSpan.Zero, Variants = { "FDS" },
        };
        // Every training record in order is what the pass reads without a subset: the same statistics and predictions.
        var all = DepthFolderExperiment.Run(Fds("none")).Variants.Single();
        DepthFolderExperiment.Subset = Enumerable.Range(0, 12).ToArray();
        var ordered = DepthFolderExperiment.Run(Fds("ordered")).Variants.Single();
        Assert.Equal(all.TestPredictions, ordered.TestPredictions);
        Assert.Equal(all.Fds!.RunningMean.SelectMany(r => r), ordered.Fds!.RunningMean.SelectMany(r => r));
        // Three records give other statistics.
        DepthFolderExperiment.Subset = new[] { 0, 5, 7 };
        var three = DepthFolderExperiment.Run(Fds("three")).Variants.Single();
        Assert.NotEqual(all.Fds!.RunningMean.SelectMany(r => r), three.Fds!.RunningMean.SelectMany(r => r));
        // A position outside the training split is named.
        DepthFolderExperiment.Subset = new[] { 0, 12 };
        var error = Assert.Throws<DirDataException>(() => DepthFolderExperiment.Run(Fds("bad")));
        Assert.Contains("names training record 12, and the split has 12 (0 to 11)", error.Message);
    }

    [Fact]
    public void ATrainedDepthModel_PredictsEveryPixel_AsTheRunDid()
    {
        string data = Path.Combine(folder, "trained");
        DepthFolder.Write(data, count: 8, evaluationCount: 4);
        var options = new RunOptions
        {
            DataRoot = data, OutputFolder = Path.Combine(folder, "trained-run"), Device = "cpu", Log = TextWriter.Null, Epochs = 1,
            CheckpointInterval = TimeSpan.Zero, Variants = { "Vanilla" },
        };
        var stored = DepthFolderExperiment.Run(options).Variants.Single(v => v.Variant == "Vanilla").TestPredictions;
        using var model = DepthFolderExperiment.LoadTrained(options.OutputFolder, "Vanilla");
        var records = DepthFolder.Splits(data).Test;
        var predictions = model.Predict(records);
        // A value for every pixel, the one without a reading too; the run's test predictions hold the 63 with one per map.
        Assert.Equal(records.Count * DepthFolder.Side * DepthFolder.Side, predictions.Length);
        var present = Enumerable.Range(0, predictions.Length).Where(i => i % 64 != 0).Select(i => predictions[i]).ToArray();
        Assert.Equal(stored.Length, present.Length);
        for (int i = 0; i < present.Length; i++) Assert.Equal(stored[i], present[i], 4);
    }
    [Fact]
    public void OutsideBinsDrop_OnADepthMap_DropsThePixelsOutside_AndKeepsTheMaps()
    {
        string data = Path.Combine(folder, "far");
        DepthFolder.Write(data, count: 12, evaluationCount: 4);
        // Pixels 1-10 of training map 0 and 1-5 of test map 2 read 4.5 m, beyond [LabelBins] [0, 4] (the map's own range
        // is open above).
        void Far(string file, int pixels)
        {
            using var bitmap = SkiaSharp.SKBitmap.Decode(Path.Combine(data, file.Replace("-depth", "")));
            var depth = Enumerable.Range(0, DepthFolder.Side * DepthFolder.Side)
                .Select(p => p == 0 ? (ushort)0 : p <= pixels ? (ushort)4500 : DepthFolder.DepthOf(bitmap.GetPixel(p % DepthFolder.Side, p / DepthFolder.Side).Red)).ToArray();
            File.WriteAllBytes(Path.Combine(data, file), DepthMapTests.GrayPng(depth, DepthFolder.Side, DepthFolder.Side, 16));
        }
        Far("train-0-depth.png", 10);
        Far("test-2-depth.png", 5);
        RunOptions Policy(string name, OutsideTargets policy, TextWriter log) => new()
        {
            DataRoot = data, OutputFolder = Path.Combine(folder, name), Device = "cpu", Log = log, Epochs = 1,
            CheckpointInterval = TimeSpan.Zero, Variants = { "Vanilla" }, OutsideTargets = policy,
        };
        var dropLog = new StringWriter();
        var dropped = DepthFolderExperiment.Run(Policy("drop", OutsideTargets.Drop, dropLog));
        Assert.Contains("train split: 10 target elements outside [LabelBins] [0, 4] have no target (--outside-bins drop", dropLog.ToString());
        Assert.Contains("test split: 5 target elements outside [LabelBins] [0, 4] have no target (--outside-bins drop", dropLog.ToString());
        Assert.Equal(12 * 63 - 10, dropped.TrainCounts.Sum());
        Assert.Equal(4 * 63 - 5, dropped.Variants.Single(v => v.Variant == "Vanilla").Test.Overall.Count);
        // Warn keeps them: they count in the last bin and are evaluated.
        var kept = DepthFolderExperiment.Run(Policy("warn", OutsideTargets.Warn, TextWriter.Null));
        Assert.Equal(12 * 63, kept.TrainCounts.Sum());
        Assert.Equal(4 * 63, kept.Variants.Single(v => v.Variant == "Vanilla").Test.Overall.Count);
        Assert.Equal(dropped.TrainCounts[^1] + 10, kept.TrainCounts[^1]);
    }

    [Fact]
    public void AMissingDepthFile_StopsTheRunNamingTheRecordAndTheFile()
    {
        string data = Path.Combine(folder, "broken");
        DepthFolder.Write(data, count: 8, evaluationCount: 4);
        File.Delete(Path.Combine(data, "train-3-depth.png"));
        var error = Assert.ThrowsAny<Exception>(() => DepthFolderExperiment.Run(Options(data, "broken")));
        Assert.Contains("record 3", error.Message);
        Assert.Contains("'Depth'", error.Message);
        Assert.Contains("train-3-depth.png", error.Message);
    }
}
