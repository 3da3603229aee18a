using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>
/// A dense map's training targets over the run's memory budget are read again with each batch instead of held (20 bytes
/// a pixel): the run is the same to the last digit, and its memory no longer grows with the number of maps.
/// </summary>
[Collection(nameof(MemoryTests))]
public sealed class DenseTargetStreamingTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-dense-targets").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A run of <paramref name="data"/> into its own output folder, logging to <paramref name="log"/>, with a memory budget.</summary>
    private RunOptions Options(string data, string name, TextWriter log, long? budget) => new()
    {
        DataRoot = data, OutputFolder = Path.Combine(folder, name), Device = "cpu", Log = log, CheckpointInterval = TimeSpan.Zero,
        ImageCacheBytes = budget,
    };

    [Fact]
    public void TargetsReadWithEachBatch_TrainAndReportAsHeldTargets_ToTheLastDigit()
    {
        string data = Path.Combine(folder, "scenes");
        DepthFolder.Write(data, count: 24, evaluationCount: 8);
        (ExperimentResult Result, string Log) Train(string name, long? budget)
        {
            var log = new StringWriter();
            var options = Options(data, name, log, budget);
            options.Epochs = 3;
            options.Baselines = true;
            options.Variants.Add("LDS+FDS");
            return (DepthFolderExperiment.Run(options), log.ToString());
        }
        // The auto budget holds 24 maps of 8 x 8 (30 KiB); a budget of one byte holds none: each batch reads its maps again.
        var held = Train("held", null);
        var read = Train("read", 1);
        Assert.Contains("Dense targets: the 24 training target maps (map 1 x 8 x 8) take 30.0 KiB held, within", held.Log);
        Assert.Contains("Dense targets: the 24 training target maps (map 1 x 8 x 8) would take 30.0 KiB held, over 1 byte (--image-cache 1 byte): "
            + "each batch reads its records' maps again", read.Log);
        // What the run knows of the targets as a whole comes from one pass over the files: the same counts and hash.
        Assert.Equal(held.Result.TrainCounts, read.Result.TrainCounts);
        Assert.Equal(24 * 63, read.Result.TrainCounts.Sum());
        var heldRow = held.Result.Variants.Single(v => v.Variant == "LDS+FDS");
        var readRow = read.Result.Variants.Single(v => v.Variant == "LDS+FDS");
        Assert.Equal(heldRow.Fingerprint!["train data"], readRow.Fingerprint!["train data"]);
        // Weights, FDS statistics, losses and predictions: every digit.
        Assert.Equal(heldRow.History.Select(h => h.TrainLoss), readRow.History.Select(h => h.TrainLoss));
        Assert.Equal(heldRow.TestPredictions, readRow.TestPredictions);
        Assert.Equal(heldRow.Fds!.RunningMean.SelectMany(r => r), readRow.Fds!.RunningMean.SelectMany(r => r));
        Assert.Equal(heldRow.TestDepth, readRow.TestDepth);
        // The Mean row needs only each pixel's mean (from the pass); the ridge fit would hold every target, so it is left out.
        Assert.Equal(held.Result.Variants.Single(v => v.Variant == Baselines.MeanName).TestPredictions,
            read.Result.Variants.Single(v => v.Variant == Baselines.MeanName).TestPredictions);
        Assert.Contains(held.Result.Variants, v => v.Variant == Baselines.LinearName);
        Assert.DoesNotContain(read.Result.Variants, v => v.Variant == Baselines.LinearName);
        Assert.Contains("Baselines: no Linear row, the training split reads its targets again with each batch", read.Log);
    }

    [Fact]
    public void AMethodThatReadsEveryTarget_OverTheBudget_SaysSo_AndTrainsAsWithHeldTargets()
    {
        string data = Path.Combine(folder, "dense-weight");
        DepthFolder.Write(data, count: 16, evaluationCount: 4);
        (VariantResult Row, string Log) Train(string name, long? budget)
        {
            var log = new StringWriter();
            var options = Options(data, name, log, budget);
            options.Variants.Add("DenseWeight");
            return (DepthDenseWeightExperiment.Run(options).Variants.Single(), log.ToString());
        }
        var held = Train("held", null);
        var read = Train("read", 1);
        // DenseWeight's density is over each pixel's value: over the budget the maps are read whole after all, and the run says so.
        Assert.Contains("warning: DenseWeight reads every training target (1,008 target elements, 20.0 KiB held): the training maps are over the memory budget", read.Log);
        Assert.DoesNotContain("reads every training target", held.Log);
        Assert.Equal(held.Row.TestPredictions, read.Row.TestPredictions);
        Assert.Equal(held.Row.History.Select(h => h.TrainLoss), read.Row.History.Select(h => h.TrainLoss));
    }

    /// <summary>
    /// Memory at the end of a dense run's epoch with 4,000 and with 20,000 training maps of 32 x 32 (the image cache off, so
    /// the targets are not held): held, the 16,000 more maps would take 16,000 x 1,024 x 20 bytes = 313 MiB, several times
    /// the 10% allowed (measured with the targets held: see the README).
    /// </summary>
    [Fact]
    public void DenseRun_MemoryDoesNotGrowWithTheNumberOfMaps()
    {
        var notes = new List<string>();
        long PeakRss(int count)
        {
            string data = Path.Combine(folder, $"maps-{count}");
            // 64 distinct scenes named in turn: the run reads (and decodes) each record's files as if they were all different.
            DepthFolder.Write(data, count, evaluationCount: 64, side: 32, distinct: 64);
            var log = new StringWriter();
            var options = Options(data, $"rss-{count}", log, budget: 0);
            var peak = SettledMemory.PeakAtEpochEnds(options, notes, $"{count:N0} maps");
            var result = LargeDepthExperiment.Run(options);
            Assert.Contains("each batch reads its records' maps again", log.ToString());
            // Every training pixel but the one without a reading in each map was counted.
            Assert.Equal((long)count * (32 * 32 - 1), result.TrainCounts.Sum(c => (long)c));
            Directory.Delete(data, recursive: true);
            Assert.True(peak() > 0, "the epoch-end hook never ran");
            return peak();
        }
        // A first small run takes the one-time costs (native libraries, JIT, thread pool) out of the comparison.
        PeakRss(500);
        long small = PeakRss(4_000);
        long large = PeakRss(20_000);
        double growth = (double)(large - small) / small;
        foreach (var note in notes) output.WriteLine(note);
        Assert.True(growth < 0.10, $"RSS grew {growth:P1} from 4,000 maps ({small >> 20} MiB) to 20,000 ({large >> 20} MiB): {string.Join("; ", notes)}");
    }
}
