using System.Diagnostics;
using System.Globalization;
using Examples.SyntheticAge;
using TorchSharp.PyBridge;
using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>
/// A trained model used from outside its run: the example program trains in one process; another predicts a CSV of
/// new records with --predict and exports the weights; this test process loads the model through the public API. All
/// three agree exactly with the predictions the run wrote.
/// </summary>
public sealed class PredictionTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-predict").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Runs the SyntheticAge example with <paramref name="arguments"/>; returns its exit code, output and errors.</summary>
    private static async Task<(int Exit, string Output, string Error)> Example(params string[] arguments)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var program = Path.Combine(DirDsl.Tests.Data.CsvSourceTests.RepositoryRoot(), "examples", "SyntheticAge", "bin", configuration, "net10.0", "SyntheticAge.dll");
        Assert.True(File.Exists(program), $"{program} is missing: build the solution before testing.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments.Prepend(program)) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    /// <summary>A CSV column of numbers as the exact text written.</summary>
    private static string[] Column(string path, string column)
    {
        var file = TabularFile.Read(path);
        return file.Strings(column);
    }

    [Fact]
    public async Task PredictAndLoad_InFreshProcesses_GiveExactlyTheRunsPredictions()
    {
        var output = Path.Combine(folder, "runs");
        var trained = await Example("--variant", "LDS", "--epochs", "2", "--threads", "1", "--output", output);
        Assert.True(trained.Exit == 0, trained.Error);
        var run = Path.Combine(output, "SyntheticAgeExperiment");
        Assert.True(File.Exists(Path.Combine(run, "lds", "seed-1", FittedFeatureMap.FileName)), "the fitted map is kept beside the weights");
        // --threads set libtorch's pool (results.json records it).
        Assert.Contains("\"torchThreads\": \"1\"", File.ReadAllText(Path.Combine(run, "results.json")));

        // New records: the run's test split (seed 1 as the example declares), written with their ages, which are not read.
        var test = SyntheticFaces.Splits(1).Test;
        var input = Path.Combine(folder, "faces.csv");
        File.WriteAllLines(input, new[] { string.Join(",", Enumerable.Range(0, 8).Select(i => $"measurements_{i}").Append("age")) }
            .Concat(test.Select(f => string.Join(",", f.Measurements.Select(m => m.ToString("R", CultureInfo.InvariantCulture)).Append(f.Age.ToString(CultureInfo.InvariantCulture))))));
        var predicted = await Example("--predict", input, "--variant", "LDS", "--output", output, "--threads", "1");
        Assert.True(predicted.Exit == 0, predicted.Error);
        Assert.Contains($"{test.Count} records of {input} predicted by SyntheticAgeExperiment LDS seed 1", predicted.Output);
        var written = Path.Combine(folder, "faces.predictions.csv");
        var expected = Column(Path.Combine(run, "predictions.csv"), "LDS");
        Assert.Equal(expected, Column(written, PredictionFile.PredictionColumn));
        Assert.Equal(Enumerable.Range(0, test.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)), Column(written, "index"));

        // The public API in this process (one torch thread, as the run: other thread counts may add in another order).
        int threads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(1);
        try
        {
            await LoadedAndExported(output, input, test, expected);
        }
        finally
        {
            TorchSharp.torch.set_num_threads(threads);
        }

    }

    private async Task LoadedAndExported(string output, string input, IReadOnlyList<Face> test, string[] expected)
    {
        using var model = SyntheticAgeExperiment.LoadTrained(output, "LDS");
        var inProcess = model.Predict(SyntheticAgeExperiment.ReadRecords(input));
        Assert.Equal(expected, inProcess.Select(p => p.ToString("R", CultureInfo.InvariantCulture)));

        // Exported weights load into a model whose weights were wiped and predict the same.
        var safetensors = Path.Combine(folder, "export", "lds.safetensors");
        var pickled = Path.Combine(folder, "export", "lds.pt");
        foreach (var file in new[] { safetensors, pickled })
        {
            var exported = await Example("--export", file, "--variant", "LDS", "--output", output);
            Assert.True(exported.Exit == 0, exported.Error);
            Assert.Contains("tensors written to", exported.Output);
        }
        using (TorchSharp.torch.no_grad())
            foreach (var parameter in model.Model.parameters()) parameter.zero_();
        Assert.NotEqual(expected, model.Predict(test).Select(p => p.ToString("R", CultureInfo.InvariantCulture)));
        model.Model.load_safetensors(safetensors);
        Assert.Equal(expected, model.Predict(test).Select(p => p.ToString("R", CultureInfo.InvariantCulture)));
        using (TorchSharp.torch.no_grad())
            foreach (var parameter in model.Model.parameters()) parameter.zero_();
        model.Model.load_py(pickled);
        Assert.Equal(expected, model.Predict(test).Select(p => p.ToString("R", CultureInfo.InvariantCulture)));

        // Mistakes get one line naming what is wrong: a missing input column, an untrained variant, a bad export name.
        var partial = Path.Combine(folder, "partial.csv");
        File.WriteAllLines(partial, new[] { "measurements,age", "0.5,3" });
        var missing = await Example("--predict", partial, "--variant", "LDS", "--output", output);
        Assert.Equal(1, missing.Exit);
        Assert.Contains($"{partial}, row 1, column 'Measurements_0': no such column: the vector member 'Measurements' is read from the columns Measurements_0", missing.Error);
        File.WriteAllLines(partial, new[] { "measurements_0,age", "0.5,3" });
        var short_ = await Example("--predict", partial, "--variant", "LDS", "--output", output);
        Assert.Equal(1, short_.Exit);
        Assert.Contains("predict split, record 0, member 'Measurements'", short_.Error);
        var notTrained = await Example("--predict", input, "--variant", "FDS", "--output", output);
        Assert.Equal(1, notTrained.Exit);
        Assert.Contains("holds no trained seed of FDS", notTrained.Error);
        var badName = await Example("--export", Path.Combine(folder, "model.onnx"), "--variant", "LDS", "--output", output);
        Assert.Equal(1, badName.Exit);
        Assert.Contains("name the file .safetensors", badName.Error);
    }

    [Fact]
    public void ReadRecords_ReadsEachInputMember_AndNotTheTarget()
    {
        var path = Path.Combine(folder, "tiny.csv");
        File.WriteAllText(path, "x; group; extra_0; extra_1\n1.5; low; 0.25; -1\n");
        var records = TinyExperiment.ReadRecords(path, delimiter: "; ");
        var record = Assert.Single(records);
        Assert.Equal((1.5, "low", 0.0), (record.X, record.Group, record.Y));
        Assert.Equal(new[] { 0.25f, -1f }, record.Extra);
        // A nullable member's missing cell is null, as in training.
        File.WriteAllText(path, "X,Size,Flag\n2,NA,\n");
        var gappy = Assert.Single(NullableExperiment.ReadRecords(path));
        Assert.Equal((2.0, (double?)null, (bool?)null), (gappy.X, gappy.Size, gappy.Flag));
    }
}
