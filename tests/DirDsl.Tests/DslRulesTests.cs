using Xunit;

namespace DirDsl.Tests;

/// <summary>
/// One source of truth: the runtime's constructors and the search grid accept exactly the settings the shared rules
/// (DslRules, also compiled into the generator's validator) accept, checked over a grid of good and bad values.
/// </summary>
public sealed class DslRulesTests
{
    public static readonly int[] Sizes = { -1, 0, 1, 2, 3, 4, 5, 9 };
    public static readonly double[] Sigmas = { double.NaN, -1, 0, 0.5, 2, double.PositiveInfinity };

    [Fact]
    public void FeatureStatistics_AcceptsExactlyWhatTheRulesAccept()
    {
        foreach (int size in Sizes)
        foreach (double sigma in Sigmas)
        foreach (double momentum in new[] { -0.1, 0, 0.9, 1, double.NaN })
        foreach (var (clampMin, clampMax) in new[] { (0.1, 10.0), (0.0, 1.0), (2.0, 1.0), (0.5, double.PositiveInfinity) })
        foreach (int bins in new[] { 1, 2, 3, 5 })
        {
            bool valid = DslRules.KernelProblem(size, sigma) is null && DslRules.IsValidMomentum(momentum)
                && DslRules.IsValidClamp(clampMin, clampMax) && DslRules.HasEnoughBinsForFds(bins, size);
            bool constructed;
            try
            {
                using var fds = new FeatureStatistics(bins, 2, momentum, Kernel.Gaussian, size, sigma, clampMin: clampMin, clampMax: clampMax);
                constructed = true;
            }
            catch (ArgumentException)
            {
                constructed = false;
            }
            Assert.True(valid == constructed, $"size {size}, sigma {sigma}, momentum {momentum}, clamp [{clampMin}, {clampMax}], bins {bins}: rules say {valid}");
        }
    }

    [Fact]
    public void SearchGrid_RejectsExactlyWhatTheRulesReject()
    {
        var bins = LabelBins.Uniform(0, 1, 10);
        var fds = new FdsOptions(0.9, Kernel.Gaussian, 5, 2, 0, 0.1, 10);
        var configured = new DirVariant("LDS+FDS", new Reweighting(Reweight.Inverse, new LdsOptions(Kernel.Gaussian, 5, 2)), new FeatureSmoothing(fds));
        foreach (int size in Sizes)
        foreach (double sigma in Sigmas)
        foreach (int binCount in new[] { 2, 3, 10 })
        {
            bool valid = DslRules.KernelProblem(size, sigma) is null && DslRules.HasEnoughBinsForFds(binCount, size);
            var space = new SearchSpace(Sizes: new[] { size }, Sigmas: new[] { sigma }, BinCounts: new[] { binCount });
            bool accepted = Record.Exception(() => HyperparameterSearch.Grid(configured, space, bins)) is null;
            Assert.True(valid == accepted, $"size {size}, sigma {sigma}, bins {binCount}: rules say {valid}");
        }
    }

    [Theory]
    [InlineData(false, false, "Vanilla")]
    [InlineData(true, false, "LDS")]
    [InlineData(false, true, "FDS")]
    [InlineData(true, true, "LDS+FDS")]
    public void AblationRowNames_ComeFromTheOneRule(bool lds, bool fds, string name)
    {
        Assert.Equal(name, DslRules.VariantName(lds, fds));
        var configured = new DirVariant(DslRules.VariantName(true, true), new Reweighting(Reweight.Inverse, new LdsOptions(Kernel.Gaussian, 5, 2)),
            new FeatureSmoothing(new FdsOptions(0.9, Kernel.Gaussian, 5, 2, 0, 0.1, 10)));
        Assert.Contains(DirVariant.Ablation(configured), row => row.Name == name);
    }
}
