using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>
/// The label side of dense targets as the reference's depth code computes it: per-bin LDS weights with reflect padding
/// and a start bin, the truncated-product bin rule, the depth metrics, and FDS's lagged order. Every expectation is
/// derived by hand in the comments.
/// </summary>
public sealed class DenseLabelTests
{
    // Six bins, the start bin 2, and counts whose square roots are whole numbers.
    private static readonly long[] Counts = { 4, 0, 9, 16, 1, 0 };

    // A triangular window written out, so the expectation does not depend on KernelWindow.
    private static LdsOptions Triangle(LdsPadding padding, int startBin) => new(Kernel.Triangular, 3, 1)
    {
        Window = new[] { 0.5, 1, 0.5 },
        Padding = padding,
        StartBin = startBin,
    };

    [Fact]
    public void ReflectPaddedLdsFromTheStartBinGivesTheReferenceBinWeights()
    {
        // sqrt(counts) = 2 0 3 4 1 0; from bin 2: 3 4 1 0, reflected (scipy: index -1 reads 0, n reads n-1) 3 | 3 4 1 0 | 0.
        // s2 = 1.5 + 3 + 2 = 6.5, s3 = 1.5 + 4 + 0.5 = 6, s4 = 2 + 1 + 0 = 3, s5 = 0.5 + 0 + 0 = 0.5; bins 0, 1 take s2.
        // sum(c) = 30, sum(c / s) = 4/6.5 + 9/6.5 + 16/6 + 1/3 = 2 + 3 = 5, scaling 6, w = 6 / s.
        var weights = LabelDistribution.BinWeights(Counts, Reweight.SqrtInverse, Triangle(LdsPadding.Reflect, 2))!;
        var expected = new[] { 12.0 / 13, 12.0 / 13, 12.0 / 13, 1, 2, 12 };
        for (int j = 0; j < expected.Length; j++) Assert.Equal((float)expected[j], weights[j]);

        // Zero padding reads 0 before bin 2: s2 = 0 + 3 + 2 = 5 instead of 6.5.
        var density = LabelDistribution.EffectiveDensity(Counts, Reweight.SqrtInverse, Triangle(LdsPadding.Zero, 2));
        Assert.Equal(new[] { 5.0, 5, 5, 6, 3, 0.5 }, density);
    }

    [Fact]
    public void WithoutLdsTheBinsBelowTheStartTakeTheStartBinsValue()
    {
        // sqrt(counts) from bin 2: 3 4 1 0, bins 0, 1 take 3. sum(c / s) = 4/3 + 3 + 4 + 1 = 28/3, scaling 90/28 = 45/14.
        var weights = LabelDistribution.BinWeights(Counts, Reweight.SqrtInverse, lds: null, startBin: 2)!;
        var expected = new[] { 15.0 / 14, 15.0 / 14, 15.0 / 14, 45.0 / 56, 45.0 / 14, 0 };
        for (int j = 0; j < expected.Length; j++) Assert.Equal((float)expected[j], weights[j]);
    }

    [Fact]
    public void EachPixelTakesItsBinsWeightAndThePixelsAverageOne()
    {
        // A 5 x 6 map whose pixels fall in the bins as Counts: 4 in bin 0, 9 in bin 2, 16 in bin 3, 1 in bin 4 (bins of 1 over [0, 6]).
        var map = Enumerable.Repeat(0.5f, 4).Concat(Enumerable.Repeat(2.5f, 9)).Concat(Enumerable.Repeat(3.5f, 16)).Append(4.5f).ToArray();
        var bins = LabelBins.Uniform(0, 6, 6);
        var lds = Triangle(LdsPadding.Reflect, 2);
        var perPixel = new Reweighting(Reweight.SqrtInverse, lds).SampleWeights(map, bins, TargetShape.Map(5, 6))!;
        var table = LabelDistribution.BinWeights(Counts, Reweight.SqrtInverse, lds)!;
        for (int i = 0; i < map.Length; i++) Assert.Equal(table[(int)map[i]], perPixel[i]);
        Assert.Equal(1.0, perPixel.Average(w => (double)w), 6);
    }

    [Fact]
    public void NyudWeightsFromTheReferenceCountsAverageOneOverItsTrainingPixels()
    {
        // The reference's recipe: Gaussian LDS of size 5, sigma 2, square-root inverse, reflect padding from bucket_start 7.
        var lds = new LdsOptions(Kernel.Gaussian, 5, 2) { Padding = LdsPadding.Reflect, StartBin = Nyud2Reference.StartBin };
        var counts = Nyud2Reference.TrainBucketCounts;
        var weights = LabelDistribution.BinWeights(counts, Reweight.SqrtInverse, lds)!;
        double total = counts.Sum(c => (double)c), weighted = counts.Select((c, j) => c * (double)weights[j]).Sum();
        Assert.Equal(1.0, weighted / total, 6);
        // Below the start bin every weight is bin 7's; the rarest far bins weigh more than the crowded middle.
        for (int j = 0; j < Nyud2Reference.StartBin; j++) Assert.Equal(weights[Nyud2Reference.StartBin], weights[j]);
        Assert.True(weights[99] > 3 * weights[20], $"bin 99 {weights[99]} against bin 20 {weights[20]}");
    }

