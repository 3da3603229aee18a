using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DirDsl.Tests;

/// <summary>
/// FDS end to end against an oracle: <see cref="ReferenceFds"/>, a plain TorchSharp transcription of the reference
/// repository's <c>agedb-dir/fds.py</c> (bin by bin in loops, its buffers aliased as the original's are), driven side by
/// side with <see cref="FeatureStatistics"/> over several epochs of the features of a small CNN (DialDir's layers:
/// convolution, batch norm, ReLU, max pool, dense) trained between the epochs. Each epoch runs the reference's order:
/// the training steps calibrate with the tables of the epoch before, then a training-mode pass collects the calibrated
/// features, then the statistics update. The labels have bins never seen, bins with one sample and samples in both edge
/// bins. Every statistic and every calibrated feature must agree, in the reference's order (DirDsl's default) and in
/// the snapshot order (an option), with the age code's rule for unseen bins (the default) and the STS-B code's.
/// </summary>
/// <remarks>
/// Runs alone (<see cref="SerialTorchCollection"/>). The float32 CNN once gave NaN features here (at a random step,
/// more often with two threads and in the full suite), which earlier sessions worked around with one thread, a small
/// clipped step and a double-precision CNN. The cause was oneDNN's AVX-512 convolution backward for layers of fewer
/// than 16 channels (README, Reliability: why portable is the default), not FDS and not the garbage collector: the
/// tests run the programs' default portable numerics (NativeSetup), and the workarounds are gone. A NaN is reported
/// as such rather than as a mismatch.
/// </remarks>
[Collection(SerialTorchCollection.Name)]
public sealed class FdsOracleTests
{
    private const int Bins = 20;
    private const int FeatureDim = 12;
    private const int Epochs = 5;
    private const double Momentum = 0.9;
    private const int StartUpdate = 0;
    private const int StartSmooth = 1;
    private const double ClipMin = 0.1;
    private const double ClipMax = 10;

    /// <summary>
    /// The reference module in its own order, rewritten from its description (not its code): running statistics per
    /// bin, "last epoch" statistics that are the running tensors themselves once assigned (so later in-place row
    /// updates show through) and smoothed copies taken when they are assigned.
    /// </summary>
    private sealed class ReferenceFds
    {
        private readonly float[] window;
        private readonly bool fillUnseen;
        private readonly bool snapshot;
        private int epochMarker = StartUpdate;
        private readonly Tensor runningMean = zeros(Bins, FeatureDim);
        private readonly Tensor runningVar = ones(Bins, FeatureDim);
        private Tensor lastMean = zeros(Bins, FeatureDim);
        private Tensor lastVar = ones(Bins, FeatureDim);
        public Tensor SmoothedMean = zeros(Bins, FeatureDim);
        public Tensor SmoothedVar = ones(Bins, FeatureDim);

        /// <param name="window">The sum-normalised kernel window.</param>
        /// <param name="fillUnseen">The STS-B code's rule: bins absent from this epoch's labels take their neighbours' values.</param>
        /// <param name="snapshot">The clean order: update first, then last = a copy of running, smoothed from it.</param>
        public ReferenceFds(float[] window, bool fillUnseen, bool snapshot)
        {
            this.window = window;
            this.fillUnseen = fillUnseen;
            this.snapshot = snapshot;
        }

        public Tensor RunningMean => runningMean;
        public Tensor RunningVar => runningVar;

        private Tensor Smooth(Tensor statistics)
        {
            int half = window.Length / 2;
            var padded = F.pad(statistics.t().unsqueeze(1), new long[] { half, half }, PaddingModes.Reflect);
            return F.conv1d(padded, tensor(window).reshape(1, 1, window.Length)).squeeze(1).t();
        }

        /// <summary>The reference's update_last_epoch_stats: once per epoch after start_update, alias and smooth.</summary>
        public void UpdateLastEpochStats(int epoch)
        {
            if (snapshot || epoch != epochMarker + 1) return;
            epochMarker++;
            lastMean = runningMean;
            lastVar = runningVar;
            SmoothedMean = Smooth(lastMean);
            SmoothedVar = Smooth(lastVar);
        }

