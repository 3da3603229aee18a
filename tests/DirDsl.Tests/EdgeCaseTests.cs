using DirDsl.Tests.Generated;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>Edge cases a demanding user hit: exact outcomes for out-of-range numbers, damaged cells, odd options, wild targets.</summary>
public sealed class EdgeCaseTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-edge").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void HugeWholeNumber_IsOutOfRange_NotNotWhole_AndNulBytesAreDamage()
    {
        var path = Path.Combine(folder, "cells.csv");
        File.WriteAllText(path, "n,x,y\n1e12,0.4,1\n3,0.4\0\0,2\n");
        var e = Assert.Throws<DataFormatException>(() => CsvSource.Read(path, row => row.Int("n")));
        Assert.Equal((2, "n"), (e.Row, e.Column));
        Assert.Contains("is a whole number outside the range of int", e.Message);
        var nul = Assert.Throws<DataFormatException>(() => CsvSource.Read(path, row => row.Double("x")));
        Assert.Equal((3, "x"), (nul.Row, nul.Column));
        Assert.Contains("control character (U+0000)", nul.Message);
    }

    [Fact]
    public void UnknownVariant_IsAUsageError_AndARepeatedOneTrainsOnce()
    {
        var entry = new ExperimentEntry("TinyExperiment", TinyExperiment.Run, TinyExperiment.Configuration.Variants);
        var error = Console.Error;
        try
        {
            var captured = new StringWriter();
            Console.SetError(captured);
            Assert.Equal(DirDsl.Hosting.DirCommandLine.UsageError,
                DirDsl.Hosting.DirCommandLine.Run(new[] { "--variant", "Bogus", "--output", folder, "--device", "cpu" }, new[] { entry }, TextWriter.Null));
            Assert.Contains("No variant 'Bogus'", captured.ToString());
        }
        finally
        {
            Console.SetError(error);
        }
        var options = new RunOptions { OutputFolder = folder, Device = "cpu", Log = TextWriter.Null, Variants = { "LDS", "lds", "LDS" } };
        Assert.Equal(new[] { "LDS" }, TinyExperiment.Run(options).Variants.Select(v => v.Variant));
    }

    [Fact]
    public void TargetsOutsideTheBins_AreCountedAndTheFarthestNamed()
    {
        var bins = LabelBins.Integer(29, 1);                        // rings 1..29, as Abalone
        var targets = new float[] { 5, 1_000_000_000, 10, -3, 29.5f };
        using var split = DirDataset.FromRows(new float[targets.Length], targets, FeatureLayout.Numeric(1), bins, 1, CPU, "train");
        var warning = OutsideBins.Describe(split);
        Assert.NotNull(warning);
        Assert.Contains("train split: 2 targets lie outside [LabelBins] [1, 30] (1 below, 1 above; the farthest is 1000000000 at record 1)", warning);
        using var inside = DirDataset.FromRows(new float[2], new float[] { 1, 30 }, FeatureLayout.Numeric(1), bins, 1, CPU, "test");
        Assert.Null(OutsideBins.Describe(inside));
    }

    [Fact]
    public void ResultsJsonBeingAFolder_IsOneClearError_AndThePreviousResultFilesStayTogether()
    {
        var options = new RunOptions { OutputFolder = folder, Device = "cpu", Log = TextWriter.Null, Variants = { "Vanilla" } };
        TinyExperiment.Run(options);
        var results = Path.Combine(folder, "TinyExperiment");
        var markdown = File.ReadAllText(Path.Combine(results, "results.md"));
        var predictions = File.ReadAllText(Path.Combine(results, "predictions.csv"));
        File.Delete(Path.Combine(results, "results.json"));
        Directory.CreateDirectory(Path.Combine(results, "results.json"));

        options.Variants.Clear();
        options.Variants.Add("LDS");                                   // a run whose files would differ
        var e = Assert.Throws<IOException>(() => TinyExperiment.Run(options));
        Assert.Contains("results.json is a folder, not a file", e.Message);
        Assert.Contains("previous result files were left as they were", e.Message);
        Assert.Equal(markdown, File.ReadAllText(Path.Combine(results, "results.md")));
        Assert.Equal(predictions, File.ReadAllText(Path.Combine(results, "predictions.csv")));
        Assert.Empty(Directory.EnumerateFiles(results, ".*.tmp"));       // no temp file left behind
    }

    [Fact]
    public void OutputNamingAFile_FailsBeforeAnyTraining()
    {
        var file = Path.Combine(folder, "not-a-folder");
        File.WriteAllText(file, "x");
        var epochs = 0;
        var options = new RunOptions { OutputFolder = file, Device = "cpu", Log = TextWriter.Null, Variants = { "Vanilla" }, OnTrainEpochEnd = (_, _) => epochs++ };
        var e = Assert.Throws<IOException>(() => TinyExperiment.Run(options));
        Assert.Contains("as the output folder", e.Message);
        Assert.Equal(0, epochs);
    }
}
