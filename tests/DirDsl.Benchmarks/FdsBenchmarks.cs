using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Benchmarks;

/// <summary>
/// FDS per-bin statistics over N = 200,000 features of D = 512 with B = 100 bins: the reference's
/// per-bin masked loop against DirDsl's one-pass vectorised update and its streaming form.
/// Target: the vectorised update under 150 ms and at least 10x the loop.
/// </summary>
public class FdsStatisticsBenchmarks
{
    private const int N = 200_000, D = 512, B = 100;
    private Tensor features = null!;
    private Tensor bins = null!;
    private FeatureStatistics fds = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(1);
        features = randn(N, D);
        // Skewed bins, as in DIR data: many samples in a few bins, few in the tails.
        bins = (randn(N).abs() * 25).clamp(0, B - 1).to_type(ScalarType.Int64);
        fds = new FeatureStatistics(B, D);
    }

    /// <summary>The reference algorithm: for every bin, select its rows with a mask, then mean and unbiased variance.</summary>
    [Benchmark(Baseline = true)]
    public void PerBinMaskedLoop()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var means = zeros(B, D);
        var variances = ones(B, D);
        for (int b = 0; b < B; b++)
        {
            var rows = features.index(bins.eq(b));
            long count = rows.shape[0];
            if (count == 0) continue;
            means[b] = rows.mean(new long[] { 0 });
            variances[b] = count > 1 ? rows.var(0, unbiased: true) : zeros(D);
        }
    }

    [Benchmark]
    public void Vectorised() => fds.Update(features, bins, 0);

    [Benchmark]
    public void StreamingBatchesOf4096()
    {
        using var pass = fds.BeginPass();
        for (long start = 0; start < N; start += 4096)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(4096, N - start);
            pass.Add(features.narrow(0, start, length), bins.narrow(0, start, length));
        }
        fds.Update(pass, 0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        features.Dispose();
        bins.Dispose();
        fds.Dispose();
    }
}

/// <summary>
/// One training step (batch 256, 3-layer MLP encoder of width 512, linear regressor, MSE, Adam) with
/// and without FDS calibration of the features. Target: FDS adds at most 5%.
/// </summary>
public class FdsCalibrationStepBenchmarks
{
    private const int Batch = 256, D = 512, B = 100;
    private nn.Module<Tensor, Tensor> encoder = null!;
    private nn.Module<Tensor, Tensor> regressor = null!;
    private optim.Optimizer optimizer = null!;
    private FeatureStatistics fds = null!;
    private Tensor inputs = null!, targets = null!, bins = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(2);
        encoder = nn.Sequential(nn.Linear(D, D), nn.ReLU(), nn.Linear(D, D), nn.ReLU(), nn.Linear(D, D), nn.ReLU());
        regressor = nn.Linear(D, 1);
        optimizer = optim.Adam(encoder.parameters().Concat(regressor.parameters()));
        inputs = randn(Batch, D);
        targets = randn(Batch, 1);
        bins = randint(0, B, Batch).to_type(ScalarType.Int64);
        fds = new FeatureStatistics(B, D);
        using (no_grad()) fds.Update(randn(20_000, D), randint(0, B, 20_000).to_type(ScalarType.Int64), 0);
    }

    private void Step(bool calibrate)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var z = encoder.call(inputs);
        if (calibrate) z = fds.Calibrate(z, bins);
        var loss = WeightedLoss.Compute(regressor.call(z), targets, new LossOptions(LossKind.Mse));
        loss.backward();
        optimizer.step();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 20)]
    public void StepWithoutFds()
    {
        for (int i = 0; i < 20; i++) Step(false);
    }

    [Benchmark(OperationsPerInvoke = 20)]
    public void StepWithFdsCalibration()
    {
        for (int i = 0; i < 20; i++) Step(true);
    }
}
