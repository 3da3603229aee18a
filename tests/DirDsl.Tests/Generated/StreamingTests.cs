using System.Diagnostics;
using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>
/// The streaming data path: records read from disk batch by batch train exactly as the in-memory path does, and
/// memory does not grow with the number of records.
/// </summary>
[Collection(nameof(MemoryTests))]
public sealed class StreamingTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-streaming").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Data(int trainCount)
    {
        var data = Path.Combine(folder, $"data-{trainCount}");
        Directory.CreateDirectory(data);
        WideCsv.Write(Path.Combine(data, "train.csv"), trainCount, seed: 1);
        WideCsv.Write(Path.Combine(data, "validation.csv"), 400, seed: 2, balanced: true);
        WideCsv.Write(Path.Combine(data, "test.csv"), 400, seed: 3, balanced: true);
        return data;
    }

    private RunOptions Options(string data, DataPath path, string name) => new()
    {
        DataRoot = data,
        DataPath = path,
        OutputFolder = Path.Combine(folder, name),
        Device = "cpu",
        Log = TextWriter.Null,
    };

    [Fact]
    public void StreamedFromDisk_TrainsExactlyLikeTheInMemoryPath()
    {
        var data = Data(3_000);
        var streamed = StreamingExperiment.Run(Options(data, DataPath.Auto, "streamed"));    // a StreamedCsv is streamed by Auto
        var inMemory = StreamingExperiment.Run(Options(data, DataPath.InMemory, "in-memory"));
        var variant = streamed.Variants.Single();
        Assert.Equal("LDS+FDS", variant.Variant);
        Assert.Equal(inMemory.Variants.Single().TestPredictions, variant.TestPredictions);
        Assert.Equal(inMemory.Variants.Single().Test, variant.Test);
        Assert.Equal(inMemory.Variants.Single().Fds!.RunningMean.SelectMany(r => r), variant.Fds!.RunningMean.SelectMany(r => r));
        // The targets the run binned are the file's (an independent read of the y column).
        var file = TabularFile.Read(Path.Combine(data, "train.csv"));
        Assert.Equal(StreamingExperiment.Configuration.Bins.Counts(file.Floats("y")), streamed.TrainCounts);
        Assert.True(double.IsFinite(variant.Test.Overall.Mae) && variant.Test.Overall.Mae < 5);
    }

    [Fact]
    public void StreamedRun_MemoryDoesNotGrowWithTheRecordCount()
    {
        long PeakRss(int count)
        {
            var options = Options(Data(count), DataPath.Streaming, $"rss-{count}");
            long peak = 0;
            options.OnTrainEpochEnd = (_, _) =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                using var self = Process.GetCurrentProcess();
                peak = Math.Max(peak, self.WorkingSet64);
            };
            var result = StreamingExperiment.Run(options);
            Assert.Equal(count, result.TrainCounts.Sum());
            return peak;
        }
        long small = PeakRss(20_000);
        long large = PeakRss(100_000);
        double growth = (double)(large - small) / small;
        Assert.True(growth < 0.10, $"RSS grew {growth:P1} from 20,000 records ({small >> 20} MiB) to 100,000 ({large >> 20} MiB)");
    }

    [Fact]
    public void StreamedCsv_BadCell_NamesFileRowAndColumn_WhenTheBatchIsMapped()
    {
        var data = Data(600);
        var lines = File.ReadAllLines(Path.Combine(data, "train.csv"));
        var cells = lines[300].Split(',');
        cells[5] = "oops";
        lines[300] = string.Join(",", cells);
        File.WriteAllLines(Path.Combine(data, "train.csv"), lines);
        var e = Assert.Throws<DataFormatException>(() => StreamingExperiment.Run(Options(data, DataPath.Streaming, "bad")));
        Assert.Equal(301, e.Row);                 // the header is row 1
        Assert.Equal("x5", e.Column);
        Assert.Contains("train.csv", e.Message);
    }

    [Fact]
    public void StreamedCsv_ReadsQuotedLineBreaksBlankLinesAndABom()
    {
        var path = Path.Combine(folder, "quoted.csv");
        File.WriteAllText(path, "\uFEFFname,y\r\n\"a\r\nb\",1\r\n\r\n\"c,\"\"d\"\"\",2.5\r\ne,3");
        using var rows = CsvSource.Stream(path, row => (row.String("name"), row.Target("y"), row.Row));
        Assert.Equal(new[] { ("a\nb", 1f, 2), ("c,\"d\"", 2.5f, 4), ("e", 3f, 5) }, rows.ToArray());
        // The same records, text and row numbers as the whole-file reader.
        Assert.Equal(CsvSource.Read(path, row => (row.String("name"), row.Target("y"), row.Row)), rows.ToArray());
    }
}
