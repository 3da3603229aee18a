using System.Globalization;
using DirDsl.Cli;
using DirDsl.Tests.Data;
using DirDsl.Tests.Generated;
using Xunit;

namespace DirDsl.Tests;

/// <summary>The dirdsl tool: inspect, weights, report, and its errors.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-cli").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = DirDslTool.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Weights_MatchTheReferenceVector()
    {
        // Vectors/lds_weights_real_bins.json case 0: Inverse, Gaussian 5/2, 50 bins over [0, 5].
        var c = Vectors.Load("lds_weights_real_bins.json").GetProperty("cases")[0];
        var labels = c.GetProperty("labels").Floats();
        var csv = Path.Combine(folder, "scores.csv");
        File.WriteAllLines(csv, new[] { "score" }.Concat(labels.Select(l => l.ToString("R", CultureInfo.InvariantCulture))));
        var (code, output, error) = Run("weights", csv, "--target", "score", "--min", "0", "--max", "5", "--bins", "50", "--reweight", "inverse");
        Assert.True(code == 0, error);
        var rows = output.Trim().Split('\n').Skip(1).Select(l => l.Split(',')).ToArray();
        var expected = c.GetProperty("weights").Doubles();
        var expectedBins = c.GetProperty("bin_of_label").Ints();
        Assert.Equal(expected.Length, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(expectedBins[i], int.Parse(rows[i][2], CultureInfo.InvariantCulture));
            Vectors.Close(expected[i], double.Parse(rows[i][3], CultureInfo.InvariantCulture), 1e-5, 1e-7, $"weight {i}");
        }
    }

    [Fact]
    public void Inspect_StsbTrain_CountsAndGroupsMatchTheDataReadme()
    {
        // data/sts-b-dir/README.md lists the training counts per bin; recompute the groups from them.
        var readmeCounts = new[] { 428, 4, 96, 2, 98, 9, 86, 14, 97, 1, 203, 1, 139, 7, 117, 22, 111, 17, 118, 1, 186, 3, 192, 7, 111, 27, 150,
            35, 143, 1, 357, 6, 332, 22, 239, 55, 209, 71, 257, 5, 352, 3, 229, 4, 126, 20, 115, 25, 133, 263 };
        var file = Path.Combine(CsvSourceTests.RepositoryRoot(), "data", "sts-b-dir", "train_new.tsv");
        var png = Path.Combine(folder, "density.png");
        var (code, output, error) = Run("inspect", file, "--target", "score", "--delimiter", "tab", "--no-quoting", "--min", "0", "--max", "5", "--bins", "50", "--png", png);
        Assert.True(code == 0, error);
        for (int b = 0; b < 50; b++) Assert.Contains($"| {b} | {(b / 10.0).ToString("G6", CultureInfo.InvariantCulture)} | {readmeCounts[b]} |", output);
        int many = readmeCounts.Count(n => n > 100), few = readmeCounts.Count(n => n < 20);
        Assert.Contains($"many {many}, medium {50 - many - few}, few {few}", output);
        Assert.True(new FileInfo(png).Length > 10_000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png).Take(4));
    }

    [Fact]
    public void Inspect_ReadsACensusDelimiter_AndFindsASmallCap()
    {
        // Ages 17..87 (40 each), 3 at 88, none at 89, 43 top-coded at 90: 1.5% of the rows but far above the bins beside it.
        var ages = Enumerable.Range(0, 40 * 71).Select(i => 17 + i % 71).Concat(Enumerable.Repeat(88, 3)).Concat(Enumerable.Repeat(90, 43));
        var file = Path.Combine(folder, "census.csv");
        File.WriteAllLines(file, ages.Select(a => $"{a}, Private, ?").Prepend("age, workclass, occupation"));
        var (code, output, error) = Run("inspect", file, "--target", "age", "--delimiter", ", ", "--integer", "--min", "17", "--max", "91");
        Assert.True(code == 0, error);
        Assert.Contains("sit exactly at the maximum target 90", output);
        Assert.Contains("| 73 | 90 | 43 |", output);
    }

    [Fact]
    public void Report_MergesSeparateVariantRuns()
    {
        var runs = new[] { "Vanilla", "LDS" }.Select(variant =>
        {
            var options = new RunOptions { OutputFolder = Path.Combine(folder, variant), Device = "cpu", Log = TextWriter.Null };
            options.Variants.Add(variant);
            return (Result: TinyExperiment.Run(options), Path: Path.Combine(folder, variant, "TinyExperiment", "results.json"));
        }).ToArray();
        var (code, output, error) = Run("report", runs[0].Path, runs[1].Path);
        Assert.True(code == 0, error);
        foreach (var (result, _) in runs)
        {
            var v = result.Variants.Single();
            Assert.Contains($"| TinyExperiment {v.Variant} (seed 7) | {ResultWriter.Format(v.Test.Overall.Mse)} |", output);
        }
        Assert.Contains("Merged 2 variant results from 2 file(s)", output);
    }

    [Fact]
    public void ReportPoolsSeeds_AndCompareNamesTheDataThatDiffers()
    {
        // Two runs of Vanilla with seeds 7 and 8: TinyData draws the training split from the seed.
        var runs = new[] { 7, 8 }.Select(seed =>
        {
            var options = new RunOptions { OutputFolder = Path.Combine(folder, $"seed{seed}"), Device = "cpu", Log = TextWriter.Null, Seed = seed };
            options.Variants.Add("Vanilla");
            return (Result: TinyExperiment.Run(options), Path: Path.Combine(folder, $"seed{seed}", "TinyExperiment", "results.json"));
        }).ToArray();
        var (code, output, error) = Run("report", runs[0].Path, runs[1].Path);
        Assert.True(code == 0, error);
        // One pooled row: the mean of the two seeds' MSE, +- t(0.975, 1) * s / sqrt(2) = 12.706 * |a - b| / 2.
        double a = runs[0].Result.Variants.Single().Test.Overall.Mse, b = runs[1].Result.Variants.Single().Test.Overall.Mse;
        Assert.Contains($"| TinyExperiment Vanilla (7, 8) | {ResultWriter.Format((a + b) / 2)} +- {ResultWriter.Format(12.706 * Math.Abs(a - b) / 2)} |", output);
        Assert.DoesNotContain("(seed 7)", output);

        (code, output, error) = Run("compare", runs[0].Path, runs[1].Path);
        Assert.True(code == 0, error);
        // The training split differs; the test records are the same but standardised by another training split, and
        // the hashes are of the mapped rows, so the comparison says so for every split.
        Assert.Contains("data differs: train data: A ", output);
        Assert.Contains("(seed 7), B ", output);
        Assert.Contains("data differs: test data: A ", output);
        Assert.Contains("the cells below may compare results on different test records", output);
        (code, output, error) = Run("compare", runs[0].Path, runs[0].Path);
        Assert.True(code == 0, error);
        Assert.DoesNotContain("data differs", output);
    }

    [Fact]
    public void Report_SelectsASearchPointOnValidationAcrossSeparateRuns()
    {
        var points = new[] { "LDS+FDS@size=3,momentum=0.5,bins=10", "LDS+FDS@size=5,momentum=0.9,bins=20" };
        var runs = points.Select((point, i) =>
        {
            var options = new RunOptions { OutputFolder = Path.Combine(folder, $"point{i}"), Device = "cpu", Log = TextWriter.Null };
            options.Variants.Add(point);
            return (Result: SearchExperiment.Run(options), Path: Path.Combine(folder, $"point{i}", "SearchExperiment", "results.json"));
        }).ToArray();
        var (code, output, error) = Run("report", runs[0].Path, runs[1].Path);
        Assert.True(code == 0, error);
        var best = runs.Select(r => r.Result.Variants.Single()).MinBy(v => v.Validation.Overall.Mse)!;
        Assert.Contains("Hyperparameter search of SearchExperiment LDS+FDS: 2 points, selected on validation MSE", output);
        Assert.Contains($"| {best.Variant} | {ResultWriter.Format(best.Validation.Overall.Mse)} | {ResultWriter.Format(best.Validation.Overall.Mae)} | 1 | selected |", output);
        Assert.Contains($"| MSE | {ResultWriter.Format(best.Test.Overall.Mse)} |", output);
    }

    [Fact]
    public void Errors_HaveExitCodesAndMessages()
    {
        Assert.Equal(2, Run("frobnicate").Code);
        Assert.Equal(2, Run("inspect", "x.csv", "--size", "4", "--target", "y").Code);
        var missing = Run("inspect", Path.Combine(folder, "none.csv"), "--target", "y");
        Assert.Equal(1, missing.Code);
        Assert.Contains("not found", missing.Error);
        var csv = Path.Combine(folder, "bad.csv");
        File.WriteAllText(csv, "y\n1\nNaN\n");
        var bad = Run("weights", csv, "--target", "y");
        Assert.Equal(1, bad.Code);
        Assert.Contains("row 3, column 'y'", bad.Error);
    }
}
