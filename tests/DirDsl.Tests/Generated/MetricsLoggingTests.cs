using System.Buffers.Binary;
using System.Globalization;
using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>Per-epoch metrics as files: metrics.csv per training and per run, and TensorBoard event files.</summary>
public sealed class MetricsLoggingTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-metrics").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private sealed class CancelAfterFirstEpoch(CancellationTokenSource source) : ITrainingCallback
    {
        public void OnEpochEnd(EpochEnd epochEnd, TrainingControl control) => source.Cancel();
    }

    private RunOptions Options(bool resume = false) => new()
    {
        OutputFolder = output, Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.Zero, Epochs = 3,
        Variants = { "Vanilla", "LDS+FDS" }, TensorBoard = true, Resume = resume,
    };

    /// <summary>The events of a TensorBoard file (TFRecord: length, its CRC, an Event protobuf, its CRC) with a scalar value.</summary>
    private static List<(string Tag, long Step, float Value)> Scalars(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var scalars = new List<(string, long, float)>();
        for (int at = 0; at < bytes.Length;)
        {
            long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
            var data = bytes.AsSpan(at + 12, (int)length).ToArray();
            at += 12 + (int)length + 4;
            var e = Tensorboard.Event.Parser.ParseFrom(data);
            if (e.Summary is null) continue;
            foreach (var value in e.Summary.Value) scalars.Add((value.Tag, e.Step, value.SimpleValue));
        }
        return scalars;
    }

    [Fact]
    public void EveryEpoch_IsInMetricsCsv_AndTensorBoard_AlsoAfterAResume()
    {
        // Stopped after the first epoch of the first training, then resumed: the files hold every epoch once.
        using (var source = new CancellationTokenSource())
        {
            var stopped = Options();
            stopped.Cancellation = source.Token;
            stopped.Callbacks.Add(new CancelAfterFirstEpoch(source));
            Assert.Throws<TrainingInterruptedException>(() => TinyExperiment.Run(stopped));
        }
        var result = TinyExperiment.Run(Options(resume: true));
        var folder = Path.Combine(output, "TinyExperiment");
        foreach (var variant in result.Variants)
        {
            var training = Path.Combine(folder, DirVariant.SlugOf(variant.Variant), "seed-7");
            var csv = TabularFile.Read(Path.Combine(training, "metrics.csv"));
            Assert.Equal(new[] { "1", "2", "3" }, csv.Strings("epoch"));
            Assert.Equal(variant.History.Select(h => CsvTable.Number(h.TrainLoss)), csv.Strings("train_loss"));
            Assert.Equal(variant.History.Select(h => CsvTable.Number(h.ValidationMae)), csv.Strings("validation_mae"));
            Assert.Equal(variant.Variant == "LDS+FDS", csv.Header.Contains("fds_mean_distance"));

            // TensorBoard: the epochs each process trained (Vanilla's first in the stopped one), each tag once per epoch.
            var events = Directory.GetFiles(Path.Combine(training, "tensorboard"), "events.out.tfevents.*").SelectMany(Scalars).ToList();
            var loss = events.Where(e => e.Tag == "train/loss").OrderBy(e => e.Step).ToList();
            Assert.Equal(new long[] { 1, 2, 3 }, loss.Select(e => e.Step));
            Assert.Equal(variant.History.Select(h => (float)h.TrainLoss), loss.Select(e => e.Value));
            Assert.Equal(variant.History.Select(h => (float)h.ValidationMse), events.Where(e => e.Tag == "validation/mse").OrderBy(e => e.Step).Select(e => e.Value));
            Assert.Equal(variant.Variant == "LDS+FDS", events.Any(e => e.Tag == "fds/mean_distance"));
        }
        // Beside results.json, every training in one table.
        var run = TabularFile.Read(Path.Combine(folder, "metrics.csv"));
        Assert.Equal(new[] { "Vanilla", "Vanilla", "Vanilla", "LDS+FDS", "LDS+FDS", "LDS+FDS" }, run.Strings("variant"));
        Assert.Equal(result.Variants.SelectMany(v => v.History).Select(h => CsvTable.Number(h.ValidationMse)), run.Strings("validation_mse"));
        Assert.All(run.Strings("seed"), s => Assert.Equal("7", s));
    }
}
