using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Benchmarks;

/// <summary>
/// One epoch of the generated experiment's training (BenchExperiment: 20,000 rows of 64 features, a 3-layer
/// 256-wide MLP, batch 256) with its splits held whole as tensors (baseline) against the same splits streamed:
/// records mapped per batch by pool workers behind the bounded prefetch queue. Target: at most 1.2x.
/// </summary>
public class DataPathBenchmarks
{
    private DirSplits<BenchRecord> splits = null!;
    private BenchExperiment.FeatureMap map = null!;
    private string folder = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Math.Min(2, Environment.ProcessorCount));
        splits = BenchData.Splits();
        map = new BenchExperiment.FeatureMap();
        map.Fit(splits.Train);
        folder = Directory.CreateTempSubdirectory("dirdsl-bench-path").FullName;
    }

    private float[] Epoch(DataPath path)
    {
        var bins = BenchExperiment.Configuration.Bins;
        using var train = SplitData.Create(map, splits.Train, "train", bins, 1, CPU, path);
        using var validation = SplitData.Create(map, splits.Validation, "validation", bins, 1, CPU, path);
        using var test = SplitData.Create(map, splits.Test, "test", bins, 1, CPU, path);
        var data = new TrainingData(train, validation, test, ShotGroups.FromCounts(bins.Counts(train.Targets)), null, map.Width, folder, CPU);
        var options = new RunOptions { OutputFolder = folder, Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.FromHours(1) };
        return DirTrainer.Train(BenchExperiment.Definition, BenchExperiment.Configuration.Configured, data, options, 5, 1).TestPredictions;
    }

    [Benchmark(Baseline = true)]
    public float[] InMemory() => Epoch(DataPath.InMemory);

    [Benchmark]
    public float[] Streaming() => Epoch(DataPath.Streaming);

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(folder, recursive: true);
}

/// <summary>A row of the FDS cost task: 32 inputs and a target over 100 integer bins.</summary>
public sealed record FdsRecord([property: Feature] float[] X, [property: Target] float Y);

/// <summary>The FDS cost task without FDS: 20,000 x 32 inputs, a 256-wide MLP encoder, 100 bins, batch 256.</summary>
[DirExperiment(Epochs = 2, BatchSize = 256, LearningRate = 1e-3, Seed = 5)]
[LabelBins(Min = 0, Max = 100, Count = 100, Integer = true)]
public partial class NoFdsExperiment
{
    [Data] public static DirSplits<FdsRecord> Load() => FdsData.Splits();

    [Encoder(FeatureDim = 256)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => FdsData.Encoder(inputDim);
}

/// <summary>The same task with FDS from the reference's epoch-end pass.</summary>
[DirExperiment(Epochs = 2, BatchSize = 256, LearningRate = 1e-3, Seed = 5)]
[LabelBins(Min = 0, Max = 100, Count = 100, Integer = true)]
[Fds(StartEpoch = 0, StartSmooth = 1)]
public partial class FdsEpochEndExperiment
{
    [Data] public static DirSplits<FdsRecord> Load() => FdsData.Splits();

    [Encoder(FeatureDim = 256)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => FdsData.Encoder(inputDim);
}

/// <summary>Data and encoder of the FDS cost task.</summary>
public static class FdsData
{
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(
        nn.Linear(inputDim, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU());

    public static DirSplits<FdsRecord> Splits()
    {
        var random = new Random(11);
        List<FdsRecord> Make(int n) => Enumerable.Range(0, n).Select(_ =>
        {
            float y = (float)Math.Min(99, -Math.Log(1 - random.NextDouble()) * 20);
            var x = Enumerable.Range(0, 32).Select(j => (float)(Math.Sin(y * (j + 1) / 50.0) + 0.2 * random.NextDouble())).ToArray();
            return new FdsRecord(x, y);
        }).ToList();
        return new DirSplits<FdsRecord>(Make(20_000), Make(1_000), Make(1_000));
    }
}

/// <summary>
/// Two epochs of the FDS cost task (20,000 x 32, 256-wide MLP, 100 bins, batch 256; FDS updates after both and
/// calibrates the second) without FDS (baseline), with FDS statistics from the reference's epoch-end pass. FDS's share of an epoch is (with - without) / with. Splits held whole; validation included.
/// </summary>
public class FdsShareBenchmarks
{
    private string folder = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Math.Min(2, Environment.ProcessorCount));
        folder = Directory.CreateTempSubdirectory("dirdsl-bench-fds").FullName;
    }

    private RunOptions Options() => new() { OutputFolder = folder, Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.FromHours(1) };

    private static float[] Train<TModel>(ExperimentDefinition<FdsRecord, TModel> experiment, DirVariant variant, string folder, RunOptions options)
        where TModel : DirModel
    {
        var map = experiment.CreateFeatureMap();
        var splits = FdsData.Splits();
        map.Fit(splits.Train);
        var bins = experiment.Settings.Bins;
        using var train = DirDataset.Build(map, splits.Train, "train", bins, 1, CPU);
        using var validation = DirDataset.Build(map, splits.Validation, "validation", bins, 1, CPU);
        using var test = DirDataset.Build(map, splits.Test, "test", bins, 1, CPU);
        var data = new TrainingData(train, validation, test, ShotGroups.FromCounts(bins.Counts(train.Targets)), null, map.Width, folder, CPU);
        return DirTrainer.Train(experiment, variant, data, options, 5, 2).TestPredictions;
    }

    [Benchmark(Baseline = true)]
    public float[] WithoutFds() => Train(NoFdsExperiment.Definition, NoFdsExperiment.Configuration.Configured, folder, Options());

    [Benchmark]
    public float[] FdsEpochEndPass() => Train(FdsEpochEndExperiment.Definition, FdsEpochEndExperiment.Configuration.Configured, folder, Options());

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(folder, recursive: true);
}
