using System.Text.Json;
using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>A resume that cannot lie: checkpoints carry the fingerprint of the run that wrote them; one run per output folder.</summary>
public sealed class ResumeSafetyTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-resume").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private RunOptions Options(string folder, params string[] holdouts)
    {
        var options = new RunOptions { OutputFolder = Path.Combine(output, folder), Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.Zero, Variants = { "LDS" } };
        foreach (var holdout in holdouts) options.Holdouts.Add(TargetRange.Parse(holdout));
        return options;
    }

    [Fact]
    public void ResumeWithAnotherHoldout_IsRefused_NamingWhatChanged_AndRestartChangedTrainsAfresh()
    {
        TinyExperiment.Run(Options("run"));
        var resumed = Options("run", "4:6");
        resumed.Resume = true;
        var e = Assert.Throws<CheckpointException>(() => TinyExperiment.Run(resumed));
        Assert.Contains("holdouts: none -> [4, 6)", e.Message);
        Assert.Contains("train data:", e.Message);          // the held-out records left the training split
        Assert.Contains("--restart-changed", e.Message);

        resumed.RestartChanged = true;
        var log = new StringWriter();
        resumed.Log = log;
        var afresh = TinyExperiment.Run(resumed).Variants.Single();
        Assert.Contains("training afresh (--restart-changed)", log.ToString());
        var fresh = TinyExperiment.Run(Options("fresh", "4:6")).Variants.Single();
        Assert.Equal(fresh.TestPredictions, afresh.TestPredictions);
        Assert.Equal(2, afresh.EpochsRun);
    }

    [Fact]
    public void ResumeWithOtherEpochs_IsRefused_AndTheSameRunResumes()
    {
        var first = TinyExperiment.Run(Options("run")).Variants.Single();
        var longer = Options("run");
        longer.Resume = true;
        longer.Epochs = 3;
        Assert.Contains("epochs: 2 -> 3", Assert.Throws<CheckpointException>(() => TinyExperiment.Run(longer)).Message);

        var same = Options("run");
        same.Resume = true;
        var resumed = TinyExperiment.Run(same).Variants.Single();
        Assert.Equal(first.TestPredictions, resumed.TestPredictions);

        // results.json records the fingerprint of each variant.
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "run", "TinyExperiment", "results.json"))).RootElement;
        var fingerprint = json.GetProperty("variants")[0].GetProperty("fingerprint");
        Assert.Equal("7", fingerprint.GetProperty("seed").GetString());
        Assert.Equal("2", fingerprint.GetProperty("epochs").GetString());
        Assert.Equal(first.Fingerprint!["train data"], fingerprint.GetProperty("train data").GetString());
    }

    [Fact]
    public void ASecondRunIntoTheSameOutput_FailsAtOnce()
    {
        var options = Options("locked");
        using (OutputLock.Acquire(Path.Combine(options.OutputFolder, "TinyExperiment")))
        {
            var e = Assert.Throws<IOException>(() => TinyExperiment.Run(options));
            Assert.Contains("Another run is writing to", e.Message);
            Assert.False(File.Exists(Path.Combine(options.OutputFolder, "TinyExperiment", "results.json")));
        }
        // Released: the run goes ahead, and leaves no lock file behind.
        TinyExperiment.Run(options);
        Assert.False(File.Exists(Path.Combine(options.OutputFolder, "TinyExperiment", OutputLock.FileName)));
    }
}

/// <summary>Checkpoint files under faults: a damaged last.ckpt never replaces the good backup; killed processes' temp files are removed.</summary>
public sealed class CheckpointRotationTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-rotation").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void DamagedLastCheckpoint_IsDropped_NotRotatedOverTheGoodBackup()
    {
        var options = new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.Zero, Variants = { "FDS" } };
        var uninterrupted = TinyExperiment.Run(options).Variants.Single();
        var store = new CheckpointStore(Path.Combine(output, "TinyExperiment", "fds", "seed-7"));
        var goodBackup = File.ReadAllBytes(store.PreviousPath);           // after epoch 0
        var last = File.ReadAllBytes(store.LastPath);
        last[last.Length / 2] ^= 0xFF;                                      // flipped: fails its checksum
        File.WriteAllBytes(store.LastPath, last);

        options.Resume = true;
        var log = new StringWriter();
        options.Log = log;
        var resumed = TinyExperiment.Run(options).Variants.Single();
        Assert.Contains("checksum", log.ToString());                       // fell back to the backup
        Assert.Equal(uninterrupted.TestPredictions, resumed.TestPredictions);
        // The damaged file was dropped: the backup is still the good epoch-0 checkpoint, and last.ckpt is new and whole.
        Assert.Equal(goodBackup, File.ReadAllBytes(store.PreviousPath));
        Assert.NotNull(store.PeekState());
        Assert.Equal(2, store.PeekState()!.NextEpoch);
    }

    [Fact]
    public void TempFilesOfDeadProcesses_AreDeleted_ThoseOfLiveOnesKept()
    {
        var folder = Path.Combine(output, "checkpoints");
        Directory.CreateDirectory(folder);
        // A pid far above Linux's default maximum (4194304) cannot be running.
        var orphan = Path.Combine(folder, ".last.ckpt.99999999.0123456789abcdef.tmp");
        var live = Path.Combine(folder, $".last.ckpt.{Environment.ProcessId}.fedcba9876543210.tmp");
        File.WriteAllText(orphan, "partial");
        File.WriteAllText(live, "being written");
        _ = new CheckpointStore(folder);
        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(live));
        Assert.Equal(0, AtomicFile.DeleteOrphanedTemps(folder));
    }
}