    [Fact]
    public void TheTruncatedRuleBinsByTheFloat32Product()
    {
        var truncate = Nyud2Reference.Bins;
        var edges = LabelBins.Uniform(0, 10, 100);
        Assert.Equal(0, truncate.BinOf(0.05f));
        Assert.Equal(7, truncate.BinOf(0.7f));      // 0.7f * 10f rounds to 7 in float32
        Assert.Equal(99, truncate.BinOf(9.99f));
        Assert.Equal(99, truncate.BinOf(10f));      // min(int(100), 99)
        Assert.Equal(99, truncate.BinOf(12f));
        // The float just below 1.7: its float32 product with 10 rounds up to 17.0 (int 17), while it lies below the float32
        // edge 1.7f of bin 17, so the edge rule puts it in bin 16.
        float below = MathF.BitDecrement(1.7f);
        Assert.Equal(17f, below * 10f);
        Assert.Equal(17, truncate.BinOf(below));
        Assert.Equal(16, edges.BinOf(below));
        Assert.Equal(BinRule.Truncate, truncate.Rule);
        Assert.Equal(BinRule.Edges, edges.Rule);
    }

    [Fact]
    public void DepthMetricsOnAHandMadeMap()
    {
        // Targets 1, 1 (bin 10: many), 5 (bin 50: medium), 8 (bin 80: few) against predictions 1, 1.5, 4, 10.
        // Errors 0, 0.5, 1, 2; ratios 1, 1.5, 1.25, 1.25.
        var report = DepthMetricsAccumulator.Evaluate(new[] { 1f, 1.5f, 4f, 10f }, new[] { 1f, 1f, 5f, 8f }, Nyud2Reference.Bins,
            Nyud2Reference.ShotGroups());
        var all = report.Overall;
        Assert.Equal(4, all.Count);
        Assert.Equal(Math.Sqrt((0 + 0.25 + 1 + 4) / 4), all.Rmse, 12);
        Assert.Equal(3.5 / 4, all.Mae, 12);
        Assert.Equal((0 + 0.5 + 0.2 + 0.25) / 4, all.AbsRel, 12);
        Assert.Equal((Math.Log10(1.5) + 2 * Math.Log10(1.25)) / 4, all.Log10, 12);
        Assert.Equal(0.75, all.Delta1);   // 1.25 itself is within 1.25
        Assert.Equal(1.0, all.Delta2);    // 1.5 <= 1.5625
        Assert.Equal(1.0, all.Delta3);
        Assert.Equal(2, report.Many.Count);
        Assert.Equal(Math.Sqrt(0.25 / 2), report.Many.Rmse, 12);
        Assert.Equal(0.5, report.Many.Delta1);
        Assert.Equal(1.0, report.Medium.Mae, 12);
        Assert.Equal(0.2, report.Medium.AbsRel, 12);
        Assert.Equal(2.0, report.Few.Rmse, 12);
        Assert.Equal(0.25, report.Few.AbsRel, 12);
    }

    [Fact]
    public void DepthMetricsRefuseATargetOfZeroAndReportAnEmptyGroupAsNaN()
    {
        var accumulator = new DepthMetricsAccumulator(Nyud2Reference.Bins, Nyud2Reference.ShotGroups());
        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new[] { 1f, 1f }, new[] { 2f, 0f }, "record 12"));
        Assert.Contains("record 12", error.Message);
        Assert.Contains("target 1", error.Message);
        var report = DepthMetricsAccumulator.Evaluate(new[] { 2f }, new[] { 2f }, Nyud2Reference.Bins, Nyud2Reference.ShotGroups());
        Assert.Equal(0.0, report.Many.Rmse);
        Assert.True(double.IsNaN(report.Few.Rmse));
        Assert.Equal(0, report.Few.Count);
    }

    [Fact]
    public void TheLaggedOrderCalibratesEachEpochWithTheStatisticsBeforeTheLastUpdate()
    {
        using var statistics = new FeatureStatistics(3, 1, momentum: 0.9, size: 3, clampMin: 0.1, clampMax: 10, order: FdsOrder.Lagged,
            window: new[] { 0.25, 0.5, 0.25 });
        var bins = tensor(new long[] { 0, 0, 1, 1, 2, 2 });
        // Epoch 0: means 2, 6, 11; unbiased variances 2, 8, 2.
        statistics.Update(tensor(new float[] { 1, 3, 4, 8, 10, 12 }).reshape(6, 1), bins, 0);
        var probe = tensor(new float[] { 3, 5, 13 }).reshape(3, 1);
        var probeBins = tensor(new long[] { 0, 1, 2 });
        Assert.Equal(new float[] { 3, 5, 13 }, statistics.Calibrate(probe, probeBins).data<float>().ToArray());

        // Epoch 1 updates with other features, but calibrates with epoch 0's: torch's reflect padding (no edge repeat)
        // gives smoothed means 4, 6.25, 8.5 and smoothed variances 5, 5, 5.
        statistics.Update(tensor(new float[] { 0, 0, 0, 0, 0, 0 }).reshape(6, 1), bins, 1);
        var calibrated = statistics.Calibrate(probe, probeBins).data<float>().ToArray();
        var expected = new[] { (3 - 2) * Math.Sqrt(2.5) + 4, (5 - 6) * Math.Sqrt(5.0 / 8) + 6.25, (13 - 11) * Math.Sqrt(2.5) + 8.5 };
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], calibrated[i], 5);
    }
}
