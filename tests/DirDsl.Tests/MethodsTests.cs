using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>DenseWeight, Balanced MSE, the GAI mixture and the seed statistics on hand-derived cases.</summary>
public sealed class MethodsTests
{
    [Fact]
    public void DeclaredMethods_AddTheirRows_InTheGivenOrder_WithFdsWhereTheConfigurationHasIt()
    {
        var lds = new Reweighting(Kind: Reweight.SqrtInverse, Lds: new LdsOptions(Kernel.Gaussian, 5, 2));
        var fds = new FeatureSmoothing(new FdsOptions(0.9, Kernel.Gaussian, 5, 2, 0, 0.1, 10));
        var methods = new IVariantMethod[]
        {
            new RrtMethod(Epochs: 3, LearningRate: 1e-3), new DenseWeighting(Alpha: 1),
            new BalancedMseMethod(new BalancedMseOptions(BalancedMseKind.Bni)), new ResamplingMethod(new ResamplingOptions(ResamplingKind.Smoter)),
        };
        var rows = DirVariant.Ablation(new DirVariant("LDS+FDS", lds, fds), methods);
        Assert.Equal(new[] { "Vanilla", "SqrtInverse", "LDS", "FDS", "LDS+FDS", "RRT", "DenseWeight", "DenseWeight+FDS", "BMSE-BNI", "BMSE-BNI+FDS", "SMOTER" },
            rows.Select(r => r.Name));
        // RRT's second stage re-weights with the configured LDS; DenseWeight+FDS carries the configured FDS.
        Assert.Same(lds, rows.Single(r => r.Name == "RRT").Reweighting);
        Assert.Same(fds, rows.Single(r => r.Name == "DenseWeight+FDS").Method<FeatureSmoothing>());
        // Without FDS no +FDS rows; without LDS no RRT row (DIR035 stops that at compile time).
        Assert.Equal(new[] { "Vanilla", "DenseWeight", "BMSE-BNI", "SMOTER" }, DirVariant.Ablation(DirVariant.Vanilla, methods).Select(r => r.Name));
    }

