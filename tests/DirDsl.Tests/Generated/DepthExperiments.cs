using System.Globalization;
using DirDsl;
using DirDsl.Images;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>A small gray photo on disk and its depth map, a 16-bit PNG in millimetres (0: no reading).</summary>
public sealed record RoomShot(
    [property: Image(8, Color = ImageColor.Gray, Padding = 1)] string Photo,
    [property: DepthMap(8, 8, Scale = 0.001, MissingValue = 0)] string Depth);

/// <summary>
/// The NYUD2-DIR recipe in miniature, declared with the DSL: the depth code's bins (Truncate), LDS with reflect padding from
/// a start bin, FDS per pixel from the same start bin with its clamp, unaugmented pass and lagged order, and the ablation.
/// The encoder is per pixel (1x1 convolutions), so a pixel's depth is learnable from its own brightness.
/// </summary>
[DirExperiment(Epochs = 6, BatchSize = 8, LearningRate = 2e-2, Seed = 3)]
[LabelBins(Min = 0, Max = 4, Count = 20, Rule = BinRule.Truncate)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse, Padding = LdsPadding.Reflect, StartBin = 2)]
[Fds(StartBin = 2, ClampMin = 0.2, ClampMax = 5, StartSmooth = 1, Statistics = FdsStatistics.UnaugmentedPass, Order = FdsOrder.Lagged)]
[Loss(LossKind.L1)]
[Ablation]
public partial class DepthFolderExperiment
{
    /// <summary>The FDS subset the [Data] member gives (set by a test; null: every training record).</summary>
    public static IReadOnlyList<int>? Subset { get; set; }

    [Data]
    public static DirSplits<RoomShot> Load(DataContext context) => DepthFolder.Splits(context.DataRoot) with { FdsSubset = Subset };

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder() => nn.Sequential(nn.Conv2d(1, 8, 1), nn.ReLU(), nn.Conv2d(8, 8, 1), nn.ReLU());
}

/// <summary>Writes and reads folders of photos with depth maps: files listed in train/validation/test.csv, streamed.</summary>
public static class DepthFolder
{
    public const int Side = 8;

    /// <summary>A pixel's depth in millimetres from its gray level: 0.5 m (black) to about 3.56 m (white).</summary>
    public static ushort DepthOf(byte gray) => (ushort)(500 + 12 * gray);

    /// <summary>
    /// Writes <paramref name="count"/> training scenes (most pixels near, far ones rare) and <paramref name="evaluationCount"/>
    /// validation and test scenes (depths even) of <paramref name="side"/> x <paramref name="side"/> pixels; pixel (0, 0) of
    /// every map has no reading. With <paramref name="distinct"/>, each split has that many files and its list names them
    /// in turn (many records, few files to write).
    /// </summary>
    public static void Write(string folder, int count, int evaluationCount = 16, int side = Side, int? distinct = null)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(11);
        foreach (var (split, n) in new[] { ("train", count), ("validation", evaluationCount), ("test", evaluationCount) })
        {
            using var list = new StreamWriter(Path.Combine(folder, $"{split}.csv"));
            list.WriteLine("photo,depth");
            int files = Math.Min(n, distinct ?? n);
            for (int i = 0; i < files; i++)
            {
                var gray = new byte[side * side];
                for (int p = 0; p < gray.Length; p++)
                    gray[p] = (byte)(split == "train" ? Math.Min(255, -60 * Math.Log(1 - random.NextDouble())) : random.Next(256));
                using (var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Unpremul)))
                {
                    for (int p = 0; p < gray.Length; p++) bitmap.SetPixel(p % side, p / side, new SKColor(gray[p], gray[p], gray[p]));
                    using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                    File.WriteAllBytes(Path.Combine(folder, $"{split}-{i}.png"), png.ToArray());
                }
                var depth = gray.Select((g, p) => p == 0 ? (ushort)0 : DepthOf(g)).ToArray();
                File.WriteAllBytes(Path.Combine(folder, $"{split}-{i}-depth.png"), DepthMapTests.GrayPng(depth, side, side, 16));
            }
            for (int i = 0; i < n; i++) list.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{split}-{i % files}.png,{split}-{i % files}-depth.png"));
        }
    }

    /// <summary>The splits, each a CSV streamed from disk.</summary>
    public static DirSplits<RoomShot> Splits(string folder) => new(Open(folder, "train"), Open(folder, "validation"), Open(folder, "test"));

    private static StreamedCsv<RoomShot> Open(string folder, string split) =>
        CsvSource.Stream(Path.Combine(folder, $"{split}.csv"), row => new RoomShot(Path.Combine(folder, row.String("photo")), Path.Combine(folder, row.String("depth"))));
}

/// <summary>A larger scene: a 32 x 32 gray photo and its depth map (1,024 target pixels, 20 KiB a record when held).</summary>
public sealed record LargeRoomShot(
    [property: Image(32, Color = ImageColor.Gray)] string Photo,
    [property: DepthMap(32, 32, Scale = 0.001, MissingValue = 0)] string Depth);

/// <summary>
/// A dense run whose memory is measured: per-pixel encoder, LDS (per-bin weights gathered per batch), one epoch by default.
/// Its training target maps are held or read again with each batch as the run's budget decides.
/// </summary>
[DirExperiment(Epochs = 1, BatchSize = 64, LearningRate = 1e-2, Seed = 5)]
[LabelBins(Min = 0, Max = 4, Count = 20, Rule = BinRule.Truncate)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse, Padding = LdsPadding.Reflect, StartBin = 2)]
[Loss(LossKind.L1)]
public partial class LargeDepthExperiment
{
    [Data]
    public static DirSplits<LargeRoomShot> Load(DataContext context) => new(Open(context.DataRoot, "train"), Open(context.DataRoot, "validation"), Open(context.DataRoot, "test"));

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder() => nn.Sequential(nn.Conv2d(1, 8, 1), nn.ReLU(), nn.Conv2d(8, 8, 1), nn.ReLU());

    private static StreamedCsv<LargeRoomShot> Open(string folder, string split) =>
        CsvSource.Stream(Path.Combine(folder, $"{split}.csv"), row => new LargeRoomShot(Path.Combine(folder, row.String("photo")), Path.Combine(folder, row.String("depth"))));
}

/// <summary>DenseWeight on depth maps: its density is over every training pixel's value, so it reads all of them.</summary>
[DirExperiment(Epochs = 2, BatchSize = 8, LearningRate = 2e-2, Seed = 3)]
[LabelBins(Min = 0, Max = 4, Count = 20, Rule = BinRule.Truncate)]
[DenseWeight(Alpha = 1)]
[Loss(LossKind.L1)]
[Ablation(Baselines = false)]
public partial class DepthDenseWeightExperiment
{
    [Data]
    public static DirSplits<RoomShot> Load(DataContext context) => DepthFolder.Splits(context.DataRoot);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder() => nn.Sequential(nn.Conv2d(1, 8, 1), nn.ReLU(), nn.Conv2d(8, 8, 1), nn.ReLU());
}
