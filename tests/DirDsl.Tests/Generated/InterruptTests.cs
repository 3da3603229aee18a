using System.Diagnostics;
using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>
/// A stopped run (Ctrl-C, a scheduler's SIGTERM): it stops at the next training step, releases the output folder's lock,
/// says what its last checkpoint holds, and --resume then gives exactly the uninterrupted run's result.
/// </summary>
public sealed class InterruptTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-interrupt").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    /// <summary>Cancels the run's token at the end of the first epoch of the first training.</summary>
    private sealed class CancelAfterFirstEpoch(CancellationTokenSource source) : ITrainingCallback
    {
        public void OnEpochEnd(EpochEnd epochEnd, TrainingControl control) => source.Cancel();
    }

    private RunOptions Options(string folder, bool resume = false) => new()
    {
        OutputFolder = Path.Combine(output, folder), Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.Zero,
        Variants = { "LDS+FDS" }, Resume = resume,
    };

    [Fact]
    public void CancelledRun_StopsAtTheNextStep_AndResumesToTheSameResult()
    {
        using var source = new CancellationTokenSource();
        var stopped = Options("run");
        stopped.Cancellation = source.Token;
        stopped.Callbacks.Add(new CancelAfterFirstEpoch(source));
        var e = Assert.Throws<TrainingInterruptedException>(() => TinyExperiment.Run(stopped));
        Assert.Equal(("LDS+FDS", 7, 1), (e.Variant, e.Seed, e.CheckpointedEpochs));
        Assert.Contains("stopped in epoch 2; its last checkpoint holds 1 finished epoch", e.Message);
        Assert.Contains("--resume", e.Message);
        Assert.False(File.Exists(Path.Combine(output, "run", "TinyExperiment", OutputLock.FileName)));

        var resumed = TinyExperiment.Run(Options("run", resume: true));
        var uninterrupted = TinyExperiment.Run(Options("whole"));
        Assert.Equal(uninterrupted.Variants[0].TestPredictions, resumed.Variants[0].TestPredictions);
    }

    /// <remarks>
    /// SIGTERM, not SIGINT: a shell without job control starts background commands with SIGINT ignored (POSIX), and a
    /// CI runner may start the tests so; both signals go to the same handler.
    /// </remarks>
    [Fact]
    public async Task SigTerm_ExitsWith143_AndSaysHowToResume()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var program = Path.Combine(DirDsl.Tests.Data.CsvSourceTests.RepositoryRoot(), "examples", "SyntheticAge", "bin", configuration, "net10.0", "SyntheticAge.dll");
        Assert.True(File.Exists(program), $"{program} is missing: build the solution before testing.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { program, "--variant", "Vanilla", "--epochs", "100000", "--verbose", "--checkpoint-every", "0", "--output", output })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        // Wait on progress, not on a clock: the signal goes after the first finished epoch is printed (100,000 epochs: the
        // run cannot finish before the signal, however slow the kill command is to start on a loaded machine).
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null && !line.Contains("epoch 1/100000", StringComparison.Ordinal))
        {
        }
        Assert.NotNull(line);
        using (var kill = Process.Start("kill", $"-TERM {process.Id}")) kill.WaitForExit();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var stderr = await error;
        Assert.True(process.ExitCode == 143, $"exit code {process.ExitCode}; standard error: {stderr}");
        Assert.Contains("Run the same command with --resume to continue from there.", stderr);
        Assert.False(File.Exists(Path.Combine(output, "SyntheticAgeExperiment", OutputLock.FileName)));
    }
}
