using System.Diagnostics;
using TorchSharp;
using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>Runs alone: memory measurements must not see other tests' allocations.</summary>
[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public sealed class MemoryCollection
{
}

/// <summary>Native memory stays flat across epochs: one dispose scope per step and per evaluation batch.</summary>
[Collection(nameof(MemoryTests))]
public sealed class MemoryTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-memory").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void ThirtyEpochs_LiveTensorsAndRssStayFlat()
    {
        var live = new Dictionary<int, long>();
        var rss = new Dictionary<int, long>();
        var options = new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null };
        options.Variants.Add("LDS+FDS");
        options.OnTrainEpochEnd = (_, record) =>
        {
            live[record.Epoch] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var self = Process.GetCurrentProcess();
            rss[record.Epoch] = self.WorkingSet64;
        };
        LongTinyExperiment.Run(options);

        Assert.Equal(30, live.Count);
        // Tensors alive on this thread: exactly as many after epoch 30 as after epoch 5.
        Assert.Equal(live[4], live[29]);
        // Resident memory after epoch 30 within 5% of after epoch 5.
        double growth = (double)(rss[29] - rss[4]) / rss[4];
        Assert.True(growth < 0.05, $"RSS grew {growth:P1} from epoch 5 ({rss[4] >> 20} MiB) to epoch 30 ({rss[29] >> 20} MiB)");
    }
}

/// <summary>What a process needs at a point of a run, not what its allocators keep for reuse.</summary>
public static class SettledMemory
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    /// <summary>
    /// The resident set after an aggressive, compacting collection (it returns free heap regions to the system, whose number
    /// follows the run's length rather than the data it holds) and glibc's malloc_trim (the same for native memory: freed
    /// blocks of its per-thread arenas are kept until trimmed), with the managed heap's size.
    /// </summary>
    public static (long Resident, long Managed) Read()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        if (OperatingSystem.IsLinux()) MallocTrim(0);
        using var self = Process.GetCurrentProcess();
        return (self.WorkingSet64, GC.GetTotalMemory(false));
    }

    /// <summary>
    /// Reads the settled memory at the end of every epoch of a run with <paramref name="options"/> (its OnTrainEpochEnd),
    /// adding a line per reading to <paramref name="notes"/>; the returned function gives the highest resident set read
    /// (0 when no epoch ended).
    /// </summary>
    public static Func<long> PeakAtEpochEnds(RunOptions options, List<string> notes, string label)
    {
        long peak = 0;
        options.OnTrainEpochEnd = (_, _) =>
        {
            var (resident, managed) = Read();
            peak = Math.Max(peak, resident);
            notes.Add($"{label}: rss {resident >> 20} MiB, managed {managed >> 20} MiB");
        };
        return () => peak;
    }
}
