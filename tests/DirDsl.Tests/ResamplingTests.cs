using Xunit;

namespace DirDsl.Tests;

/// <summary>SMOTER / SMOGN against hand-derived numbers and invariants, including three known faults of a popular Python port.</summary>
public sealed class ResamplingTests
{
    private static readonly LabelBins Bins = LabelBins.Uniform(-50, 150, 40);

    [Fact]
    public void Extremes_ControlPointsFromBoxPlot_AndZeroSlopeHermiteBetween()
    {
        // 0..10 and 40: type-7 quartiles 2.75 / 5.5 / 8.25, IQR 5.5, fences -5.5 and 16.5. No low outlier:
        // (0, 0); median (5.5, 0); 40 is a high outlier: (10, 1) at the upper whisker.
        var targets = Enumerable.Range(0, 11).Select(i => (float)i).Append(40f).ToArray();
        var phi = RelevanceFunction.Extremes(targets);
        Assert.Equal(new[] { 0.0, 5.5, 10.0 }, phi.ControlX);
        Assert.Equal(new[] { 0.0, 0.0, 1.0 }, phi.ControlPhi);
        // Half-way between median and whisker: t = 0.5, 3t^2 - 2t^3 = 0.5.
        Assert.Equal(0.5, phi.Evaluate(7.75), 12);
        // t = 0.25: 3/16 - 2/64 = 0.15625.
        Assert.Equal(0.15625, phi.Evaluate(5.5 + 0.25 * 4.5), 12);
        Assert.Equal(1.0, phi.Evaluate(40));
        Assert.Equal(0.0, phi.Evaluate(-3));
    }

    [Fact]
    public void Rarity_IsOneMinusBinCountOverTheLargest()
    {
        var bins = LabelBins.Integer(4);
        var targets = new float[] { 0, 1, 1, 1, 1, 2, 2 };   // counts 1, 4, 2, 0
        var phi = RelevanceFunction.Rarity(targets, bins);
        Assert.Equal(new[] { 0.5, 1.5, 2.5, 3.5 }, phi.ControlX);
        Assert.Equal(new[] { 0.75, 0.0, 0.5, 1.0 }, phi.ControlPhi);
    }

    [Fact]
    public void Bumps_CutWhereRarityChanges_AndKeepTiedTargetsTogether()
    {
        var targets = new float[] { 9, 0, 8, 1, 40, 8, 10, 2, 3, 4, 5, 6, 7 };
        var phi = RelevanceFunction.Extremes(targets);
        var bumps = Resampler.Bumps(targets, phi, 0.5);
        Assert.Equal(2, bumps.Count);
        Assert.False(bumps[0].Rare);
        Assert.True(bumps[1].Rare);
        // Both 8s (indices 2 and 5) fall in the same bump, in index order.
        Assert.Equal(new[] { 2, 5, 0, 6, 4 }, bumps[1].Members);
    }

    [Fact]
    public void Interpolate_TargetWeightsUseEveryColumn_NotTheLastOne()
    {
        // Seed (0, 5) y = 0, neighbour (4, 5) y = 10, gaps (0.25, 0.9): new row (1, 5). The last column is the
        // same in both, so a target weighted by the last column alone would divide 0 by 0. With ranges 1:
        // d1 = 1, d2 = 3, y = (3 * 0 + 1 * 10) / 4 = 2.5.
        var layout = FeatureLayout.Numeric(2);
        var row = new float[2];
        float y = Resampler.Interpolate(new float[] { 0, 5 }, 0, new float[] { 4, 5 }, 10, new[] { 0.25, 0.9 }, layout, new[] { 1.0, 1.0 }, row);
        Assert.Equal(new float[] { 1, 5 }, row);
        Assert.Equal(2.5f, y, 6);
    }

    [Fact]
    public void Interpolate_EquidistantTie_GivesTheMeanOfTheTwoTargets()
    {
        // Gaps 0.5 put the new row at the same distance from both: the target is (2 + 6) / 2 = 4
        // (the Python port's operator-precedence slip gives 2 + 6 / 2 = 5).
        var row = new float[2];
        float y = Resampler.Interpolate(new float[] { 0, 0 }, 2, new float[] { 2, 2 }, 6, new[] { 0.5, 0.5 }, FeatureLayout.Numeric(2), new[] { 2.0, 2.0 }, row);
        Assert.Equal(4f, y, 6);
        // Identical rows (both distances 0) also give the mean, not NaN.
        float same = Resampler.Interpolate(new float[] { 1, 1 }, 2, new float[] { 1, 1 }, 6, new[] { 0.3, 0.7 }, FeatureLayout.Numeric(2), new[] { 2.0, 2.0 }, row);
        Assert.Equal(4f, same, 6);
    }

    [Fact]
    public void Interpolate_CopiesACategoryBlockWhole_AndCountsItInTheDistance()
    {
        // Columns: x (numeric, range 2), then a two-column one-hot block. Gap 0.7 >= 0.5 at the block's first
        // column takes the neighbour's category. New row (1, 0, 1): d1 = sqrt(0.5^2 + 1), d2 = 0.5.
        var layout = new FeatureLayout(3, new[] { (1, 2) });
        var row = new float[3];
        float y = Resampler.Interpolate(new float[] { 0, 1, 0 }, 0, new float[] { 2, 0, 1 }, 10, new[] { 0.5, 0.7, 0.1 }, layout, new[] { 2.0, 0, 0 }, row);
        Assert.Equal(new float[] { 1, 0, 1 }, row);
        double d1 = Math.Sqrt(1.25), d2 = 0.5;
        Assert.Equal((float)((d2 * 0 + d1 * 10) / (d1 + d2)), y, 5);
    }

