using System.Diagnostics;
using System.Globalization;

namespace DirDsl.Benchmarks;

/// <summary>One configuration's epoch time in a round: the median over its measured epochs, by wall clock and by this process's CPU time.</summary>
public readonly record struct EpochTime(double Wall, double Cpu);

/// <summary>
/// Configurations timed so that a shared, noisy machine cannot fake a ratio: they run in rounds, in a rotating order
/// within each round, and rounds repeat until every ratio's 95% interval (over rounds) is within the given half-width,
/// or the rounds run out; every ratio is printed with its interval either way, and with a note when it stayed wide.
/// </summary>
public static class Alternation
{
    /// <summary>Per-epoch clock of a run: wall and process CPU time from each epoch's start to its end.</summary>
    public sealed class EpochClock : ITrainingCallback
    {
        private readonly Stopwatch wall = new();
        private TimeSpan cpuAtStart;
        public readonly List<EpochTime> Epochs = new();

        public void OnEpochStart(EpochStart start)
        {
            cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
            wall.Restart();
        }

        public void OnEpochEnd(EpochEnd epochEnd, TrainingControl control) =>
            Epochs.Add(new EpochTime(wall.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds));
    }

    /// <summary>Runs a generated experiment's <c>Run</c> with <paramref name="options"/> and returns its median epoch after the first.</summary>
    public static EpochTime MedianEpoch(RunOptions options, Func<RunOptions, ExperimentResult> run)
    {
        var clock = new EpochClock();
        options.Callbacks.Add(clock);
        run(options);
        return MedianAfterFirst(clock.Epochs);
    }

    /// <summary>Times one epoch of a plain loop: wall and process CPU time of <paramref name="epoch"/>.</summary>
    public static EpochTime Time(Action epoch)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        epoch();
        return new EpochTime(wall.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    /// <summary>The median of the epochs after the first (which pays one-time costs: JIT, first decodes, allocator growth).</summary>
    public static EpochTime MedianAfterFirst(IReadOnlyList<EpochTime> epochs)
    {
        var later = epochs.Skip(1).ToList();
        if (later.Count == 0) throw new InvalidOperationException("Time at least two epochs: the first is left out.");
        return new EpochTime(Median(later.Select(e => e.Wall)), Median(later.Select(e => e.Cpu)));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>A ratio to report: <c>Value(round)</c> from one round's times, with how it reads.</summary>
    public sealed record Ratio(string Name, Func<IReadOnlyDictionary<string, EpochTime>, bool, double> Value, bool Percent = false);

    /// <summary>Runs the rounds and prints each configuration's times and each ratio with its interval.</summary>
    public static List<Dictionary<string, EpochTime>> Run(IReadOnlyList<(string Name, Func<int, EpochTime> Measure)> configurations,
        IReadOnlyList<Ratio> ratios, int maxRounds, double halfWidth, int minRounds = 3)
    {
        var rounds = new List<Dictionary<string, EpochTime>>();
        for (int round = 0; round < maxRounds; round++)
        {
            var measured = new Dictionary<string, EpochTime>();
            for (int k = 0; k < configurations.Count; k++)
            {
                var c = configurations[(k + round) % configurations.Count];
                measured[c.Name] = c.Measure(round);
            }
            rounds.Add(measured);
            Console.WriteLine($"round {round + 1}: " + string.Join("; ", configurations.Select(c =>
                string.Create(CultureInfo.InvariantCulture, $"{c.Name} {measured[c.Name].Wall:0.000} s wall / {measured[c.Name].Cpu:0.000} s CPU"))));
            if (round + 1 >= minRounds && ratios.All(r => Interval(rounds, r, cpu: true).HalfWidth <= halfWidth && Interval(rounds, r, cpu: false).HalfWidth <= halfWidth)) break;
        }
        Console.WriteLine();
        Console.WriteLine($"Mean +- 95% interval over {rounds.Count} alternated rounds (each the median of its epochs after the first):");
        foreach (var c in configurations)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {c.Name}: {rounds.Average(r => r[c.Name].Wall):0.000} s wall, {rounds.Average(r => r[c.Name].Cpu):0.000} s CPU per epoch"));
        foreach (var r in ratios)
        {
            var cpu = Interval(rounds, r, cpu: true);
            var wall = Interval(rounds, r, cpu: false);
            string Show((double Mean, double HalfWidth, int Count) v) => r.Percent
                ? string.Create(CultureInfo.InvariantCulture, $"{v.Mean:P1} +- {v.HalfWidth:P1}")
                : string.Create(CultureInfo.InvariantCulture, $"{v.Mean:0.000} +- {v.HalfWidth:0.000}");
            bool wide = cpu.HalfWidth > halfWidth || wall.HalfWidth > halfWidth;
            Console.WriteLine($"  {r.Name}: CPU time {Show(cpu)}, wall time {Show(wall)}{(wide ? " (interval still wide: a noisy machine)" : "")}");
        }
        return rounds;
    }

    private static (double Mean, double HalfWidth, int Count) Interval(List<Dictionary<string, EpochTime>> rounds, Ratio ratio, bool cpu) =>
        SeedStatistics.MeanInterval(rounds.Select(r => ratio.Value(r, cpu)));

    /// <summary>A/B per round, by CPU or wall time.</summary>
    public static Func<IReadOnlyDictionary<string, EpochTime>, bool, double> Quotient(string a, string b) =>
        (r, cpu) => cpu ? r[a].Cpu / r[b].Cpu : r[a].Wall / r[b].Wall;

    /// <summary>1 - B/A per round: the share of A's epoch that B does not have.</summary>
    public static Func<IReadOnlyDictionary<string, EpochTime>, bool, double> Share(string a, string b) =>
        (r, cpu) => 1 - (cpu ? r[b].Cpu / r[a].Cpu : r[b].Wall / r[a].Wall);
}
