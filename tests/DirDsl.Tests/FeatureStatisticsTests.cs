using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>FDS statistics and calibration against Vectors/fds_statistics.json (the reference FDS module).</summary>
public sealed class FeatureStatisticsTests
{
    private static readonly System.Text.Json.JsonElement Case = Vectors.Load("fds_statistics.json").GetProperty("cases")[0];

    private static Tensor Matrix(string name) => tensor(Case.GetProperty(name).Matrix());
    private static Tensor Bins(string name) => tensor(Case.GetProperty(name).Floats().Select(x => (long)x).ToArray());

    /// <summary>
    /// The vectors' module. The vectors hold the reference's pieces (statistics of one update, their smoothing, a batch
    /// calibrated by that pair), which the snapshot order composes directly; the reference's own order is tested below.
    /// </summary>
    private static FeatureStatistics Create(FdsOrder order = FdsOrder.Snapshot) => new(
        Case.GetProperty("bucket_num").GetInt32(), Case.GetProperty("feature_dim").GetInt32(),
        Case.GetProperty("momentum").GetDouble(), Vectors.ParseKernel(Case.GetProperty("kernel").GetString()!),
        Case.GetProperty("size").GetInt32(), Case.GetProperty("sigma").GetDouble(), order: order);

    private static void AssertClose(string expectedName, Tensor actual)
    {
        var expected = Case.GetProperty(expectedName).Matrix();
        var got = actual.cpu().data<float>().ToArray();
        int cols = expected.GetLength(1);
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < cols; j++)
                Vectors.Close(expected[i, j], got[i * cols + j], 1e-4, 1e-5, $"{expectedName}[{i},{j}]");
    }

    [Fact]
    public void Epoch0_SetsStatisticsDirectly_AndSmooths()
    {
        using var fds = Create();
        fds.Update(Matrix("epoch0_features"), Bins("labels"), epoch: 0);
        AssertClose("running_mean_after_epoch0", fds.RunningMean);
        AssertClose("running_var_after_epoch0", fds.RunningVar);
        AssertClose("smoothed_mean", fds.SmoothedMean);
        AssertClose("smoothed_var", fds.SmoothedVar);
    }

    [Fact]
    public void CalibratedBatch_UsesEpoch0Snapshot()
    {
        using var fds = Create();
        fds.Update(Matrix("epoch0_features"), Bins("labels"), epoch: 0);
        AssertClose("calibrated_batch", fds.Calibrate(Matrix("batch_features"), Bins("batch_labels")));
    }

    [Fact]
    public void ReferenceOrder_FirstUpdateCalibratesNothing()
    {
        using var fds = Create(FdsOrder.Reference);
        fds.Update(Matrix("epoch0_features"), Bins("labels"), epoch: 0);
        AssertClose("running_mean_after_epoch0", fds.RunningMean);
        var batch = Matrix("batch_features");
        // The reference's "last epoch" buffers are still at their initial 0 / 1 after its first update.
        Assert.True(fds.Calibrate(batch, Bins("batch_labels")).eq(batch).all().item<bool>());
    }

    [Fact]
    public void ReferenceOrder_WhitensWithTheNewStatistics_AndMovesToTheSmoothedOnesOfTheUpdateBefore()
    {
        using var fds = Create(FdsOrder.Reference);
        fds.Update(Matrix("epoch0_features"), Bins("labels"), epoch: 0);
        fds.Update(Matrix("epoch1_features"), Bins("labels"), epoch: 1);
        AssertClose("running_mean_after_epoch1", fds.RunningMean);
        AssertClose("running_var_after_epoch1", fds.RunningVar);
        // The smoothed statistics are those of epoch 0's running statistics (the vectors' smoothing of them).
        AssertClose("smoothed_mean", fds.SmoothedMean);
        AssertClose("smoothed_var", fds.SmoothedVar);
        // By hand from the vectors: z' = (z - mu1) * sqrt(clamp(var_s0 / var1, 0.1, 10)) + mu_s0, per component, identity
        // where var1 is 0 (the bins with one sample).
        var z = Case.GetProperty("batch_features").Matrix();
        var labels = Case.GetProperty("batch_labels").Floats().Select(x => (int)x).ToArray();
        var mu1 = Case.GetProperty("running_mean_after_epoch1").Matrix();
        var var1 = Case.GetProperty("running_var_after_epoch1").Matrix();
        var muS = Case.GetProperty("smoothed_mean").Matrix();
        var varS = Case.GetProperty("smoothed_var").Matrix();
        var got = fds.Calibrate(Matrix("batch_features"), Bins("batch_labels")).data<float>().ToArray();
        int d = z.GetLength(1);
        for (int i = 0; i < z.GetLength(0); i++)
        {
            int j = labels[i];
            for (int k = 0; k < d; k++)
            {
                double expected = var1[j, k] == 0 ? z[i, k]
                    : (z[i, k] - mu1[j, k]) * Math.Sqrt(Math.Clamp(varS[j, k] / var1[j, k], 0.1, 10)) + muS[j, k];
                Vectors.Close(expected, got[i * d + k], 1e-4, 1e-5, $"calibrated[{i},{k}]");
            }
        }
    }

    [Fact]
    public void Epoch1_BlendsWithMomentum()
    {
        using var fds = Create();
        fds.Update(Matrix("epoch0_features"), Bins("labels"), epoch: 0);
        fds.Update(Matrix("epoch1_features"), Bins("labels"), epoch: 1);
        AssertClose("running_mean_after_epoch1", fds.RunningMean);
        AssertClose("running_var_after_epoch1", fds.RunningVar);
        Assert.Equal(2, fds.UpdateCount);
    }

    [Fact]
    public void FdsEpoch_ByHandFromTheVectors()
    {
        using var fds = Create();
        fds.Update(Matrix("epoch0_features"), Bins("labels"), epoch: 0);
        var mu = Case.GetProperty("running_mean_after_epoch0").Matrix();
        var variance = Case.GetProperty("running_var_after_epoch0").Matrix();
        var muS = Case.GetProperty("smoothed_mean").Matrix();
        var varS = Case.GetProperty("smoothed_var").Matrix();
        int bins = mu.GetLength(0), d = mu.GetLength(1);
        // A bin's own mean moves to the smoothed mean in every component with a variance (the snapshot's tables):
        // its shift is the mean over components of |mu_s - mu|, 0 for a component (or a bin) left alone.
        var shift = Enumerable.Range(0, bins).Select(j => Enumerable.Range(0, d).Average(k => variance[j, k] == 0 ? 0 : Math.Abs(muS[j, k] - mu[j, k]))).ToArray();
        var calibrated = Enumerable.Range(0, bins).Count(j => Enumerable.Range(0, d).Any(k => variance[j, k] != 0));
        var counts = Case.GetProperty("labels").Floats().GroupBy(x => (int)x).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();
        var groups = ShotGroups.FromCounts(counts, manyAbove: 14, fewBelow: 10);
        var view = FdsEpoch.Of(fds, groups);
        Assert.Equal(calibrated / (double)bins, view.CalibratedShare, 6);
        Assert.Equal(shift.Average(), view.Shift, 4);
        double Group(ShotGroup g) => Enumerable.Range(0, bins).Where(j => groups.GroupOf(j) == g).Select(j => (double)shift[j]).DefaultIfEmpty(double.NaN).Average();
        Assert.Equal(Group(ShotGroup.Many), view.ShiftMany, 4);
        Assert.Equal(Group(ShotGroup.Few), view.ShiftFew, 4);
        double distance = Enumerable.Range(0, bins).SelectMany(j => Enumerable.Range(0, d).Select(k => Math.Abs(mu[j, k] - muS[j, k]))).Average();
        double varianceDistance = Enumerable.Range(0, bins).SelectMany(j => Enumerable.Range(0, d).Select(k => Math.Abs(variance[j, k] - varS[j, k]))).Average();
        Assert.Equal(distance, view.MeanDistance, 4);
        Assert.Equal(varianceDistance, view.VarianceDistance, 4);
        // The reference's order: its first update calibrates nothing.
        using var reference = Create(FdsOrder.Reference);
        reference.Update(Matrix("epoch0_features"), Bins("labels"), epoch: 0);
        var first = FdsEpoch.Of(reference, groups);
        Assert.Equal(0, first.CalibratedShare);
        Assert.Equal(0, first.Shift);
    }

    [Fact]
    public void StreamingForm_GivesTheSameStatistics()
    {
        using var fds = Create();
        var features = Matrix("epoch0_features");
        var bins = Bins("labels");
        using (var pass = fds.BeginPass())
        {
            // Uneven batches, so Chan's merge is exercised with different counts per bin.
            foreach (var (start, length) in new[] { (0L, 7L), (7L, 50L), (57L, 1L), (58L, 62L) })
                pass.Add(features.narrow(0, start, length), bins.narrow(0, start, length));
            fds.Update(pass, epoch: 0);
        }
        AssertClose("running_mean_after_epoch0", fds.RunningMean);
        AssertClose("running_var_after_epoch0", fds.RunningVar);
        AssertClose("smoothed_var", fds.SmoothedVar);
    }

    [Theory]
    [InlineData(256, 100, 64)]    // #23's task: 16 batches of 256 to a group
    [InlineData(37, 7, 5)]        // uneven batches, few bins, several groups
    [InlineData(5000, 10, 3)]     // a batch above a group's rows, merged on its own
    [InlineData(64, 100, 8)]      // a group closed by its batch-bins (40 x 100 <= 4,096) before its rows
    [InlineData(200, 30, 13)]     // a width of one vector and a tail (8 + 5 or 16 - 3 lanes)
    [InlineData(300, 20, 31)]     // vectors and a tail of 7 (8 lanes) or 15 (16 lanes)
    public void BothKernels_AreBitForBit_TheMomentsOfMergingEachBatchAsItComes(int batchSize, int binCount, int width)
    {
        var random = new Random(batchSize + binCount);
        var batches = new List<(Tensor X, Tensor Bins)>();
        for (int b = 0, rows = 0; rows < 12_000; b++)
        {
            int n = Math.Max(1, batchSize - random.Next(0, Math.Max(1, batchSize / 3)));
            // Bins skewed, some absent from a batch; component 0 constant per bin (its variance must be exactly 0).
            var bins = Enumerable.Range(0, n).Select(_ => (long)Math.Min(binCount - 1, (int)(binCount * Math.Pow(random.NextDouble(), 2)))).ToArray();
            var x = randn(n, width) * 3 + 0.1;
            x[TensorIndex.Colon, 0] = tensor(bins).to_type(ScalarType.Float32) * 0.1f;
            batches.Add((x, tensor(bins)));
            rows += n;
        }
        using var expected = DirDsl.Testing.PerBatchMoments.Of(batches, binCount, width);
        // The managed CPU kernel (the default on the CPU) and the grouped tensor form (a device's) against the oracle.
        foreach (bool hostKernel in new[] { true, false })
        {
            using var moments = new BinMoments(binCount, width, CPU, hostKernel);
            foreach (var (x, bins) in batches)
            {
                using var scope = NewDisposeScope();
                moments.Add(x.clone(), bins.clone());   // freed at once: the accumulator must not rely on the caller's tensors
            }
            Assert.Equal(expected.Count.data<double>().ToArray(), moments.Count.data<double>().ToArray());
            Assert.Equal(expected.Mean.data<float>().ToArray(), moments.Mean.data<float>().ToArray());
            var variance = moments.Variance();
            Assert.Equal(expected.Variance().data<float>().ToArray(), variance.data<float>().ToArray());
            Assert.All(variance[TensorIndex.Colon, 0].data<float>().ToArray(), v => Assert.Equal(0f, v));
        }
    }

    [Theory]
    [InlineData(4L, "1..4", true)]     // one beyond the last bin, the managed kernel
    [InlineData(-1L, "-1..2", true)]   // negative
    [InlineData(4L, "1..4", false)]    // the tensor form: bincount's output grows
    [InlineData(-1L, "-1..2", false)]  // the tensor form: bincount itself refuses
    public void BinIndexOutsideTheBins_IsRefusedWithTheRange_AndAddsNothing(long bad, string range, bool hostKernel)
    {
        using var moments = new BinMoments(4, 2, CPU, hostKernel);
        var features = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(3, 2);
        var error = Assert.Throws<ArgumentException>(() => moments.Add(features, tensor(new long[] { 2, bad, 1 })));
        Assert.Equal($"FDS bin indices must lie in [0, 4); got {range}. (Parameter 'binIndices')", error.Message);
        Assert.Equal(new double[4], moments.Count.data<double>().ToArray());
        moments.Add(features, tensor(new long[] { 2, 3, 2 }));
        Assert.Equal(new double[] { 0, 0, 2, 1 }, moments.Count.data<double>().ToArray());
        Assert.Equal(new float[] { 0, 0, 0, 0, 3, 4, 3, 4 }, moments.Mean.data<float>().ToArray());
    }

    [Theory]
    [InlineData(256)]    // whole vectors (#23's width)
    [InlineData(31)]     // vectors and a tail of 7 (8 lanes) or 15 (16 lanes)
    [InlineData(13)]     // a vector and a tail
    [InlineData(3)]      // a tail only
    public void Calibration_OnTheCpu_IsBitForBit_TheTensorKernels_ValuesAndGradients(int width)
    {
        // Two updates in the snapshot order, so every seen bin calibrates (two bins never seen stay the identity).
        using var fds = new FeatureStatistics(12, width, size: 5, sigma: 2, order: FdsOrder.Snapshot, clampMin: 0.1, clampMax: 10);
        var random = new Random(width);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var bins = tensor(Enumerable.Range(0, 300).Select(_ => (long)random.Next(0, 10)).ToArray());
            fds.Update(randn(300, width) * 2 + bins.unsqueeze(1).to_type(ScalarType.Float32) * 0.3f, bins, epoch);
        }
        var features = randn(257, width) * 3;
        var rowBins = tensor(Enumerable.Range(0, 257).Select(_ => (long)random.Next(0, 12)).ToArray());
        var outputWeights = randn(257, width);
        // Values and the features' gradient through a weighted sum: the tensor kernels (a device's form), then the
        // managed loops (the CPU's: one autograd node for features that need gradients, a plain loop for those that do not).
        (float[] Values, float[] Gradient) Calibrate(bool tensorKernels)
        {
            fds.TensorKernels = tensorKernels;
            using var input = features.clone().requires_grad_(true);
            var output = fds.Calibrate(input, rowBins);
            Assert.True(output.requires_grad);
            (output * outputWeights).sum().backward();
            return (output.detach().data<float>().ToArray(), input.grad!.data<float>().ToArray());
        }
        var expected = Calibrate(tensorKernels: true);
        var managed = Calibrate(tensorKernels: false);
        Assert.Equal(expected.Values, managed.Values);
        Assert.Equal(expected.Gradient, managed.Gradient);
        Assert.NotEqual(features.data<float>().ToArray(), managed.Values);
        Assert.NotEqual(outputWeights.data<float>().ToArray(), managed.Gradient);
        var withoutGradients = fds.Calibrate(features, rowBins);
        Assert.False(withoutGradients.requires_grad);
        Assert.Equal(expected.Values, withoutGradients.data<float>().ToArray());
        // A bin outside the statistics is refused as the tensor form refuses it.
        Assert.ThrowsAny<Exception>(() => fds.Calibrate(features.narrow(0, 0, 2), tensor(new long[] { 3, 12 })));
        Assert.ThrowsAny<Exception>(() => fds.Calibrate(features.narrow(0, 0, 2).clone().requires_grad_(true), tensor(new long[] { 3, 12 })));
    }

    [Fact]
    public void ConstantFeature_HasExactlyZeroVariance_AndIsLeftUnchanged()
    {
        // The snapshot order, so the single update's statistics calibrate (the reference's first update calibrates nothing).
        using var fds = new FeatureStatistics(4, 2, size: 3, sigma: 1, order: FdsOrder.Snapshot);
        // Component 0 is the constant 0.1f (not exactly representable: a naive mean drifts);
        // component 1 varies. Bins 0..3, several batches.
        var values = new float[] { 0.1f, 1, 0.1f, 2, 0.1f, 3, 0.1f, 5, 0.1f, 4, 0.1f, 9, 0.1f, 7, 0.1f, 8 };
        var features = tensor(values).reshape(8, 2);
        var bins = tensor(new long[] { 0, 0, 0, 1, 1, 2, 3, 3 });
        using (var pass = fds.BeginPass())
        {
            pass.Add(features.narrow(0, 0, 3), bins.narrow(0, 0, 3));
            pass.Add(features.narrow(0, 3, 5), bins.narrow(0, 3, 5));
            fds.Update(pass, epoch: 0);
        }
        var variance = fds.RunningVar.data<float>().ToArray();
        var mean = fds.RunningMean.data<float>().ToArray();
        for (int bin = 0; bin < 4; bin++)
        {
            Assert.Equal(0f, variance[2 * bin]);   // exactly
            Assert.Equal(0.1f, mean[2 * bin]);     // exactly
        }
        Assert.Equal(1f, variance[1], 6);          // bin 0: 1, 2, 3 -> unbiased variance 1
        Assert.Equal(0f, variance[5]);             // bin 2 has one sample: biased, 0
        var calibrated = fds.Calibrate(tensor(new float[] { 0.3f, 2.5f }).reshape(1, 2), tensor(new long[] { 0 }));
        Assert.Equal(0.3f, calibrated.data<float>()[0]);   // zero-variance component left as it is
    }

    [Fact]
    public void CalibrationClamp_HoldsAt01And10()
    {
        // 16 bins, each with two samples +-a (running mean 0); bin 8 has a = 100, all others 0.01.
        // A 15-wide Gaussian with sigma 20 is nearly flat (centre weight about 1/15), so at bin 8
        // var_s / var is about 0.07 (clamped up to 0.1) and at bin 7 about 3e7 (clamped down to 10).
        // Bin 0's reflected window covers bins 0..7 only: equal variances, ratio 1.
        const int bins = 16;
        using var fds = new FeatureStatistics(bins, 1, size: 15, sigma: 20, order: FdsOrder.Snapshot);
        var values = Enumerable.Range(0, bins).SelectMany(j => new[] { j == 8 ? -100f : -0.01f, j == 8 ? 100f : 0.01f }).ToArray();
        var labels = Enumerable.Range(0, bins).SelectMany(j => new long[] { j, j }).ToArray();
        fds.Update(tensor(values).reshape(2 * bins, 1), tensor(labels), 0);
        var z = tensor(new float[] { 1, 1, 1 }).reshape(3, 1);
        var calibrated = fds.Calibrate(z, tensor(new long[] { 8, 7, 0 })).data<float>().ToArray();
        var smoothedMean = fds.SmoothedMean.data<float>().ToArray();
        Assert.All(smoothedMean, m => Assert.Equal(0f, m, 5));
        Assert.Equal(Math.Sqrt(0.1), calibrated[0], 4);
        Assert.Equal(Math.Sqrt(10), calibrated[1], 4);
        Assert.Equal(1.0, calibrated[2], 4);
    }

    [Fact]
    public void UnseenBins_KeepTheirInitialValues_ByDefault()
    {
        using var fds = new FeatureStatistics(5, 1, size: 3, sigma: 1, order: FdsOrder.Snapshot);
        var features = tensor(new float[] { 1, 3, 5, 7 }).reshape(4, 1);
        fds.Update(features, tensor(new long[] { 1, 1, 3, 3 }), 0);
        Assert.Equal(new[] { 0f, 2f, 0f, 6f, 0f }, fds.RunningMean.data<float>().ToArray());
        Assert.Equal(new[] { 1f, 2f, 1f, 2f, 1f }, fds.RunningVar.data<float>().ToArray());
        // The unseen bins enter the smoothing as 0 / 1: bin 2's smoothed mean is w0 * 2 + w1 * 0 + w0 * 6 with the window (w0, w1, w0).
        var w = fds.Window;
        Assert.Equal(w[0] * 2 + w[2] * 6, fds.SmoothedMean.data<float>()[2], 5);
    }

    [Fact]
    public void UnseenBins_AreFilledFromNeighbours()
    {
        using var fds = new FeatureStatistics(5, 1, size: 3, sigma: 1, unseenBins: FdsUnseenBins.Fill);
        // Bins 0, 2 and 4 are empty; bin 1 mean 2, bin 3 mean 6.
        var features = tensor(new float[] { 1, 3, 5, 7 }).reshape(4, 1);
        fds.Update(features, tensor(new long[] { 1, 1, 3, 3 }), 0);
        var mean = fds.RunningMean.data<float>().ToArray();
        Assert.Equal(new[] { 2f, 2f, 4f, 6f, 6f }, mean);
    }

    [Fact]
    public void BeforeStartEpoch_NothingChanges_AndCalibrationIsIdentity()
    {
        using var fds = new FeatureStatistics(4, 2, startEpoch: 2, size: 3);
        fds.Update(randn(10, 2), randint(0, 4, 10), epoch: 1);
        Assert.Equal(0, fds.UpdateCount);
        var z = randn(6, 2);
        Assert.True(fds.Calibrate(z, randint(0, 4, 6)).eq(z).all().item<bool>());
    }

    [Fact]
    public void InvalidArguments_AreClearErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureStatistics(10, 4, momentum: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureStatistics(10, 4, size: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureStatistics(10, 4, sigma: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureStatistics(2, 4, size: 5));
        using var fds = new FeatureStatistics(10, 4);
        var e = Assert.Throws<ArgumentException>(() => fds.Update(randn(5, 3), zeros(5, dtype: ScalarType.Int64), 0));
        Assert.Contains("[n, 4]", e.Message);
        Assert.Throws<ArgumentException>(() => fds.Update(randn(5, 4), full(5, 10L), 0));
    }

    [Fact]
    public void Statistics_SurviveSaveAndLoad()
    {
        using var fds = Create();
        fds.Update(Matrix("epoch0_features"), Bins("labels"), epoch: 0);
        var path = Path.Combine(Path.GetTempPath(), $"fds-{Guid.NewGuid():N}.bin");
        try
        {
            fds.save(path);
            using var loaded = Create();
            loaded.load(path);
            Assert.True(loaded.RunningVar.eq(fds.RunningVar).all().item<bool>());
            Assert.Equal(1, loaded.UpdateCount);
            var batch = Matrix("batch_features");
            var labels = Bins("batch_labels");
            Assert.True(loaded.Calibrate(batch, labels).eq(fds.Calibrate(batch, labels)).all().item<bool>());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
