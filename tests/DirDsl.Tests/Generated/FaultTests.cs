using System.Diagnostics;
using DirDsl.Tests.Data;
using TorchSharp;
using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>Defined, tested behaviour for failures: divergence, shape mismatch, empty splits, a killed process.</summary>
public sealed class FaultTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-faults").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private RunOptions Options() => new() { OutputFolder = output, Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.Zero };

    [Fact]
    public void NonFiniteLoss_StopsWithEpochAndStep_AndKeepsTheLastGoodCheckpoint()
    {
        var e = Assert.Throws<TrainingDivergedException>(() => DivergingExperiment.Run(Options()));
        Assert.Equal(1, e.Epoch);
        Assert.Contains("epoch 1, step", e.Message);
        var store = new CheckpointStore(Path.Combine(output, "DivergingExperiment", "vanilla", "seed-7"));
        var map = new DivergingExperiment.FeatureMap();
        map.Fit(TinyData.Splits(7).Train);
        using var model = new DivergingExperiment.Model(ModelContext.Plain(map.Width, DivergingExperiment.Configuration.Bins));
        using var optimizer = TrainingKit.CreateOptimizer(OptimizerKind.Adam, model.parameters(), 1e-3, 0);
        var state = store.TryResume(model, optimizer, TextWriter.Null);
        Assert.Equal(1, state!.NextEpoch);     // the checkpoint of epoch 0, written before the divergence
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void EncoderWidthDifferentFromFeatureDim_IsAClearError()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MismatchedEncoderExperiment.Run(Options()));
        Assert.Contains("[Encoder] Encoder returns features of shape [2, 5]", e.Message);
        Assert.Contains("FeatureDim = 8", e.Message);
    }

    [Fact]
    public void EmptySplit_IsAClearError()
    {
        var e = Assert.Throws<DirDataException>(() => EmptyTestSplitExperiment.Run(Options()));
        Assert.Equal("test split: it has no records.", e.Message);
    }

    /// <summary>
    /// Real processes: two uninterrupted runs agree bit for bit (nothing depends on per-process
    /// randomisation), and a run killed after epoch 3 and resumed ends with exactly their predictions.
    /// Uses the SyntheticAge example, built with the solution.
    /// </summary>
    [Fact]
    public void KilledAndResumedProcess_EndsExactlyLikeAnUninterruptedOne()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var program = Path.Combine(CsvSourceTests.RepositoryRoot(), "examples", "SyntheticAge", "bin", configuration, "net10.0", "SyntheticAge.dll");
        Assert.True(File.Exists(program), $"{program} is missing: build the solution (dotnet build DirDsl.sln) before testing.");
        string[] Arguments(string folder, params string[] extra) =>
            new[] { program, "--epochs", "6", "--variant", "LDS+FDS", "--device", "cpu", "--checkpoint-every", "0", "--verbose", "--output", Path.Combine(output, folder) }.Concat(extra).ToArray();
        string Predictions(string folder) => File.ReadAllText(Path.Combine(output, folder, "SyntheticAgeExperiment", "predictions.csv"));

        Assert.Equal(0, RunToEnd(Arguments("first")));
        Assert.Equal(0, RunToEnd(Arguments("second")));
        Assert.Equal(Predictions("first"), Predictions("second"));
        // The example references DirDsl.Figures, so its generated entry point draws the figures (PNG signature).
        var density = Path.Combine(output, "first", "SyntheticAgeExperiment", "label-density.png");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(density).Take(4));

        // Kill the process as soon as epoch 3 of 6 has been reported (its checkpoint is written before the line).
        var start = Start(Arguments("killed"));
        using (var process = Process.Start(start)!)
        {
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null && !line.Contains("epoch 3/6", StringComparison.Ordinal)) { }
            Assert.NotNull(line);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(output, "killed", "SyntheticAgeExperiment", "predictions.csv")));
        Assert.Equal(0, RunToEnd(Arguments("killed", "--resume")));
        Assert.Equal(Predictions("first"), Predictions("killed"));
    }

    private static ProcessStartInfo Start(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>
    /// Runs the program to its end. A slow, busy machine only makes it slower: the wait fails only when the program
    /// prints nothing for <see cref="Silence"/> (a hang), never because the whole run took long.
    /// </summary>
    private static int RunToEnd(string[] arguments)
    {
        using var process = Process.Start(Start(arguments))!;
        var output = new System.Text.StringBuilder();
        long lastOutput = Environment.TickCount64;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            Interlocked.Exchange(ref lastOutput, Environment.TickCount64);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        while (!process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            var silent = TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref lastOutput));
            if (silent > Silence)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the example printed nothing for {silent.TotalMinutes:0} minutes (hung?); its output so far:\n{output}");
            }
        }
        process.WaitForExit();   // drains the asynchronous readers
        Assert.True(process.ExitCode == 0, output.ToString());
        return process.ExitCode;
    }

    /// <summary>How long the program may print nothing before the test calls it hung: an epoch line comes every few seconds even on a loaded machine.</summary>
    private static readonly TimeSpan Silence = TimeSpan.FromMinutes(10);
}