        /// <summary>The reference's update_running_stats: a loop over the labels present, edge bins pooling beyond them.</summary>
        public void UpdateRunningStats(Tensor features, long[] labels, int epoch)
        {
            if (epoch < epochMarker) return;
            var present = labels.Distinct().OrderBy(l => l).ToArray();
            foreach (var label in present)
            {
                var rows = Enumerable.Range(0, labels.Length)
                    .Where(i => label == 0 ? labels[i] <= 0 : label == Bins - 1 ? labels[i] >= Bins - 1 : labels[i] == label).Select(i => (long)i).ToArray();
                var selected = features.index_select(0, tensor(rows));
                var mean = selected.mean(new long[] { 0 });
                var variance = selected.var(0, unbiased: rows.Length != 1);
                double factor = epoch == StartUpdate ? 0 : Momentum;
                runningMean[label] = mean * (1 - factor) + runningMean[label] * factor;
                runningVar[label] = variance * (1 - factor) + runningVar[label] * factor;
            }
            if (fillUnseen)
            {
                for (long bin = 0; bin < Bins; bin++)
                {
                    if (present.Contains(bin)) continue;
                    foreach (var statistic in new[] { runningMean, runningVar })
                        statistic[bin] = bin == 0 ? statistic[1].clone() : bin == Bins - 1 ? statistic[bin - 1].clone() : (statistic[bin - 1] + statistic[bin + 1]) / 2;
                }
            }
            if (snapshot)
            {
                epochMarker = epoch;
                lastMean = runningMean.clone();
                lastVar = runningVar.clone();
                SmoothedMean = Smooth(lastMean);
                SmoothedVar = Smooth(lastVar);
            }
        }

        /// <summary>The reference's smooth with its calibrate_mean_var, sample group by sample group, in place.</summary>
        public Tensor Calibrate(Tensor features, long[] labels, int epoch)
        {
            if (epoch < StartSmooth) return features;
            var result = features.clone();
            foreach (var label in labels.Distinct())
            {
                var rows = tensor(Enumerable.Range(0, labels.Length).Where(i => labels[i] == label).Select(i => (long)i).ToArray());
                var m1 = lastMean[label];
                var v1 = lastVar[label];
                var m2 = SmoothedMean[label];
                var v2 = SmoothedVar[label];
                if (v1.sum().item<float>() < 1e-10) continue;
                var valid = v1.ne(0);
                var factor = (v2 / where(valid, v1, ones_like(v1))).clamp(ClipMin, ClipMax);
                var group = result.index_select(0, rows);
                var calibrated = where(valid.unsqueeze(0), (group - m1) * factor.sqrt() + m2, group);
                result.index_copy_(0, rows, calibrated);
            }
            return result;
        }
    }

    /// <summary>
    /// Labels over 20 bins: a skewed body, bins 3 and 16 never seen, bins 1, 14 and 18 with one sample, and samples in
    /// both edge bins.
    /// </summary>
    private static long[] Labels()
    {
        var labels = new List<long>();
        var counts = new Dictionary<long, int> { [0] = 2, [1] = 1, [2] = 3, [4] = 6, [5] = 12, [6] = 20, [7] = 24, [8] = 20, [9] = 14, [10] = 10, [11] = 7, [12] = 5, [13] = 3, [14] = 1, [15] = 2, [17] = 2, [18] = 1, [19] = 3 };
        foreach (var (bin, count) in counts) labels.AddRange(Enumerable.Repeat(bin, count));
        return labels.ToArray();
    }

    [Theory]
    [InlineData(FdsOrder.Reference, FdsUnseenBins.Keep)]
    [InlineData(FdsOrder.Reference, FdsUnseenBins.Fill)]
    [InlineData(FdsOrder.Snapshot, FdsUnseenBins.Keep)]
    [InlineData(FdsOrder.Snapshot, FdsUnseenBins.Fill)]
    public void FeatureStatistics_MatchTheReferenceModule_EpochByEpoch_OnTrainedCnnFeatures(FdsOrder order, FdsUnseenBins unseen)
    {
        Run(order, unseen);
    }

    private static void Run(FdsOrder order, FdsUnseenBins unseen)
    {
        manual_seed(11);
        var labels = Labels();
        int n = labels.Length;
        // Pictures whose brightness grows with the label plus noise: a CNN learns features that vary with the bin.
        var images = (tensor(labels.Select(l => (float)l / Bins).ToArray()).reshape(n, 1, 1, 1) + randn(n, 1, 16, 16) * 0.3f).contiguous();
        var targets = tensor(labels.Select(l => (float)l).ToArray()).reshape(n, 1);
        using var encoder = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(8 * 4 * 4, FeatureDim), nn.ReLU());
        BatchNormCounters.Detach(encoder);
        using var head = nn.Linear(FeatureDim, 1);
        var parameters = encoder.parameters().Concat(head.parameters()).ToList();
        var optimizer = optim.SGD(parameters, 0.05);

