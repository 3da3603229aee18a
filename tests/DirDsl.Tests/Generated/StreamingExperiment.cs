using System.Globalization;
using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>A record of a wide CSV: 48 numeric columns and a skewed target.</summary>
public sealed record WideRecord([property: Feature] float[] X, [property: Target] float Y);

/// <summary>
/// Trains from CSV files held on disk and read on demand (<see cref="CsvSource.Stream{T}"/>): the training split
/// is streamed in batches, never held whole. LDS+FDS, so the epoch-end FDS pass streams too.
/// </summary>
[DirExperiment(Epochs = 2, BatchSize = 256, LearningRate = 1e-3, Seed = 3)]
[LabelBins(Min = 0, Max = 10, Count = 20)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Size = 3, Sigma = 1)]
[Loss(LossKind.L1)]
public partial class StreamingExperiment
{
    [Data]
    public static DirSplits<WideRecord> Load(DataContext context) => new(
        WideCsv.Open(context.File("train.csv")), WideCsv.Open(context.File("validation.csv")), WideCsv.Open(context.File("test.csv")));

    [Encoder(FeatureDim = 16)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 16), nn.ReLU());
}

/// <summary>Writes and opens the wide CSV files of <see cref="StreamingExperiment"/>.</summary>
public static class WideCsv
{
    public const int Columns = 48;
    private static readonly string[] Names = Enumerable.Range(0, Columns).Select(j => $"x{j}").ToArray();

    public static StreamedCsv<WideRecord> Open(string path) =>
        CsvSource.Stream(path, row => new WideRecord(Names.Select(row.Float).ToArray(), row.Target("y")));

    /// <summary>Writes <paramref name="count"/> records: y skewed towards 0 (exponential), x a noisy function of y.</summary>
    public static void Write(string path, int count, int seed, bool balanced = false)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(",", Names) + ",y");
        var cells = new string[Columns + 1];
        for (int i = 0; i < count; i++)
        {
            double y = balanced ? (i + 0.5) * 10.0 / count : Math.Min(9.99, -Math.Log(1 - random.NextDouble()) * 2);
            for (int j = 0; j < Columns; j++)
                cells[j] = (Math.Sin(y * (j + 1) / 7.0) + 0.3 * (random.NextDouble() - 0.5)).ToString("0.####", CultureInfo.InvariantCulture);
            cells[Columns] = y.ToString("0.####", CultureInfo.InvariantCulture);
            writer.WriteLine(string.Join(",", cells));
        }
    }
}
