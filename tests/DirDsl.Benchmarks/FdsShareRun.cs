using System.Diagnostics;
using System.Globalization;
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
/// machine cannot fake it: per epoch both wall time and this process's CPU time; configurations alternated round by
/// round (LDS, LDS+FDS with the reference's epoch-end pass, LDS+FDS with the evaluation pass, in a rotating order); per
/// round the median of epochs 2-6 of each; rounds repeated until the 95% interval of the mean FDS share is within
/// 0.03 of it (at least 3 rounds, at most the given number), and the share printed with its interval either way.
/// </summary>
public static class FdsShareRun
{
    private sealed class EpochClock : ITrainingCallback
    {
        private readonly Stopwatch wall = new();
        private TimeSpan cpuAtStart;
        public readonly List<(double Wall, double Cpu)> Epochs = new();

        public void OnEpochStart(EpochStart start)
        {
            cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
            wall.Restart();
        }

        public void OnEpochEnd(EpochEnd epochEnd, TrainingControl control) =>
            Epochs.Add((wall.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds));
    }

    private static (double Wall, double Cpu) Median(string variant, FdsChoices? choices, string folder)
    {
        var clock = new EpochClock();
        var options = new RunOptions { OutputFolder = folder, Device = "cpu", Log = TextWriter.Null, Variants = { variant }, CheckpointInterval = TimeSpan.FromHours(1) };
        options.FdsChoices = choices;
        options.Callbacks.Add(clock);
        FdsShareExperiment.Run(options);
        var later = clock.Epochs.Skip(1).ToList();
        static double Mid(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
        return (Mid(later.Select(e => e.Wall)), Mid(later.Select(e => e.Cpu)));
    }

    public static int Run(int maxRounds)
    {
        torch.set_num_threads(2);
        var folder = Directory.CreateTempSubdirectory("dirdsl-fds-share").FullName;
        // The last one never calibrates (StartSmooth beyond the epochs): its share is the statistics pass and update alone,
        // so the difference to the first FDS row is what calibrating the batches (forward and backward) costs.
        var configurations = new (string Name, string Variant, FdsChoices? Source)[]
        {
            ("LDS", "LDS", null),
            ("LDS+FDS epoch-end pass", "LDS+FDS", new FdsChoices(Statistics: FdsStatistics.EpochEndPass)),
            ("LDS+FDS evaluation pass", "LDS+FDS", new FdsChoices(Statistics: FdsStatistics.EvaluationPass)),
            ("LDS+FDS epoch-end pass, never calibrating", "LDS+FDS", new FdsChoices(Statistics: FdsStatistics.EpochEndPass, StartSmooth: 1000)),
        };
        var rounds = new List<Dictionary<string, (double Wall, double Cpu)>>();
        try
        {
            for (int round = 0; round < maxRounds; round++)
            {
                var measured = new Dictionary<string, (double Wall, double Cpu)>();
                for (int k = 0; k < configurations.Length; k++)
                {
                    var c = configurations[(k + round) % configurations.Length];
                    measured[c.Name] = Median(c.Variant, c.Source, Path.Combine(folder, $"{round}-{k}"));
                }
                rounds.Add(measured);
                Console.WriteLine($"round {round + 1}: " + string.Join("; ", configurations.Select(c =>
                    string.Create(CultureInfo.InvariantCulture, $"{c.Name} {measured[c.Name].Wall:0.000} s wall / {measured[c.Name].Cpu:0.000} s CPU"))));
                if (round >= 2 && configurations.Skip(1).All(c => Share(rounds, c.Name, cpu: true).HalfWidth <= 0.03)) break;
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        Console.WriteLine();
        Console.WriteLine($"FDS's share of an LDS+FDS epoch (1 - LDS epoch / LDS+FDS epoch), mean +- 95% interval over {rounds.Count} alternated rounds, median of epochs 2-6 each:");
        foreach (var c in configurations.Skip(1))
        {
            var cpu = Share(rounds, c.Name, cpu: true);
            var wall = Share(rounds, c.Name, cpu: false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {c.Name}: CPU time {cpu.Mean:P1} +- {cpu.HalfWidth:P1}, wall time {wall.Mean:P1} +- {wall.HalfWidth:P1}{(cpu.HalfWidth > 0.03 ? " (interval still wide: a noisy machine)" : "")}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  LDS epoch: {rounds.Average(r => r["LDS"].Wall):0.000} s wall, {rounds.Average(r => r["LDS"].Cpu):0.000} s CPU (mean of the rounds' medians)"));
        return 0;
    }

    private static (double Mean, double HalfWidth, int Count) Share(List<Dictionary<string, (double Wall, double Cpu)>> rounds, string name, bool cpu) =>
        SeedStatistics.MeanInterval(rounds.Select(r => 1 - (cpu ? r["LDS"].Cpu / r[name].Cpu : r["LDS"].Wall / r[name].Wall)));
}
