using System.Diagnostics;
using TorchSharp;

namespace DirDsl.Benchmarks;

/// <summary>Trains the benchmark experiment with LDS weights for many epochs and prints RSS and live tensors every 20 epochs.</summary>
public static class MemoryRun
{
    public static int Run(int epochs)
    {
        var folder = Directory.CreateTempSubdirectory("dirdsl-memory").FullName;
        var rss = new SortedDictionary<int, (long Rss, long Live)>();
        var options = new RunOptions { OutputFolder = folder, Device = "cpu", Log = TextWriter.Null, Epochs = epochs };
        options.OnTrainEpochEnd = (_, record) =>
        {
            if ((record.Epoch + 1) % 20 != 0 && record.Epoch != 4) return;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var self = Process.GetCurrentProcess();
            rss[record.Epoch + 1] = (self.WorkingSet64, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            Console.WriteLine($"epoch {record.Epoch + 1,4}: RSS {self.WorkingSet64 / (1024.0 * 1024):0.0} MiB, live tensors {rss[record.Epoch + 1].Live}");
        };
        BenchExperiment.Run(options);
        Directory.Delete(folder, recursive: true);
        var first = rss[5];
        var last = rss.Last();
        Console.WriteLine($"RSS after epoch {last.Key} vs epoch 5: {(double)(last.Value.Rss - first.Rss) / first.Rss:+0.0%;-0.0%}; live tensors {first.Live} -> {last.Value.Live}");
        return 0;
    }
}