    [Fact]
    public void DenseWeight_HandDerived()
    {
        // Targets 0, 0, 10 with bandwidth 1: the 0s are the densest (p' = 1), 10 the sparsest (p' = 0).
        var targets = new float[] { 0, 0, 10 };
        // alpha 0 would give unit weights (the Vanilla row): one rule with the DSL's DIR033 refuses it.
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseWeight.SampleWeights(targets, 0, bandwidth: 1));
        // alpha 0.5: raw 0.5, 0.5, 1 (sum 2) scaled by 3 / 2.
        Assert.Equal(new[] { 0.75f, 0.75f, 1.5f }, DenseWeight.SampleWeights(targets, 0.5, bandwidth: 1), (a, b) => Math.Abs(a - b) < 1e-5);
        // alpha 1: the densest get the floor 1e-6; the rest carries the mean.
        var w = DenseWeight.SampleWeights(targets, 1, bandwidth: 1);
        Assert.Equal(3.0, w[2], 4);
        Assert.Equal(3e-6, w[0], 8);
        var density = DenseWeight.Density(targets, 1);
        Assert.Equal(2 / (3 * Math.Sqrt(2 * Math.PI)), density[0], 9);
    }

    [Fact]
    public void Silverman_HandDerived()
    {
        // sd 1.5811, IQR 2 -> 2 / 1.34 = 1.4925 is smaller; 0.9 * 1.4925 * 5^-0.2.
        Assert.Equal(0.9 * (2 / 1.34) * Math.Pow(5, -0.2), DenseWeight.Silverman(new double[] { 1, 2, 3, 4, 5 }), 12);
    }

    [Fact]
    public void BinnedDensity_AgreesWithTheExactSum()
    {
        var random = new Random(4);
        var targets = Enumerable.Range(0, 25_000).Select(_ => (float)Math.Exp(random.NextDouble() * 3)).ToArray();
        var binned = DenseWeight.Density(targets);   // more than 20,000: the binned path
        double h = DenseWeight.Silverman(targets.Select(t => (double)t).ToArray());
        for (int i = 0; i < 25_000; i += 997)
        {
            double exact = targets.Sum(t => Math.Exp(-0.5 * Math.Pow((targets[i] - t) / h, 2))) / (targets.Length * h * Math.Sqrt(2 * Math.PI));
            Vectors.Close(exact, binned[i], 2e-3, 1e-9, $"density at {targets[i]}");
        }
    }

    [Fact]
    public void DenseWeight_RejectsBadInput()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseWeight.SampleWeights(new float[] { 1 }, -1));
        Assert.Contains("targets[1]", Assert.Throws<ArgumentException>(() => DenseWeight.SampleWeights(new[] { 1f, float.NaN }, 1)).Message);
    }

    [Fact]
    public void BalancedMse_Bmc_HandDerived()
    {
        // Predictions 0, 1; targets 0, 1; sigma 1: each row's cross-entropy is log(1 + e^-0.5); times 2 sigma^2.
        using var loss = BalancedMseLoss.Bmc(1.0);
        var value = loss.call(tensor(new float[] { 0, 1 }).reshape(2, 1), tensor(new float[] { 0, 1 }).reshape(2, 1));
        Assert.Equal(2 * Math.Log(1 + Math.Exp(-0.5)), value.item<float>(), 5);
    }

    [Fact]
    public void BalancedMse_Bni_HandDerived()
    {
        // One bin at 0 holding all training mass: the constants cancel and 2 s^2 L = (y - p)^2 - p^2.
        using var loss = BalancedMseLoss.Bni(new[] { 0.0 }, new[] { 10 }, initialSigma: 0.7);
        var value = loss.call(tensor(new float[] { 1, 2 }).reshape(2, 1), tensor(new float[] { 3, 2 }).reshape(2, 1));
        Assert.Equal(((4 - 1) + (0 - 4)) / 2.0, value.item<float>(), 4);
    }

    [Fact]
    public void BalancedMse_Gai_HandDerived_AndTheNoiseScaleIsTrained()
    {
        // One component, mean 0, variance 1; s = 1; p = 1, y = 3:
        // L = 4/2 + log(2 pi)/2 - 1/4 - log(4 pi)/2 = 1.75 - log(2)/2, times 2 s^2 = 2.
        using var loss = BalancedMseLoss.Gai(new GaussianMixture(new[] { 0.0 }, new[] { 1.0 }, new[] { 1.0 }), 1.0);
        var value = loss.call(tensor(new float[] { 1 }).reshape(1, 1), tensor(new float[] { 3 }).reshape(1, 1));
        Assert.Equal(2 * (1.75 - Math.Log(2) / 2), value.item<float>(), 4);
        value.backward();
        var sigma = loss.parameters().Single();
        Assert.True(sigma.grad is not null && sigma.grad.item<float>() != 0);
    }

    [Fact]
    public void GaussianMixture_FindsTwoSeparatedClusters()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 300).Select(i => (i < 100 ? 0.0 : 10.0) + 0.5 * (random.NextDouble() - 0.5)).ToArray();
        var mixture = GaussianMixture.Fit(values, components: 2);
        var order = mixture.Means.Select((m, k) => (m, k)).OrderBy(p => p.m).Select(p => p.k).ToArray();
        Assert.Equal(0.0, mixture.Means[order[0]], 1);
        Assert.Equal(10.0, mixture.Means[order[1]], 1);
        Assert.Equal(1 / 3.0, mixture.Weights[order[0]], 3);
        Assert.Equal(1.0, mixture.Weights.Sum(), 9);
    }

    [Fact]
    public void SeedStatistics_HandDerived()
    {
        Assert.Equal(2.776, SeedStatistics.TCritical95(4));
        Assert.Equal(1.96, SeedStatistics.TCritical95(100));
        var (mean, half, count) = SeedStatistics.MeanInterval(new[] { 1.0, 2, 3 });
        Assert.Equal(2.0, mean);
        Assert.Equal(4.303 / Math.Sqrt(3), half, 12);
        Assert.Equal(3, count);
        Assert.True(SeedStatistics.PairedDiffers(new[] { 1.0, 2, 3 }, new[] { 0.0, 1, 2.1 }));
        Assert.False(SeedStatistics.PairedDiffers(new[] { 1.0, 2, 3 }, new[] { 1.1, 1.9, 3.05 }));
        Assert.False(SeedStatistics.PairedDiffers(new[] { 1.0 }, new[] { 0.0 }));   // one pair: no evidence
    }
}
