using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Benchmarks;

/// <summary>
/// Where FDS's time goes on issue #23's task, part by part, with the runtime's own pieces on the task's shapes (20,000
/// rows, Linear(32, 256)-ReLU-Linear(256, 256), 100 bins, batch 256, 2 torch threads): the training epoch without and
/// with calibration, and the epoch-end pass built up step by step (forward, calibration, BinMoments.Add) and the update.
/// Medians of the given number of repeats, interleaved across the parts; the statistics are also merged batch by batch as
/// before BinMoments grouped them, for the comparison.
/// </summary>
public static class FdsPartsRun
{
    public static int Run(int repeats)
    {
        torch.set_num_threads(2);
        torch.manual_seed(1);
        const int n = 20_000, batchSize = 256, bins = 100, width = 256;
        var inputs = randn(n, 32);
        var binOf = randint(0, bins, n, dtype: ScalarType.Int64);
        var encoder = FdsShareExperiment.Encoder(32);
        var head = nn.Linear(width, 1);
        // Two updates, so the second calibrates (the reference's first update calibrates nothing).
        var statistics = new FeatureStatistics(bins, width);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            using var pass = statistics.BeginPass();
            using (no_grad()) pass.Add(encoder.call(inputs) + epoch * 0.1, binOf);
            statistics.Update(pass, epoch);
        }
        using var fixedPass = statistics.BeginPass();
        using (no_grad()) fixedPass.Add(encoder.call(inputs), binOf);
        var order = randperm(n);
        var batches = Enumerable.Range(0, (n + batchSize - 1) / batchSize).Select(b => order.narrow(0, b * batchSize, Math.Min(batchSize, n - b * batchSize))).ToArray();
        var optimizer = optim.Adam(encoder.parameters().Concat(head.parameters()), 1e-3);

        void Train(bool calibrate)
        {
            foreach (var b in batches)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var features = encoder.call(inputs.index_select(0, b));
                if (calibrate) features = statistics.Calibrate(features, binOf.index_select(0, b));
                head.call(features).abs().mean().backward();
                optimizer.step();
            }
        }
        void Pass(bool calibrate, bool add, bool perBatch = false)
        {
            using var noGrad = no_grad();
            using var moments = statistics.BeginPass();
            using var before = new DirDsl.Testing.PerBatchMoments(bins, width);
            foreach (var b in batches)
            {
                using var scope = NewDisposeScope();
                var binsOfBatch = binOf.index_select(0, b);
                var features = encoder.call(inputs.index_select(0, b));
                if (calibrate) features = statistics.Calibrate(features, binsOfBatch);
                if (add && perBatch) before.Add(features, binsOfBatch);
                else if (add) moments.Add(features, binsOfBatch);
            }
            if (add && !perBatch) _ = moments.Count;   // the last group's merge
        }
        var parts = new (string Name, Action Body)[]
        {
            ("training epoch, no FDS (forward, backward, Adam)", () => Train(calibrate: false)),
            ("training epoch with calibration", () => Train(calibrate: true)),
            ("epoch-end pass: forward only", () => Pass(calibrate: false, add: false)),
            ("epoch-end pass: forward + calibration", () => Pass(calibrate: true, add: false)),
            ("epoch-end pass: forward + calibration + BinMoments.Add", () => Pass(calibrate: true, add: true)),
            ("  the same, each batch merged as it comes (before grouping)", () => Pass(calibrate: true, add: true, perBatch: true)),
            ("update (smoothing, calibration tables)", () => statistics.Update(fixedPass, 5)),
        };
        foreach (var part in parts) part.Body();
        // Repeats interleaved across the parts, so a machine that slows down for a while slows every part alike.
        var times = parts.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < repeats; r++)
        {
            for (int p = 0; p < parts.Length; p++)
            {
                var clock = Stopwatch.StartNew();
                parts[p].Body();
                times[p].Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        for (int p = 0; p < parts.Length; p++)
        {
            var sorted = times[p].Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{parts[p].Name,-62} {sorted[sorted.Length / 2],8:0.0} ms"));
        }
        return 0;
    }
}