        using var ours = new FeatureStatistics(Bins, FeatureDim, Momentum, Kernel.Gaussian, 5, 2, StartUpdate, ClipMin, ClipMax, order, unseen);
        var oracle = new ReferenceFds(ours.Window.ToArray(), unseen == FdsUnseenBins.Fill, order == FdsOrder.Snapshot);
        var binTensor = tensor(labels);
        int calibratedEpochs = 0;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            // Training steps: both calibrate the same raw features with their own tables; DirDsl's calibrated batch trains.
            encoder.train();
            for (int step = 0; step < 3; step++)
            {
                using var scope = NewDisposeScope();
                var raw = encoder.call(images);
                Assert.False(raw.isnan().any().item<bool>(), $"epoch {epoch} step {step}: the CNN's features are NaN before any comparison");
                var calibrated = ours.Calibrate(raw, binTensor);
                using (no_grad()) AssertClose(oracle.Calibrate(raw.detach(), labels, epoch), epoch >= StartSmooth ? calibrated.detach() : raw.detach(), $"epoch {epoch} step {step} calibrated features");
                if (epoch >= StartSmooth && !calibrated.detach().eq(raw.detach()).all().item<bool>()) calibratedEpochs++;
                optimizer.zero_grad();
                (epoch >= StartSmooth ? head.call(calibrated) : head.call(raw)).sub(targets).abs().mean().backward();
                optimizer.step();
            }
            // The epoch-end pass in training mode, calibrated as the reference's model returns its features.
            using (no_grad())
            {
                var raw = encoder.call(images);
                var referenceFeatures = oracle.Calibrate(raw, labels, epoch);
                var ourFeatures = epoch >= StartSmooth ? ours.Calibrate(raw, binTensor) : raw;
                AssertClose(referenceFeatures, ourFeatures, $"epoch {epoch} pass features");
                oracle.UpdateLastEpochStats(epoch);
                oracle.UpdateRunningStats(referenceFeatures, labels, epoch);
                ours.Update(ourFeatures, binTensor, epoch);
            }
            AssertClose(oracle.RunningMean, ours.RunningMean, $"epoch {epoch} running mean");
            AssertClose(oracle.RunningVar, ours.RunningVar, $"epoch {epoch} running variance");
            AssertClose(oracle.SmoothedMean, ours.SmoothedMean, $"epoch {epoch} smoothed mean");
            AssertClose(oracle.SmoothedVar, ours.SmoothedVar, $"epoch {epoch} smoothed variance");
        }
        // The reference's order first calibrates at epoch 2 (epoch 1 uses the initial 0 / 1 statistics), the snapshot at epoch 1.
        Assert.Equal(order == FdsOrder.Reference ? 3 * (Epochs - 2) : 3 * (Epochs - 1), calibratedEpochs);
        // Bins never seen keep 0 / 1 under the age code's rule and take their neighbours' values under the STS-B code's.
        var mean = ours.RunningMean.data<float>().ToArray();
        var variance = ours.RunningVar.data<float>().ToArray();
        if (unseen == FdsUnseenBins.Keep)
        {
            Assert.All(Enumerable.Range(0, FeatureDim), d => Assert.Equal(0f, mean[3 * FeatureDim + d]));
            Assert.All(Enumerable.Range(0, FeatureDim), d => Assert.Equal(1f, variance[16 * FeatureDim + d]));
        }
        else
        {
            Assert.All(Enumerable.Range(0, FeatureDim), d => Assert.Equal((mean[2 * FeatureDim + d] + mean[4 * FeatureDim + d]) / 2, mean[3 * FeatureDim + d], 5));
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var e = expected.cpu().data<float>().ToArray();
        var a = actual.cpu().data<float>().ToArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++) Vectors.Close(e[i], a[i], 1e-4, 1e-5, $"{what}[{i}]");
    }
}

/// <summary>Test classes that must not run beside others: their torch computations are checked to the last digit or known to misbehave under concurrent load.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Serial torch";
}
