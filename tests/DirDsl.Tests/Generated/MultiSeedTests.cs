using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>[Ablation(Seeds = 3)] with DenseWeight and Balanced MSE, trained through the generated loop.</summary>
public sealed class MultiSeedTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-seeds").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void ThreeSeeds_EveryRow_MeansAndIntervalsAsComputedIndependently()
    {
        var result = MethodsExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null });
        Assert.Equal(new[] { 7, 8, 9 }, result.Seeds);
        Assert.Equal(new[] { "Vanilla", "SqrtInverse", "LDS", "DenseWeight", "BMSE-BMC" }, result.VariantNames);
        Assert.Equal(15, result.Variants.Count);

        // DenseWeight trains with DenseWeight's weights, so it differs from Vanilla on the same seed.
        var vanilla = result.Variants.Single(v => v.Variant == "Vanilla" && v.Seed == 7);
        Assert.NotEqual(vanilla.TestPredictions, result.Variants.Single(v => v.Variant == "DenseWeight" && v.Seed == 7).TestPredictions);
        Assert.NotEqual(vanilla.TestPredictions, result.Variants.Single(v => v.Variant == "BMSE-BMC" && v.Seed == 7).TestPredictions);
        // Different seeds, different initial weights.
        Assert.NotEqual(vanilla.TestPredictions, result.Variants.Single(v => v.Variant == "Vanilla" && v.Seed == 8).TestPredictions);

        // A cell of the table: mean and half-width of the three seeds' overall MSE, by hand.
        var mses = result.Variants.Where(v => v.Variant == "LDS").Select(v => v.Test.Overall.Mse).ToArray();
        double mean = mses.Average();
        double sd = Math.Sqrt(mses.Sum(m => (m - mean) * (m - mean)) / 2);
        var cell = SeedStatistics.Cell(result, "LDS", r => r.Overall, m => m.Mse, explicitGroups: false);
        Assert.Equal(mean, cell.Mean, 12);
        Assert.Equal(4.303 * sd / Math.Sqrt(3), cell.HalfWidth, 12);
        var table = ResultWriter.Table(result, explicitGroups: false);
        Assert.Contains($"| LDS | {ResultWriter.Format(cell.Mean)} +- {ResultWriter.Format(cell.HalfWidth)}", table);
        Assert.Contains("over 3 seeds (7, 8, 9)", table);
        Assert.True(File.Exists(Path.Combine(output, "MethodsExperiment", "bmse-bmc", "seed-9", "last.ckpt")));
    }
}
