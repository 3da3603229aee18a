using System.Diagnostics;
using System.Text.Json;
using DirDsl.Tests.Data;
using Xunit;

namespace DirDsl.Tests;

/// <summary>What makes two runs comparable: the recorded environment, the portable CPU numerics, and the comparison of two runs.</summary>
public sealed class ReproducibilityTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-repro").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static StoredVariant Variant(string name, int seed, double mse)
    {
        var metrics = new GroupMetrics(10, mse, Math.Sqrt(mse), mse / 2, 0.9, 0.9);
        var report = new ShotReport(metrics, metrics, metrics, metrics, metrics);
        return new StoredVariant("E", 0, name, 1, report, report, null, "x") { };
    }

    [Fact]
    public void Welch_ConsistentWithinSeedNoise_DifferentBeyondIt_UndecidedWithOneSeed()
    {
        // Same spread, means 0.5 apart with sd 1: t = 0.61 < t(4) = 2.776.
        Assert.True(RunComparison.Consistent(new[] { 1.0, 2, 3 }, new[] { 1.5, 2.5, 3.5 }));
        // Means 4 apart with sd 0.1: t = 49 > 2.776.
        Assert.False(RunComparison.Consistent(new[] { 1.0, 1.1, 0.9 }, new[] { 5.0, 5.1, 4.9 }));
        Assert.Null(RunComparison.Consistent(new[] { 1.0 }, new[] { 1.0, 2.0 }));
        // Unequal variances: x sd 0.1 (n 3), y sd 2 (n 3); t = 2.0 / sqrt(0.01/3 + 4/3) = 1.73, df = 2.01 -> t(2) = 4.303: consistent.
        Assert.True(RunComparison.Consistent(new[] { 1.0, 1.1, 0.9 }, new[] { 1.0, 3.0, 5.0 }));

        var a = new[] { Variant("LDS", 0, 1.0), Variant("LDS", 1, 1.1), Variant("LDS", 2, 0.9), Variant("FDS", 0, 2) };
        var b = new[] { Variant("LDS", 3, 5.0), Variant("LDS", 4, 5.1), Variant("LDS", 5, 4.9), Variant("FDS", 3, 2) };
        var cells = RunComparison.Compare(a, b, m => m.Mse);
        Assert.Equal(8, cells.Count);
        Assert.All(cells.Where(c => c.Variant == "LDS"), c => Assert.False(c.Consistent));
        Assert.All(cells.Where(c => c.Variant == "FDS"), c => Assert.Null(c.Consistent));
        var table = RunComparison.Table(cells, "MSE", "A", "B");
        Assert.Contains("| LDS | All | 1.000 +- 0.248 (3) | 5.000 +- 0.248 (3) | **no** |", table);
        Assert.Contains("0 of 4 cells consistent; 4 differ beyond seed noise", table);
    }

    [Fact]
    public void PortableNumerics_TheDefault_AreTheAvx2SettingsOfMklAndOneDnn_AndRecordedInResults()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var program = Path.Combine(CsvSourceTests.RepositoryRoot(), "examples", "SyntheticAge", "bin", configuration, "net10.0", "SyntheticAge.dll");
        Assert.True(File.Exists(program), $"{program} is missing: build the solution before testing.");
        string Run(string name, string? numerics, params (string, string)[] environment)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { program, "--variant", "LDS+FDS", "--epochs", "3", "--device", "cpu", "--output", Path.Combine(folder, name) })
                start.ArgumentList.Add(argument);
            if (numerics is not null)
            {
                start.ArgumentList.Add("--cpu-numerics");
                start.ArgumentList.Add(numerics);
            }
            // This test process runs the default numerics itself (NativeSetup): its children must not inherit them.
            foreach (var (key, _) in DirDsl.Native.CpuNumerics.PortableSettings) start.Environment.Remove(key);
            foreach (var (key, value) in environment) start.Environment[key] = value;
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, error.Result);
            return Path.Combine(folder, name, "SyntheticAgeExperiment");
        }
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            var start = new ProcessStartInfo("dotnet", $"{program} --cpu-numerics portable --epochs 1 --output {folder}") { RedirectStandardError = true, RedirectStandardOutput = true };
            using var process = Process.Start(start)!;
            Assert.Contains("this CPU has no AVX2", process.StandardError.ReadToEnd());
            return;
        }
        // The default (portable) sets exactly what the variables set by hand under native numerics do, before
        // libtorch's libraries start; native sets nothing.
        string option = Run("default", numerics: null);
        string variables = Run("variables", "native", ("MKL_CBWR", "AVX2"), ("ONEDNN_MAX_CPU_ISA", "AVX2"));
        string native = Run("native", "native");
        using (var nativeResults = JsonDocument.Parse(File.ReadAllText(Path.Combine(native, "results.json"))))
            Assert.False(nativeResults.RootElement.GetProperty("environment").TryGetProperty("env.ONEDNN_MAX_CPU_ISA", out _));
        Assert.Equal(File.ReadAllText(Path.Combine(variables, "predictions.csv")), File.ReadAllText(Path.Combine(option, "predictions.csv")));
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(option, "results.json")));
        var environment = results.RootElement.GetProperty("environment");
        Assert.Equal("AVX2", environment.GetProperty("env.MKL_CBWR").GetString());
        Assert.Equal("AVX2", environment.GetProperty("env.ONEDNN_MAX_CPU_ISA").GetString());
        Assert.Equal("ATen (oneDNN off)", environment.GetProperty("cpuConvolutions").GetString());
        Assert.Contains("avx2", environment.GetProperty("instructionSets").GetString());
        Assert.Equal(RunEnvironment.CpuModel(), environment.GetProperty("cpu").GetString());
        Assert.Equal(typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3), environment.GetProperty("torchsharp").GetString()![..typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3).Length]);
    }

    [Fact]
    public void ProgramEntries_JoinTheEnvironmentRecord()
    {
        RunEnvironment.Add("embeddings", "sha256:abc");
        var record = RunEnvironment.Describe();
        Assert.Equal("sha256:abc", record["embeddings"]);
        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), record["cores"]);
        Assert.Equal(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, record["dotnet"]);
        Assert.Equal(TorchSharp.torch.__version__, record["libtorch"]);
    }
}
