using System.Text.RegularExpressions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>The tiny task four times over (960 training records), LDS, and FDS calibrating from the second epoch, at two batch sizes.</summary>
[DirExperiment(Epochs = 3, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 3, Sigma = 1)]
[Search(BatchSizes = new[] { 16, 128 })]
public partial class StepAllocationExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context)
    {
        var splits = TinyData.Splits(7);
        return new DirSplits<TinyRecord>(Enumerable.Repeat(splits.Train, 4).SelectMany(r => r).ToList(), splits.Validation, splits.Test);
    }

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}

/// <summary>
/// Steps ready for a GPU: the training loop reads values to the host a fixed number of times per epoch, however many
/// steps the epoch has (a read per step would make a GPU wait for every step), and reads nowhere else unseen.
/// </summary>
public sealed class HostReadTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-reads").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private long ReadsOf(Func<RunOptions, ExperimentResult> run, string variant)
    {
        var options = new RunOptions { OutputFolder = Path.Combine(output, Guid.NewGuid().ToString("N")), Device = "cpu", Log = TextWriter.Null, Variants = { variant } };
        long before = HostReads.Count;
        run(options);
        return HostReads.Count - before;
    }

    [Fact]
    public void ReadsPerEpoch_DoNotGrowWithTheSteps()
    {
        // 3 epochs of 15 steps (batch 16) and of 4 steps (batch 64): one read per epoch either way, the epoch's losses.
        Assert.Equal(3, ReadsOf(TrainingSearchExperiment.Run, "Vanilla@lr=0.01,wd=0,epochs=3,batch=16"));
        Assert.Equal(3, ReadsOf(TrainingSearchExperiment.Run, "Vanilla@lr=0.01,wd=0,epochs=3,batch=64"));
        // With LDS weights and FDS calibrating every batch (2 epochs of 8 steps): still one per epoch.
        Assert.Equal(2, ReadsOf(TinyExperiment.Run, "LDS+FDS"));
    }

    [Fact]
    public void AStepsLoss_IsStillThereForACallback_AndADivergedStepIsNamed()
    {
        // The per-step loss a callback asks for equals the epoch's mean the history records.
        var losses = new List<double>();
        var options = new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null, Variants = { "Vanilla" } };
        options.Callbacks.Add(new LossRecorder(losses));
        var result = TinyExperiment.Run(options);
        Assert.Equal(16, losses.Count);
        Assert.Equal(result.Variants[0].History[0].TrainLoss, losses.Take(8).Sum() / 8, 12);
        Assert.Equal(result.Variants[0].History[1].TrainLoss, losses.Skip(8).Sum() / 8, 12);
        // The epoch's losses read at its end: the first non-finite one is named by its step.
        var diverged = Assert.Throws<TrainingDivergedException>(() => TrainingKit.CheckLosses(new[] { 1f, 2f, float.NaN, float.PositiveInfinity }, epoch: 4));
        Assert.Equal((4, 2), (diverged.Epoch, diverged.Step));
        Assert.Equal(3.0, TrainingKit.CheckLosses(new[] { 1f, 2f }, 0));
    }

    /// <summary>
    /// A step allocates nothing on the host in proportion to its batch: the managed bytes the training thread allocates per
    /// step (from one step's end to the next) are the same at batch 16 and at batch 128, in an epoch without FDS's
    /// calibration and in one with it, for a split held in memory and for a streamed one (whose workers write each batch
    /// into native tensors, pinned for a CUDA device). Any per-row array, even of bytes, would add 112 bytes or more.
    /// </summary>
    [Theory]
    [InlineData(DataPath.InMemory)]
    [InlineData(DataPath.Streaming)]
    public void AStepsHostAllocations_DoNotGrowWithTheBatch(DataPath path)
    {
        var small = StepAllocations("LDS+FDS@batch=16", path);
        var large = StepAllocations("LDS+FDS@batch=128", path);
        Assert.Equal(3, small.Count);
        Assert.Equal(3, large.Count);
        // Epoch 1 trains without calibration (StartSmooth 1), epoch 3 with it; medians, as a stray allocation of the
        // runtime (a timer, a queue growing) can land in any one step.
        foreach (int epoch in new[] { 0, 2 })
        {
            long perStepSmall = Median(small[epoch]), perStepLarge = Median(large[epoch]);
            Assert.InRange(perStepLarge - perStepSmall, -112, 111);
            Assert.InRange(perStepSmall, 1, 64 * 1024);
        }
    }

    private List<List<long>> StepAllocations(string variant, DataPath path)
    {
        var recorder = new AllocationRecorder();
        var options = new RunOptions
        {
            OutputFolder = Path.Combine(output, Guid.NewGuid().ToString("N")), Device = "cpu", Log = TextWriter.Null, Variants = { variant }, Search = true,
            DataPath = path,
        };
        options.Callbacks.Add(recorder);
        StepAllocationExperiment.Run(options);
        return recorder.Epochs;
    }

    private static long Median(List<long> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Per epoch, the managed bytes this thread allocated between consecutive steps' ends.</summary>
    private sealed class AllocationRecorder : ITrainingCallback
    {
        private long last;
        public List<List<long>> Epochs { get; } = new();

        public void OnEpochStart(EpochStart start)
        {
            Epochs.Add(new List<long>());
            last = -1;
        }

        public void OnStepEnd(StepEnd step)
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            if (last >= 0) Epochs[^1].Add(now - last);
            last = GC.GetAllocatedBytesForCurrentThread();
        }
    }

    private sealed class LossRecorder(List<double> losses) : ITrainingCallback
    {
        public void OnStepEnd(StepEnd step) => losses.Add(step.Loss);
    }

    /// <summary>
    /// Every direct read of a tensor value to the host in the runtime, by file: those in the training loop go through
    /// HostReads (counted above); the rest run once per epoch or pass (FDS's views, predictions, baselines, saving). A new
    /// read fails this test until it is routed through HostReads or listed here with its reason.
    /// </summary>
    [Fact]
    public void DirectHostReads_AreOnlyWhereTheyRunOncePerEpochOrPass()
    {
        var allowed = new Dictionary<string, int>
        {
            ["Data/DirDataset.cs"] = 1,              // a split's rows, copied once when a variant re-bins it
            ["Evaluation/Baselines.cs"] = 3,         // the baseline rows, once per run
            ["Features/BinMoments.cs"] = 2,          // the message of a bin index out of range
            ["Features/FeatureStatistics.cs"] = 7,   // snapshots and the per-epoch FDS view
            ["Methods/BalancedMse.cs"] = 1,          // the noise scale, once per training
            ["Training/DirTrainer.cs"] = 1,          // predictions, per chunk of an evaluation pass
            ["Training/TrainedModel.cs"] = 1,        // predictions of a loaded model
            ["Training/TrainingKit.cs"] = 2,         // HostReads itself
        };
        var root = Path.Combine(DirDsl.Tests.Data.CsvSourceTests.RepositoryRoot(), "src", "DirDsl");
        var reads = new Regex(@"\.item<|\.data<|ToSingle\(\)|ToDouble\(\)|ToInt64\(\)|ToBoolean\(\)");
        var found = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(file => (File: Path.GetRelativePath(root, file).Replace('\\', '/'), Count: reads.Matches(File.ReadAllText(file)).Count))
            .Where(f => f.Count > 0).ToDictionary(f => f.File, f => f.Count);
        Assert.Equal(allowed.OrderBy(p => p.Key), found.OrderBy(p => p.Key));
    }
}
