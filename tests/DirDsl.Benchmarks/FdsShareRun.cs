using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Benchmarks;

/// <summary>
/// The task of issue #23's first table: 20,000 x 32 inputs, a Linear(32, 256)-ReLU-Linear(256, 256) encoder, FDS on its
/// 256 features over 100 integer bins, L1 weighted by square-root-inverse LDS, batch 256, Adam.
/// </summary>
[DirExperiment(Epochs = 6, BatchSize = 256, LearningRate = 1e-3, Seed = 3)]
[LabelBins(Min = 0, Max = 100, Count = 100, Integer = true)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1)]
[Loss(LossKind.L1)]
[Ablation]
public partial class FdsShareExperiment
{
    [Data] public static DirSplits<BenchRecord> Load() => FdsShareData.Splits();

    [Encoder(FeatureDim = 256)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 256), nn.ReLU(), nn.Linear(256, 256));
}

/// <summary>Deterministic skewed data: 20,000 training rows of 32 features, targets 0-99 concentrated in the middle.</summary>
public static class FdsShareData
{
    public static DirSplits<BenchRecord> Splits()
    {
        var random = new Random(11);
        List<BenchRecord> Make(int n) => Enumerable.Range(0, n).Select(_ =>
        {
            var x = Enumerable.Range(0, 32).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            float y = (float)Math.Clamp(50 + 15 * normal + 5 * x[0], 0, 99.9);
            return new BenchRecord(x, y);
        }).ToList();
        return new DirSplits<BenchRecord>(Make(20_000), Make(2_000), Make(2_000));
    }
}

/// <summary>
/// FDS's share of an epoch in the generated experiment's own Run (what a user gets), measured so that a shared, noisy
/// machine cannot fake it (<see cref="Alternation"/>: wall and CPU time per epoch, configurations alternated round by
/// round, the median epoch after the first of each, rounds repeated until the intervals are narrow): LDS, LDS+FDS with the
/// reference's epoch-end pass, LDS+FDS with the evaluation pass, LDS+FDS never calibrating (the statistics pass and update
/// alone), and a plain TorchSharp loop with the same model, data, loss and optimiser (the framework's own overhead).
/// </summary>
public static class FdsShareRun
{
    private const string Lds = "LDS";
    private const string EpochEnd = "LDS+FDS epoch-end pass";
    private const string Evaluation = "LDS+FDS evaluation pass";
    private const string NeverCalibrating = "LDS+FDS epoch-end pass, never calibrating";
    private const string Plain = "plain TorchSharp loop, LDS";

    private static EpochTime Median(string variant, FdsChoices? choices, string folder) => Alternation.MedianEpoch(new RunOptions
    {
        OutputFolder = folder, Device = "cpu", Log = TextWriter.Null, Variants = { variant }, CheckpointInterval = TimeSpan.FromHours(1), FdsChoices = choices,
    }, FdsShareExperiment.Run);

    public static int Run(int maxRounds)
    {
        torch.set_num_threads(2);
        var folder = Directory.CreateTempSubdirectory("dirdsl-fds-share").FullName;
        var plain = new PlainLoop(FdsShareData.Splits());
        // The never-calibrating row (StartSmooth beyond the epochs) is the statistics pass and update alone, so its
        // difference to the epoch-end row is what calibrating the batches (forward and backward) costs.
        var configurations = new (string Name, Func<int, EpochTime> Measure)[]
        {
            (Lds, round => Median("LDS", null, Path.Combine(folder, $"{round}-lds"))),
            (EpochEnd, round => Median("LDS+FDS", new FdsChoices(Statistics: FdsStatistics.EpochEndPass), Path.Combine(folder, $"{round}-end"))),
            (Evaluation, round => Median("LDS+FDS", new FdsChoices(Statistics: FdsStatistics.EvaluationPass), Path.Combine(folder, $"{round}-eval"))),
            (NeverCalibrating, round => Median("LDS+FDS", new FdsChoices(Statistics: FdsStatistics.EpochEndPass, StartSmooth: 1000), Path.Combine(folder, $"{round}-never"))),
            (Plain, _ => Alternation.MedianAfterFirst(Enumerable.Range(0, 6).Select(e => Alternation.Time(() => plain.Epoch(e))).ToList())),
        };
        try
        {
            Alternation.Run(configurations, new Alternation.Ratio[]
            {
                new("FDS's share, epoch-end pass (1 - LDS / LDS+FDS)", Alternation.Share(EpochEnd, Lds), Percent: true),
                new("FDS's share, evaluation pass", Alternation.Share(Evaluation, Lds), Percent: true),
                new("FDS's share, epoch-end pass never calibrating", Alternation.Share(NeverCalibrating, Lds), Percent: true),
                new("DirDsl LDS / plain loop (framework overhead)", Alternation.Quotient(Lds, Plain)),
            }, maxRounds, halfWidth: 0.03);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    /// <summary>
    /// The loop a TorchSharp user would write for the same task: the inputs standardised once into one tensor, batches in
    /// DirDsl's shuffle, the same MLP and a linear head, L1 weighted per sample by square-root-inverse counts of the integer
    /// targets, TorchSharp's Adam, a validation pass per epoch.
    /// </summary>
    private sealed class PlainLoop
    {
        private readonly Tensor inputs, targets, weights, validationInputs, validationTargets;
        private readonly nn.Module<Tensor, Tensor> model;
        private readonly optim.Optimizer optimizer;

        public PlainLoop(DirSplits<BenchRecord> splits)
        {
            Tensor Rows(IReadOnlyList<BenchRecord> records) => tensor(records.SelectMany(r => r.X).ToArray(), new long[] { records.Count, 32 });
            var raw = Rows(splits.Train);
            var (mean, std) = (raw.mean(new long[] { 0 }), raw.std(0));
            inputs = (raw - mean) / std;
            validationInputs = (Rows(splits.Validation) - mean) / std;
            targets = tensor(splits.Train.Select(r => r.Y).ToArray()).unsqueeze(1);
            validationTargets = tensor(splits.Validation.Select(r => r.Y).ToArray());
            var counts = splits.Train.GroupBy(r => (int)r.Y).ToDictionary(g => g.Key, g => g.Count());
            var w = splits.Train.Select(r => (float)(1 / Math.Sqrt(counts[(int)r.Y]))).ToArray();
            float scale = w.Length / w.Sum();
            weights = tensor(w.Select(v => v * scale).ToArray()).unsqueeze(1);
            torch.manual_seed(3);
            model = nn.Sequential(("encoder", FdsShareExperiment.Encoder(32)), ("head", nn.Linear(256, 1)));
            optimizer = optim.Adam(model.parameters(), 1e-3);
        }

        public void Epoch(int epoch)
        {
            model.train();
            foreach (var batch in TrainingKit.Batches((int)inputs.shape[0], 256, seed: 3, epoch))
            {
                using var scope = NewDisposeScope();
                var index = tensor(batch.ToArray());
                optimizer.zero_grad();
                var error = (model.call(inputs.index_select(0, index)) - targets.index_select(0, index)).abs();
                var loss = (error * weights.index_select(0, index)).mean();
                loss.backward();
                optimizer.step();
                _ = loss.item<float>();
            }
            model.eval();
            using (no_grad())
            using (NewDisposeScope())
                _ = (model.call(validationInputs).reshape(-1) - validationTargets).abs().mean().item<float>();
        }
    }
}
