using Xunit;

namespace DirDsl.Tests;

/// <summary>Shot-wise metrics against Vectors/shot_metrics.json (the reference's shot_metrics on AgeDB-style labels).</summary>
public sealed class ShotMetricsTests
{
    [Fact]
    public void GroupAverages_MatchReference()
    {
        var v = Vectors.Load("shot_metrics.json");
        var report = ShotMetrics.Evaluate(v.GetProperty("predictions").Floats(), v.GetProperty("test_labels").Floats(),
            v.GetProperty("train_labels").Floats(), LabelBins.Integer(121));
        foreach (var (name, metrics) in new[] { ("overall", report.Overall), ("many", report.Many), ("medium", report.Medium), ("few", report.Few) })
        {
            var expected = v.GetProperty(name);
            Vectors.Close(expected.GetProperty("mse").GetDouble(), metrics.Mse, 1e-6, 1e-9, $"{name} mse");
            Vectors.Close(expected.GetProperty("l1").GetDouble(), metrics.Mae, 1e-6, 1e-9, $"{name} l1");
            Vectors.Close(expected.GetProperty("gmean").GetDouble(), metrics.GeometricMean, 1e-6, 1e-9, $"{name} gmean");
        }
        Assert.Equal(600, report.Overall.Count);
        Assert.Equal(600, report.Many.Count + report.Medium.Count + report.Few.Count);
    }

    [Fact]
    public void ZeroShot_IsItsOwnRow_AndAlsoFew()
    {
        // Train: bin 0 x 3, bin 1 x 1, bin 2 none. Thresholds many > 2, few < 2.
        var train = new float[] { 0.5f, 0.5f, 0.5f, 1.5f };
        var targets = new float[] { 0.2f, 1.2f, 2.2f, 2.7f };
        var predictions = new float[] { 0.2f, 2.2f, 0.2f, 2.7f };
        var r = ShotMetrics.Evaluate(predictions, targets, train, LabelBins.Integer(3), manyAbove: 2, fewBelow: 2);
        Assert.Equal(1, r.Many.Count);
        Assert.Equal(0, r.Medium.Count);
        Assert.Equal(3, r.Few.Count);
        Assert.Equal(2, r.Zero.Count);
        Assert.Equal(2.0, r.Zero.Mse, 6);           // errors -2 and 0 -> (4 + 0) / 2
        Assert.Equal(1.0, r.Zero.Mae, 6);
        Assert.Equal(Math.Sqrt(2 * 1e-10), r.Zero.GeometricMean, 12); // exact 0 counts as 1e-10
        Assert.True(double.IsNaN(r.Medium.Mse));    // empty group: undefined, not 0
    }

    [Fact]
    public void Correlations_AreHandDerived()
    {
        Assert.Equal(1.0, ShotMetrics.Pearson(new double[] { 1, 2, 3 }, new double[] { 2, 4, 6 }), 12);
        Assert.Equal(-1.0, ShotMetrics.Pearson(new double[] { 1, 2, 3 }, new double[] { 3, 2, 1 }), 12);
        Assert.Equal(new[] { 1.0, 2.5, 2.5, 4.0 }, ShotMetrics.Ranks(new double[] { 1, 5, 5, 9 }));
        // Spearman of a monotone but non-linear relation is 1 while Pearson is below 1.
        var m = ShotMetrics.Metrics(new double[] { 1, 2, 3, 4 }, new double[] { 1, 4, 9, 100 });
        Assert.Equal(1.0, m.Spearman, 12);
        Assert.True(m.Pearson < 0.9);
    }

    [Fact]
    public void ExplicitGroups_ValidateOverlapAndGaps()
    {
        var counts = new[] { 5, 0, 200, 30 };
        var g = ShotGroups.Explicit(counts, many: new[] { 2 }, medium: new[] { 3 }, few: new[] { 0, 1 });
        Assert.Equal(ShotGroup.Few, g.GroupOf(0));
        Assert.True(g.IsZeroShot(1));
        Assert.Contains("both", Assert.Throws<ArgumentException>(() => ShotGroups.Explicit(counts, new[] { 2, 3 }, new[] { 3 }, new[] { 0, 1 })).Message);
        Assert.Contains("leave bins out: 1", Assert.Throws<ArgumentException>(() => ShotGroups.Explicit(counts, new[] { 2 }, new[] { 3 }, new[] { 0 })).Message);
        Assert.Throws<ArgumentException>(() => ShotGroups.Explicit(counts, new[] { 7 }, new[] { 3 }, new[] { 0, 1, 2 }));
    }

    [Fact]
    public void NonFinitePrediction_IsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => ShotMetrics.Evaluate(new[] { 1f, float.NaN }, new[] { 1f, 2f }, new[] { 1f }, LabelBins.Integer(3)));
        Assert.Contains("predictions[1]", e.Message);
    }
}
