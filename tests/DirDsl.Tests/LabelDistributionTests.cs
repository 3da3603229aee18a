using Xunit;

namespace DirDsl.Tests;

/// <summary>
/// Bins and LDS weights against Vectors/lds_weights_integer_bins.json and lds_weights_real_bins.json
/// (reference kernel windows and scipy convolution on real-valued counts).
/// </summary>
public sealed class LabelDistributionTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in new[] { "lds_weights_integer_bins.json", "lds_weights_real_bins.json" })
            for (int i = 0; i < Vectors.Load(file).GetProperty("cases").GetArrayLength(); i++) data.Add(file, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SampleWeights_MatchReference(string file, int index)
    {
        var c = Vectors.Load(file).GetProperty("cases")[index];
        var b = c.GetProperty("bins");
        var bins = b.TryGetProperty("low", out var low)
            ? LabelBins.Uniform(low.GetDouble(), b.GetProperty("high").GetDouble(), b.GetProperty("count").GetInt32())
            : LabelBins.Integer(b.GetProperty("count").GetInt32(), b.GetProperty("start").GetInt32());
        var reweight = c.GetProperty("reweight").GetString() == "sqrt_inv" ? Reweight.SqrtInverse : Reweight.Inverse;
        var lds = c.GetProperty("lds").GetBoolean()
            ? new LdsOptions(Vectors.ParseKernel(c.GetProperty("kernel").GetString()!), c.GetProperty("size").GetInt32(), c.GetProperty("sigma").GetDouble())
            : null;
        double? clipMin = null, clipMax = null;
        if (c.TryGetProperty("inverse_count_clip", out var clip) && clip.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            clipMin = clip[0].GetDouble();
            clipMax = clip[1].GetDouble();
        }
        var labels = c.GetProperty("labels").Floats();
        var weights = LabelDistribution.SampleWeights(labels, bins, reweight, lds, clipMin, clipMax);
        var expected = c.GetProperty("weights").Doubles();
        Assert.Equal(expected.Length, weights.Length);
        for (int i = 0; i < expected.Length; i++) Vectors.Close(expected[i], weights[i], 1e-5, 1e-7, $"{file}#{index} weight[{i}]");
        Assert.Equal(1.0, weights.Average(w => (double)w), 5);

        if (c.TryGetProperty("bin_of_label", out var binOf))
            Assert.Equal(binOf.Ints(), labels.Select(bins.BinOf).ToArray());
    }

    [Fact]
    public void UniformBins_UseFloat32Edges()
    {
        // SPEC 3: 1.4f sits exactly on the float32 edge of bin 14 (double edges would say 13).
        var bins = LabelBins.Uniform(0, 5, 50);
        Assert.Equal(14, bins.BinOf(1.4f));
        Assert.Equal(49, bins.BinOf(5f));
        Assert.Equal(0, bins.BinOf(0f));
        Assert.Equal(0, bins.BinOf(-3f));
        Assert.Equal(49, bins.BinOf(7f));
        Assert.Equal(9, bins.BinOf(0.99999f));
    }

    [Fact]
    public void IntegerBins_ClipBelowAndAbove()
    {
        var bins = LabelBins.Integer(10, start: 3);
        Assert.Equal(0, bins.BinOf(1f));
        Assert.Equal(0, bins.BinOf(3.9f));
        Assert.Equal(1, bins.BinOf(4f));
        Assert.Equal(9, bins.BinOf(50f));
    }

    [Fact]
    public void EmptyBins_GetSmoothedDensityFromNeighbours()
    {
        // Counts 4, 0, 4 with triangular ks=3 (window 0.5, 1, 0.5): v_eff = [4, 4, 4] -> equal weights.
        var targets = new float[] { 0, 0, 0, 0, 2, 2, 2, 2 };
        var w = LabelDistribution.SampleWeights(targets, LabelBins.Integer(3), Reweight.Inverse, new LdsOptions(Kernel.Triangular, 3, 1));
        Assert.All(w, x => Assert.Equal(1f, x, 6));
        var density = LabelDistribution.EffectiveDensity(new[] { 4, 0, 4 }, Reweight.Inverse, new LdsOptions(Kernel.Triangular, 3, 1));
        Assert.Equal(new[] { 4.0, 4.0, 4.0 }, density);
    }

    [Fact]
    public void SingleSampleBin_AndAllInOneBin_AreHandDerived()
    {
        // Inverse without LDS: counts 3 and 1 -> raw 1/3, 1/3, 1/3, 1; sum 2 -> scale 4/2.
        var w = LabelDistribution.SampleWeights(new float[] { 1, 1, 1, 7 }, LabelBins.Integer(10), Reweight.Inverse);
        Assert.Equal(new[] { 2 / 3f, 2 / 3f, 2 / 3f, 2f }, w, (a, b) => Math.Abs(a - b) < 1e-6);
        var same = LabelDistribution.SampleWeights(new float[] { 5, 5, 5 }, LabelBins.Integer(10), Reweight.SqrtInverse, new LdsOptions());
        Assert.All(same, x => Assert.Equal(1f, x, 6));
    }

    [Fact]
    public void ClippedCounts_FeedNeighbours()
    {
        // Clip [5, 1000]: the empty middle bin counts 5, so v = [1, 5, 1] -> [5, 5, 5] before smoothing.
        var d = LabelDistribution.EffectiveDensity(new[] { 1, 0, 1 }, Reweight.Inverse, null, 5, 1000);
        Assert.Equal(new[] { 5.0, 5.0, 5.0 }, d);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteTarget_ThrowsNamingTheIndex(float bad)
    {
        var targets = new float[] { 1, 2, bad, 3 };
        var e = Assert.Throws<ArgumentException>(() => LabelDistribution.SampleWeights(targets, LabelBins.Integer(5), Reweight.Inverse));
        Assert.Contains("targets[2]", e.Message);
    }

    [Fact]
    public void LdsWithoutReweighting_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            LabelDistribution.SampleWeights(new float[] { 1 }, LabelBins.Integer(5), Reweight.None, new LdsOptions()));
        Assert.Contains("Reweight.None", e.Message);
        Assert.Equal(new[] { 1f, 1f }, LabelDistribution.SampleWeights(new float[] { 1, 4 }, LabelBins.Integer(5), Reweight.None));
    }

    [Fact]
    public void InvalidBins_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelBins.Integer(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelBins.Uniform(5, 5, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelBins.Uniform(0, 5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelBins.Uniform(0, double.NaN, 3));
    }
}
