using System.Text.Json;
using DirDsl.Tests.Generated;
using Xunit;

namespace DirDsl.Tests;

/// <summary>results.json and predictions.csv: one schema written and read back; CSV quoting; FDS statistics sources; the core's dependencies.</summary>
public sealed class ResultsIoTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-results-io").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private RunOptions Options(string name) => new() { OutputFolder = Path.Combine(output, name), Device = "cpu", Log = TextWriter.Null };

    [Fact]
    public void SearchRun_ResultsJsonAndPredictionsCsv_ReadBackWithEveryColumnAndValue()
    {
        var options = Options("search");
        options.Search = true;
        var result = SearchExperiment.Run(options);
        var folder = Path.Combine(options.OutputFolder, "SearchExperiment");

        // results.json: every variant's metrics and search origin come back as written.
        var stored = ResultReader.Read(Path.Combine(folder, "results.json"));
        Assert.Equal(result.Variants.Select(v => (v.Variant, v.Seed, v.BestEpoch, v.SearchOf)), stored.Select(v => (v.Variant, v.Seed, v.BestEpoch, v.SearchOf)));
        Assert.Equal(result.Variants.Select(v => v.Test), stored.Select(v => v.Test));
        Assert.Equal(result.Variants.Select(v => v.Validation), stored.Select(v => v.Validation));
        Assert.Contains(result.Variants, v => v.Variant.Contains(','));      // search names hold commas

        // predictions.csv through an RFC 4180 reader: the header is as wide as every row, names intact.
        var csv = TabularFile.Read(Path.Combine(folder, "predictions.csv"));
        Assert.Equal(new[] { "index", "target", "bin" }.Concat(result.Variants.Select(v => v.Variant)), csv.Header);
        Assert.Equal(result.TestTargets.Length, csv.Count);
        Assert.Equal(result.TestTargets, csv.Floats("target"));
        foreach (var variant in result.Variants) Assert.Equal(variant.TestPredictions, csv.Floats(variant.Variant));
    }

    [Fact]
    public void ResultsJson_UndefinedMetricsAreNull_AndReadBackAsNaN()
    {
        var result = TinyExperiment.Run(new RunOptions { OutputFolder = Path.Combine(output, "tiny"), Device = "cpu", Log = TextWriter.Null, Variants = { "Vanilla" } });
        var path = Path.Combine(output, "tiny", "TinyExperiment", "results.json");
        var json = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        var zero = json.GetProperty("variants")[0].GetProperty("test").GetProperty("zero");
        Assert.Equal(0, zero.GetProperty("count").GetInt32());                // no zero-shot bin in this data
        Assert.Equal(JsonValueKind.Null, zero.GetProperty("mse").ValueKind);
        Assert.True(double.IsNaN(ResultReader.Read(path).Single().Test.Zero.Mse));
        Assert.Equal(result.Variants[0].Test.Overall, ResultReader.Read(path).Single().Test.Overall);
        Assert.Equal(10, json.GetProperty("bins").GetProperty("count").GetInt32());
        Assert.Equal(result.TrainCounts, json.GetProperty("trainCounts").EnumerateArray().Select(c => c.GetInt32()));
    }

    [Fact]
    public void CsvTable_QuotesCellsWithCommasQuotesAndLineBreaks()
    {
        var text = CsvTable.Write(new[] { "a", "b,c" }, new[] { new[] { "1", "say \"hi\"" }, new[] { "x\ny", "2" } });
        Assert.Equal("a,\"b,c\"\n1,\"say \"\"hi\"\"\"\n\"x\ny\",2\n", text);
    }

    [Fact]
    public void FdsPasses_WithoutDropout_GiveTheSameStatistics_AndTheTrainingModePassKeepsDropout()
    {
        // A learning rate of 1e-12 leaves every weight unchanged and nothing is calibrated, so both passes see the same features.
        EpochEndPassExperiment.HookCalls.Clear();
        var endPass = EpochEndPassExperiment.Run(Options("end")).Variants.Single().Fds!;
        // The user's partial OnTrainEpochEnd ran after each epoch's FDS update (one update per epoch).
        Assert.Equal(new[] { ("FDS", 0, 1L), ("FDS", 1, 2L) }, EpochEndPassExperiment.HookCalls.Take(2));
        var evaluationPass = EvaluationPassExperiment.Run(Options("evaluation")).Variants.Single().Fds!;
        // Same features, summed in another order (the training-mode pass shuffles).
        AssertClose(endPass.RunningMean, evaluationPass.RunningMean, 1e-5);
        AssertClose(endPass.RunningVar, evaluationPass.RunningVar, 1e-4);

        // The run-time override gives the declared evaluation-pass experiment's statistics from the epoch-end one.
        var overridden = Options("override");
        overridden.FdsChoices = new FdsChoices(Statistics: FdsStatistics.EvaluationPass);
        var viaOverride = EpochEndPassExperiment.Run(overridden).Variants.Single().Fds!;
        Assert.Equal(evaluationPass.RunningMean.SelectMany(r => r), viaOverride.RunningMean.SelectMany(r => r));

        // With dropout, the reference's training-mode pass sees dropped features: their variance is larger.
        var dropout = DropoutEndPassExperiment.Run(Options("dropout")).Variants.Single().Fds!;
        double Total(float[][] rows) => rows.SelectMany(r => r).Sum(v => (double)v);
        Assert.True(Total(dropout.RunningVar) > 1.2 * Total(endPass.RunningVar), $"{Total(dropout.RunningVar)} vs {Total(endPass.RunningVar)}");
    }

    private static void AssertClose(float[][] expected, float[][] actual, double tolerance)
    {
        var e = expected.SelectMany(r => r).ToArray();
        var a = actual.SelectMany(r => r).ToArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * Math.Max(1, Math.Abs(e[i])), $"component {i}: {e[i]} vs {a[i]}");
    }

    [Fact]
    public void CorePackage_DependsOnNoPlottingLibrary()
    {
        // The restore graph of src/DirDsl (what an application referencing only DirDsl gets).
        var assets = Path.Combine(Data.CsvSourceTests.RepositoryRoot(), "src", "DirDsl", "obj", "project.assets.json");
        var root = JsonDocument.Parse(File.ReadAllText(assets)).RootElement;
        var libraries = root.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains(libraries, l => l.StartsWith("TorchSharp/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.StartsWith("ScottPlot", StringComparison.OrdinalIgnoreCase) || l.StartsWith("HarfBuzzSharp", StringComparison.OrdinalIgnoreCase)
            || l.StartsWith("SkiaSharp.NativeAssets.Linux", StringComparison.OrdinalIgnoreCase));
        // TorchSharp 0.107 itself depends on SkiaSharp 2.88 (Windows and macOS natives only): the one SkiaSharp allowed,
        // and nothing else in the graph asks for it.
        var dependents = root.GetProperty("targets").EnumerateObject().Single().Value.EnumerateObject()
            .Where(lib => lib.Value.TryGetProperty("dependencies", out var deps) && deps.EnumerateObject().Any(d => d.Name == "SkiaSharp"))
            .Select(lib => lib.Name.Split('/')[0]).ToList();
        Assert.Equal(new[] { "TorchSharp" }, dependents);
        var figures = JsonDocument.Parse(File.ReadAllText(assets.Replace(Path.Combine("src", "DirDsl", "obj"), Path.Combine("src", "DirDsl.Figures", "obj"))))
            .RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name);
        Assert.Contains(figures, l => l.StartsWith("ScottPlot/", StringComparison.Ordinal));   // the figures package carries it
    }
}
