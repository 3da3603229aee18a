using Xunit;

namespace DirDsl.Tests;

/// <summary>
/// A split's targets summarised in one pass (what a dense training split that does not hold its maps reports): every figure
/// against the same figure computed from the whole array.
/// </summary>
public sealed class TargetSummaryTests
{
    [Fact]
    public void Summary_OfAMapRecordByRecord_EqualsWhatTheWholeArrayGives()
    {
        var shape = TargetShape.Map(3, 4);
        var bins = LabelBins.Uniform(0, 10, 20);
        var random = new Random(5);
        // 50 maps of 12 pixels: about a tenth missing, some below 0 and above 10, the edges hit exactly.
        var targets = new float[50 * shape.Elements];
        for (int i = 0; i < targets.Length; i++)
        {
            double u = random.NextDouble();
            targets[i] = u < 0.1 ? float.NaN : u < 0.13 ? (float)(-5 * random.NextDouble()) : u < 0.16 ? (float)(10 + 5 * random.NextDouble()) : (float)(10 * random.NextDouble());
        }
        targets[7] = 0;
        targets[8] = 10;
        targets[200] = -17.25f;                      // the farthest outside: 17.25 below Min
        targets[300] = 27.5f;                        // 17.5 above Max: farther still
        var builder = new TargetSummary.Builder(shape, bins);
        for (int r = 0; r < 50; r++) builder.Add(targets.AsSpan(r * shape.Elements, shape.Elements));
        var summary = builder.Build();

        var valid = targets.Where(t => !float.IsNaN(t)).ToArray();
        Assert.Equal(50, summary.Records);
        Assert.Equal(valid.Length, summary.Valid);
        Assert.Equal(bins.Counts(valid).Select(c => (long)c), summary.Counts);
        Assert.Equal(RunFingerprint.Hash(targets), summary.Hash);
        Assert.Equal(valid.Min(), summary.Min);
        Assert.Equal(valid.Max(), summary.Max);
        Assert.Equal(27.5f, summary.Max);
        Assert.Equal(valid.Count(t => t == valid.Min()), summary.AtMin);
        Assert.Equal(valid.Count(t => t == valid.Max()), summary.AtMax);
        Assert.Equal(valid.Count(t => t < 0), summary.Below);
        Assert.Equal(valid.Count(t => t > 10), summary.Above);
        Assert.Equal(27.5f, summary.Farthest);
        Assert.Equal(300, summary.FarthestAt);
        // Each pixel's mean over the maps where it has a value, in double.
        var means = summary.ElementMeans();
        for (int e = 0; e < shape.Elements; e++)
        {
            var own = Enumerable.Range(0, 50).Select(r => targets[r * shape.Elements + e]).Where(t => !float.IsNaN(t)).Select(t => (double)t).ToList();
            Assert.Equal(own.Average(), means[e], 12);
        }
        // The summary of the whole array is the same.
        var whole = TargetSummary.Of(targets, shape, bins);
        Assert.Equal(summary.Counts, whole.Counts);
        Assert.Equal(summary.Hash, whole.Hash);
        Assert.Equal(means, whole.ElementMeans());
        // The warning names record 25, pixel 0 (position 300 of 12-pixel maps).
        Assert.Contains("the farthest is 27.5 at record 25, element", OutsideBins.Describe("train", summary));
    }

    [Fact]
    public void Summary_OfNothingThere_HasNoMinimumNoMeanAndNoOutside()
    {
        var summary = TargetSummary.Of(new[] { float.NaN, float.NaN }, TargetShape.Vector("a", "b"), LabelBins.Uniform(0, 1, 2));
        Assert.Equal((1, 0L), (summary.Records, summary.Valid));
        Assert.True(float.IsNaN(summary.Min) && float.IsNaN(summary.Max));
        Assert.Equal(new double[] { 0, 0 }, summary.ElementMeans());
        Assert.Null(OutsideBins.Describe("test", summary));
    }
}
