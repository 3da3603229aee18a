using System.Globalization;
using DirDsl;
using DirDsl.Images;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>A small gray picture on disk and its value: brighter pictures have larger values.</summary>
public sealed record Picture([property: Image(16, Color = ImageColor.Gray, Padding = 2)] string Path, [property: Target] float Value);

/// <summary>
/// A CNN trained end to end on a folder of PNG and JPEG files with FDS (statistics from an epoch-end pass, so they can
/// be recomputed independently). The hook hands each epoch's model to the test.
/// </summary>
[DirExperiment(Epochs = 2, BatchSize = 16, LearningRate = 1e-3, Seed = 5)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Fds(Size = 3, Sigma = 1, StartEpoch = 0, StartSmooth = 1)]
[Loss(LossKind.L1)]
public partial class ImageFdsExperiment
{
    /// <summary>Receives every epoch end (set by a test; null otherwise).</summary>
    public static Action<EpochEnd>? EpochEnded { get; set; }

    [Data]
    public static DirSplits<Picture> Load(DataContext context) => PictureFolder.Splits(context.DataRoot);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder() => nn.Sequential(
        nn.Conv2d(1, 4, 3, padding: 1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(16, 8), nn.ReLU());

    static partial void OnTrainEpochEnd(EpochEnd epochEnd) => EpochEnded?.Invoke(epochEnd);
}

/// <summary>Writes and reads folders of pictures for the image tests: files listed in labels.csv, streamed.</summary>
public static class PictureFolder
{
    /// <summary>Writes <paramref name="count"/> pictures of <paramref name="size"/> px per split (every third a JPEG) and the label files.</summary>
    public static void Write(string folder, int count, int size = 20, int validationCount = 40)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(7);
        foreach (var (split, n) in new[] { ("train", count), ("validation", validationCount), ("test", validationCount) })
        {
            using var labels = new StreamWriter(Path.Combine(folder, $"{split}.csv"));
            labels.WriteLine("path,value");
            for (int i = 0; i < n; i++)
            {
                // Skewed values in training (most below 3), uniform in validation and test.
                float value = split == "train" ? (float)Math.Min(9.99, -2 * Math.Log(1 - random.NextDouble())) : (float)(10.0 * i / n);
                string file = $"{split}-{i}.{(i % 3 == 2 ? "jpg" : "png")}";
                WriteImage(Path.Combine(folder, file), size, (byte)(20 + 20 * value), random);
                labels.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{file},{value}"));
            }
        }
    }

    /// <summary>A picture of the given brightness with a little noise, as PNG or JPEG by extension.</summary>
    public static void WriteImage(string path, int size, byte level, Random random)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                byte v = (byte)Math.Clamp(level + random.Next(-10, 11), 0, 255);
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        var format = path.EndsWith(".jpg", StringComparison.Ordinal) ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>The splits, each a CSV streamed from disk (records read on access).</summary>
    public static DirSplits<Picture> Splits(string folder) => new(Open(folder, "train"), Open(folder, "validation"), Open(folder, "test"));

    private static StreamedCsv<Picture> Open(string folder, string split) =>
        CsvSource.Stream(Path.Combine(folder, $"{split}.csv"), row => new Picture(Path.Combine(folder, row.String("path")), row.Target("value")));
}
