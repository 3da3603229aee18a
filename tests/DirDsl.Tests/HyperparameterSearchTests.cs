using Xunit;

namespace DirDsl.Tests;

/// <summary>The search grid, selection on validation only, and the report section.</summary>
public sealed class HyperparameterSearchTests
{
    private static readonly LabelBins Bins = LabelBins.Uniform(0, 5, 50);
    private static readonly FdsOptions Fds = new(0.9, Kernel.Gaussian, 5, 2, 0, 0.5, 2);
    private static readonly DirVariant LdsFds = new("LDS+FDS", new Reweighting(Reweight.SqrtInverse, new LdsOptions(Kernel.Triangular, 7, 3)), new FeatureSmoothing(Fds));

    [Fact]
    public void Grid_IsTheCartesianProduct_WithSearchedAxesInTheName_AndOtherSettingsKept()
    {
        var grid = HyperparameterSearch.Grid(LdsFds, new SearchSpace(Sizes: new[] { 3, 5 }, Momentums: new[] { 0.5, 0.9, 0.99 }, BinCounts: new[] { 25 }), Bins);
        Assert.Equal(6, grid.Count);
        Assert.Equal("LDS+FDS@size=3,momentum=0.5,bins=25", grid[0].Name);
        Assert.Equal("LDS+FDS@size=5,momentum=0.99,bins=25", grid[^1].Name);
        Assert.All(grid, v => Assert.Equal("LDS+FDS", v.Point!.Of));
        // LDS keeps its own kernel and sigma; FDS takes the point's size and momentum and keeps the rest.
        Assert.Equal(new LdsOptions(Kernel.Triangular, 5, 3), grid[^1].Lds);
        Assert.Equal(Fds with { Size = 5, Momentum = 0.99 }, Fds.At(grid[^1].Point));
        Assert.Equal(25, grid[0].BinsOr(Bins).Count);
        Assert.Equal(0.2, grid[0].BinsOr(Bins).Max / 25, 12);
        Assert.Equal(grid.Count, grid.Select(v => v.Slug).Distinct().Count());
    }


    [Fact]
    public void Grid_KeepsTheDepthCodesLdsChoices_AtEveryPoint()
    {
        // Reflect padding and a start bin are the configured LDS's, not the point's: every point keeps them.
        var depth = new DirVariant("LDS", new Reweighting(Reweight.SqrtInverse, new LdsOptions(Kernel.Gaussian, 5, 2) { Padding = LdsPadding.Reflect, StartBin = 7 }));
        var grid = HyperparameterSearch.Grid(depth, new SearchSpace(Sizes: new[] { 3, 7 }), Bins);
        Assert.Equal(new[] { 3, 7 }, grid.Select(v => v.Lds!.Size));
        Assert.All(grid, v => Assert.Equal((LdsPadding.Reflect, 7, Kernel.Gaussian, 2.0), (v.Lds!.Padding, v.Lds.StartBin, v.Lds.Kernel, v.Lds.Sigma)));
    }
    [Fact]
    public void Grid_RefusesFdsBinsNarrowerThanItsWindow()
    {
        var e = Assert.Throws<ArgumentException>(() => HyperparameterSearch.Grid(LdsFds, new SearchSpace(Sizes: new[] { 9 }, BinCounts: new[] { 4 }), Bins));
        Assert.Contains("size=9,bins=4", e.Message);
    }

    [Fact]
    public void SearchPointBins_ChangeTheLdsWeights()
    {
        // 10 targets in [0, 1) and 1 in [4, 5): with 5 bins of width 1, sqrt-inverse weights without smoothing
        // are 1/sqrt(10) and 1; with the experiment's 50 bins the lone target still weighs 1.
        var targets = Enumerable.Repeat(0.5f, 10).Append(4.5f).ToArray();
        var point = new DirVariant("LDS", new Reweighting(Reweight.SqrtInverse)) { Bins = LabelBins.Uniform(0, 5, 5) };
        var weights = point.SampleWeights(targets, Bins)!;
        // Weights are scaled to mean 1 over the samples (the reference's normalisation).
        double scale = 11 / (10 / Math.Sqrt(10) + 1);
        Assert.Equal(scale / Math.Sqrt(10), weights[0], 4);
        Assert.Equal(scale, weights[10], 4);
    }

    [Fact]
    public void Select_UsesValidationOnly_MeanOverSeeds()
    {
        // Point a is best on test, point b on validation (mean over two seeds): b is selected.
        var runs = new (string, string?, ShotReport)[]
        {
            ("LDS@size=3", "LDS", Report(mse: 1.0, mae: 0.5)), ("LDS@size=3", "LDS", Report(mse: 0.8, mae: 0.5)),
            ("LDS@size=5", "LDS", Report(mse: 0.85, mae: 0.7)), ("LDS@size=5", "LDS", Report(mse: 0.85, mae: 0.7)),
            ("Vanilla", null, Report(mse: 0.1, mae: 0.1)),
        };
        var outcome = Assert.Single(HyperparameterSearch.Select(runs, selectByMse: true));
        Assert.Equal("LDS", outcome.Of);
        Assert.Equal("LDS@size=5", outcome.Selected.Variant);
        Assert.Equal(0.9, outcome.Candidates[0].ValidationMse, 12);
        Assert.Equal(2, outcome.Candidates[0].Seeds);
        // By MAE the other point wins.
        Assert.Equal("LDS@size=3", HyperparameterSearch.Select(runs, selectByMse: false)[0].Selected.Variant);
    }

    [Fact]
    public void SearchSection_ShowsTestNumbersOfTheSelectedPointOnly()
    {
        var validationA = Report(mse: 0.9, mae: 0.9);
        var validationB = Report(mse: 0.7, mae: 0.7);
        var result = new ExperimentResult("Exp", 0, 3, Bins, new int[50], Array.Empty<float>(), new[]
        {
            Variant("Vanilla", null, Report(0.5, 0.5), Report(0.61, 0.61)),
            Variant("FDS@momentum=0.5", "FDS", validationA, Report(0.123, 0.2)),
            Variant("FDS@momentum=0.9", "FDS", validationB, Report(0.456, 0.3)),
        });
        var section = ResultWriter.SearchSection(result);
        Assert.Contains("| FDS@momentum=0.9 | 0.700 | 0.700 | 1 | selected |", section);
        Assert.Contains("0.456", section);
        Assert.DoesNotContain("0.123", section);
        // The main table leaves search points out.
        var table = ResultWriter.Table(result, explicitGroups: false);
        Assert.Contains("Vanilla", table);
        Assert.DoesNotContain("FDS@", table);
    }

    private static VariantResult Variant(string name, string? of, ShotReport validation, ShotReport test) =>
        new(name, 0, 1, validation, test, null, Array.Empty<EpochRecord>(), Array.Empty<float>()) { SearchOf = of };

    private static ShotReport Report(double mse, double mae)
    {
        var m = new GroupMetrics(10, mse, mae, mae, 0.5, 0.5);
        return new ShotReport(m, m, m, m, new GroupMetrics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN));
    }
}
