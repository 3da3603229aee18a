using System.Globalization;
using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>The ablation's baseline rows: the training mean and ridge regression, checked against computations by hand.</summary>
public sealed class BaselineTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-baselines").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    /// <summary>Solves A x = b by Gaussian elimination with partial pivoting (double), independent of torch.</summary>
    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int pivot = Enumerable.Range(c, n - c).MaxBy(r => Math.Abs(m[r, c]));
            for (int k = 0; k < n; k++) (m[c, k], m[pivot, k]) = (m[pivot, k], m[c, k]);
            (x[c], x[pivot]) = (x[pivot], x[c]);
            for (int r = c + 1; r < n; r++)
            {
                double f = m[r, c] / m[c, c];
                for (int k = c; k < n; k++) m[r, k] -= f * m[c, k];
                x[r] -= f * x[c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            for (int k = r + 1; k < n; k++) x[r] -= m[r, k] * x[k];
            x[r] /= m[r, r];
        }
        return x;
    }

    [Fact]
    public void MeanAndLinear_AreTheTrainingMean_AndRidgeWithThePenaltyValidationChose()
    {
        var log = new StringWriter();
        var result = TinyExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = log, Epochs = 1 });
        Assert.Equal(new[] { "Mean", "Linear", "Vanilla", "SqrtInverse", "LDS", "FDS", "LDS+FDS" }, result.VariantNames);
        var splits = TinyData.Splits(7);

        // Mean: every test prediction is the mean of the training targets.
        double mean = splits.Train.Average(r => r.Y);
        var meanRow = result.Variants.Single(v => v.Variant == "Mean");
        Assert.All(meanRow.TestPredictions, p => Assert.Equal((float)mean, p));
        Assert.Equal(0, meanRow.EpochsRun);

        // Linear: ridge on the mapped rows with a column of ones, the intercept unpenalised, alpha * n on the rest.
        var map = new TinyExperiment.FeatureMap();
        map.Fit(splits.Train);
        double[][] Rows(IReadOnlyList<TinyRecord> records) => records.Select((r, i) =>
        {
            var row = new float[map.Width];
            map.Write(r, row, "test", i);
            return row.Select(v => (double)v).Append(1.0).ToArray();
        }).ToArray();
        var x = Rows(splits.Train);
        int w = x[0].Length;
        double[] Ridge(double alpha)
        {
            var a = new double[w, w];
            var b = new double[w];
            for (int i = 0; i < x.Length; i++)
                for (int j = 0; j < w; j++)
                {
                    b[j] += x[i][j] * splits.Train[i].Y;
                    for (int k = 0; k < w; k++) a[j, k] += x[i][j] * x[i][k];
                }
            for (int j = 0; j < w - 1; j++) a[j, j] += alpha * x.Length;
            return Solve(a, b);
        }
        double[] Predict(double[] weights, IReadOnlyList<TinyRecord> records) => Rows(records).Select(r => r.Zip(weights, (p, q) => p * q).Sum()).ToArray();
        // The penalty chosen is the one with the lowest validation MSE (the experiment selects by MSE) ...
        var validationMse = Baselines.RidgeAlphas.Select(alpha => Predict(Ridge(alpha), splits.Validation)
            .Zip(splits.Validation, (p, r) => (p - r.Y) * (p - r.Y)).Average()).ToList();
        double chosen = Baselines.RidgeAlphas[validationMse.IndexOf(validationMse.Min())];
        var linear = result.Variants.Single(v => v.Variant == "Linear");
        Assert.Equal(FormattableString.Invariant($"ridge, alpha {chosen:g} chosen on validation"), linear.Fingerprint!["baseline"]);
        // ... and its test predictions are the hand-solved ones.
        var expected = Predict(Ridge(chosen), splits.Test);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], linear.TestPredictions[i], 1e-4);
        Assert.Contains("Baselines: Mean (the training mean) test MAE ", log.ToString());

        // Off for one run, and in the jobs of a table (one variant): the table is the trained rows alone.
        var off = TinyExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null, Epochs = 1, NoBaselines = true });
        Assert.DoesNotContain("Mean", off.VariantNames);
        var one = TinyExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null, Epochs = 1, Variants = { "LDS" } });
        Assert.Equal(new[] { "LDS" }, one.VariantNames);
    }

    [Fact]
    public void WithSeveralSeeds_TheBaselinesRepeatPerSeed_WithNoSpread()
    {
        var result = TinyExperiment.Run(new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null, Epochs = 1, Seeds = 2, Variants = { } });
        var means = result.Variants.Where(v => v.Variant == "Mean").ToList();
        Assert.Equal(new[] { 7, 8 }, means.Select(v => v.Seed));
        Assert.Equal(means[0].TestPredictions, means[1].TestPredictions);
        var table = ResultWriter.Table(result, explicitGroups: false);
        // Their cells have no interval (they are the same for every seed); the trained rows keep theirs.
        Assert.DoesNotContain("+-", table.Split('\n').First(l => l.StartsWith("| Mean |", StringComparison.Ordinal)));
        Assert.DoesNotContain("+-", table.Split('\n').First(l => l.StartsWith("| Linear |", StringComparison.Ordinal)));
        Assert.Contains("+-", table.Split('\n').First(l => l.StartsWith("| Vanilla |", StringComparison.Ordinal)));
        Assert.Contains("the baseline rows (Mean, Linear) train nothing and have no spread", table);
    }
}
