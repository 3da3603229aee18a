using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Benchmarks;

/// <summary>A wide synthetic input row and its target.</summary>
public sealed record BenchRecord([property: Feature] float[] X, [property: Target] float Y);

/// <summary>The experiment whose generated loop is measured: 3-layer MLP, MSE, Vanilla, 3 epochs.</summary>
[DirExperiment(Epochs = 3, BatchSize = 256, LearningRate = 1e-3, Seed = 5)]
[LabelBins(Min = 0, Max = 10, Count = 50)]
public partial class BenchExperiment
{
    [Data] public static DirSplits<BenchRecord> Load() => BenchData.Splits();

    [Encoder(FeatureDim = 256)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(
        nn.Linear(inputDim, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU());
}

/// <summary>Deterministic synthetic data: 20,000 training rows of 64 features.</summary>
public static class BenchData
{
    public static DirSplits<BenchRecord> Splits()
    {
        var random = new Random(9);
        List<BenchRecord> Make(int n) => Enumerable.Range(0, n).Select(_ =>
        {
            var x = Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble()).ToArray();
            return new BenchRecord(x, Math.Clamp(x.Take(8).Sum() + (float)random.NextDouble(), 0, 9.99f));
        }).ToList();
        return new DirSplits<BenchRecord>(Make(20_000), Make(2_000), Make(2_000));
    }
}

/// <summary>
/// The generated training loop (per-epoch validation, best weights, timed checkpoints, the final
/// evaluation) against a minimal hand-written TorchSharp loop over the same model, data, batches,
/// loss and evaluation, without checkpoints, for 1 and 5 epochs: the difference between the two
/// gives the cost of one epoch, the 1-epoch run the one-off costs. Target: at most 1.03x per epoch.
/// </summary>
public class GeneratedEpochBenchmarks
{
    [Params(1, 5)]
    public int Epochs { get; set; }

    private DirDataset train = null!, validation = null!, test = null!;
    private int width;
    private ShotGroups groups = null!;
    private string folder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var splits = BenchData.Splits();
        var map = new BenchExperiment.FeatureMap();
        map.Fit(splits.Train);
        width = map.Width;
        var bins = BenchExperiment.Configuration.Bins;
        train = DirDataset.Build(map, splits.Train, "train", bins, 1, CPU);
        validation = DirDataset.Build(map, splits.Validation, "validation", bins, 1, CPU);
        test = DirDataset.Build(map, splits.Test, "test", bins, 1, CPU);
        groups = ShotGroups.FromCounts(bins.Counts(train.Targets));
        folder = Directory.CreateTempSubdirectory("dirdsl-bench").FullName;
    }

    [Benchmark(Baseline = true)]
    public float[] HandWrittenLoop()
    {
        TrainingKit.SeedEpoch(5, -1);
        using var model = new BenchExperiment.Model(ModelContext.Plain(width, BenchExperiment.Configuration.Bins));
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            TrainingKit.SeedEpoch(5, epoch);
            model.train();
            foreach (var batch in TrainingKit.Batches(train.Count, 256, 5, epoch))
            {
                using var scope = NewDisposeScope();
                var index = tensor(batch.ToArray());
                optimizer.zero_grad();
                var loss = (model.forward(train.Inputs.index_select(0, index)) - train.ScaledTargets.index_select(0, index)).pow(2).mean();
                loss.backward();
                optimizer.step();
            }
            Evaluate(model, validation);
        }
        Evaluate(model, validation);
        return Evaluate(model, test);
    }

    private static float[] Evaluate(BenchExperiment.Model model, DirDataset data)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.forward(data.Inputs).reshape(-1).data<float>().ToArray();
    }

    [Benchmark]
    public float[] GeneratedLoop()
    {
        var options = new RunOptions { OutputFolder = folder, Device = "cpu", Log = TextWriter.Null };
        var variant = BenchExperiment.Configuration.Configured;
        var data = new TrainingData(train, validation, test, groups, null, width, folder, CPU);
        return DirTrainer.Train(BenchExperiment.Definition, variant, data, options, 5, Epochs).TestPredictions;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        train.Dispose();
        validation.Dispose();
        test.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}

/// <summary>What one epoch's checkpoints cost for the benchmark model: the resume checkpoint and the best weights.</summary>
public class CheckpointBenchmarks
{
    private BenchExperiment.Model model = null!;
    private TorchSharp.Modules.OptimizerHelper optimizer = null!;
    private CheckpointStore store = null!;
    private readonly TrainingState state = new() { NextEpoch = 1, BestScore = 0.5, BestEpoch = 0 };

    [GlobalSetup]
    public void Setup()
    {
        model = new BenchExperiment.Model(ModelContext.Plain(64, BenchExperiment.Configuration.Bins));
        optimizer = TrainingKit.CreateOptimizer(OptimizerKind.Adam, model.parameters(), 1e-3, 0);
        using (var scope = NewDisposeScope())
        {
            var loss = model.forward(randn(8, 64)).sum();
            loss.backward();
            optimizer.step();
        }
        store = new CheckpointStore(Directory.CreateTempSubdirectory("dirdsl-ckpt").FullName);
    }

    [Benchmark(Baseline = true)]
    public void ModelSaveOnly()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        model.save(writer);
    }

    [Benchmark]
    public void SaveLast() => store.SaveLast(model, optimizer, state);

    [Benchmark]
    public void SaveBest() => store.SaveBest(model, state);
}