    [Fact]
    public void Smoter_BalancesBumps_AndSyntheticRecordsLieBetweenTheirSeeds()
    {
        // 0..10 and 40 in one column (x = y): normal bump 0..7 (8 records), rare bump 8, 9, 10, 40 (4).
        // Balanced size round(12 / 2) = 6: two normal records go, two synthetic rare ones come.
        var targets = Enumerable.Range(0, 11).Select(i => (float)i).Append(40f).ToArray();
        var result = Resampler.Apply(targets, targets, FeatureLayout.Numeric(1), new ResamplingOptions(ResamplingKind.Smoter), Bins, seed: 3);
        Assert.Equal((1, 1, 10, 2, 2, 0), (result.RareBumps, result.NormalBumps, result.Kept, result.Removed, result.Interpolated, result.Noised));
        Assert.Equal(12, result.Count);
        for (int i = result.Kept; i < result.Count; i++)
        {
            // Rare bump spans [8, 40]; with x = y in the seeds, interpolation keeps the new target at the new x.
            Assert.InRange(result.Rows[i], 8f, 40f);
            Assert.Equal(result.Rows[i], result.Targets[i], 3);
        }
    }

    [Fact]
    public void Undersample_False_KeepsEveryOriginalRecord()
    {
        var targets = Enumerable.Range(0, 11).Select(i => (float)i).Append(40f).ToArray();
        var result = Resampler.Apply(targets, targets, FeatureLayout.Numeric(1), new ResamplingOptions(ResamplingKind.Smogn, Undersample: false), Bins, seed: 1);
        Assert.Equal((12, 0), (result.Kept, result.Removed));
        Assert.Equal(targets.Order(), result.Targets.Take(12).Order());
    }

    [Fact]
    public void Smogn_NoiseDiffersPerRecord_HasTheConfiguredSpread_AndIsReproducible()
    {
        // 400 normal records in [5.2, 5.8] (one integer bin: relevance at most 0.22 by rarity) and a rare bump
        // {100, 101} of two (k = 1: the only neighbour is at the median distance, never closer than half of it,
        // so every synthetic record is noise). Balanced size 201.
        var random = new Random(7);
        var bins = LabelBins.Integer(200);
        var targets = Enumerable.Range(0, 400).Select(_ => (float)(5.2 + 0.6 * random.NextDouble())).Concat(new[] { 100f, 101f }).ToArray();
        var rows = targets.Select(t => t * 2).ToArray();
        var options = new ResamplingOptions(ResamplingKind.Smogn, Perturbation: 0.02, Relevance: RelevanceKind.Rarity);
        var result = Resampler.Apply(rows, targets, FeatureLayout.Numeric(1), options, bins, seed: 11);
        Assert.Equal((1, 1), (result.RareBumps, result.NormalBumps));
        Assert.Equal(199, result.Noised);
        var synthetic = Enumerable.Range(result.Count - 199, 199).ToArray();
        // Each synthetic record has its own noise (re-seeding before every draw would make them identical).
        Assert.True(synthetic.Select(i => result.Targets[i]).Distinct().Count() > 190);
        // Target noise: seeds are 100 or 101, so the offset from the nearer one is the noise; sd = 0.02 x sd{100, 101}.
        var noise = synthetic.Select(i => result.Targets[i] - Math.Round(result.Targets[i])).ToArray();
        double sd = Math.Sqrt(noise.Sum(n => n * n) / noise.Length);
        Assert.InRange(sd, 0.02 * Math.Sqrt(0.5) * 0.8, 0.02 * Math.Sqrt(0.5) * 1.2);
        // The same seed reproduces the records exactly; another seed does not.
        var again = Resampler.Apply(rows, targets, FeatureLayout.Numeric(1), options, bins, seed: 11);
        Assert.Equal(result.Targets, again.Targets);
        Assert.Equal(result.Rows, again.Rows);
        var other = Resampler.Apply(rows, targets, FeatureLayout.Numeric(1), options, bins, seed: 12);
        Assert.NotEqual(result.Targets, other.Targets);
    }

    [Fact]
    public void Smogn_CategoryNoise_DrawsCategoriesOfTheBump()
    {
        // Rare bump records carry category A or B (one-hot); noised records must carry exactly one of them.
        var targets = Enumerable.Range(0, 40).Select(i => (float)(i % 5)).Concat(new[] { 60f, 61f, 62f }).ToArray();
        var rows = new List<float>();
        foreach (var t in targets) rows.AddRange(new[] { t, t > 50 && t < 62 ? 1f : 0f, t > 50 && t < 62 ? 0f : 1f });
        var result = Resampler.Apply(rows.ToArray(), targets, new FeatureLayout(3, new[] { (1, 2) }),
            new ResamplingOptions(ResamplingKind.Smogn, Neighbours: 1), Bins, seed: 5);
        Assert.True(result.Interpolated + result.Noised > 0);
        for (int i = result.Kept; i < result.Count; i++)
        {
            var block = result.Rows.AsSpan(i * 3 + 1, 2).ToArray();
            Assert.Contains(block, b => b == 1f);
            Assert.Equal(1f, block.Sum());
        }
    }

    [Fact]
    public void NonFiniteRow_IsAnErrorNamingRowAndColumn()
    {
        var rows = new float[] { 0, 1, 2, float.NaN };
        var e = Assert.Throws<ArgumentException>(() => Resampler.Apply(rows, new float[] { 1, 2 }, FeatureLayout.Numeric(2), new ResamplingOptions(ResamplingKind.Smoter), Bins, 0));
        Assert.Contains("row 1, column 1", e.Message);
    }
}
