using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>
/// FDS per pixel: each pixel's channel vector of a feature map is one sample of its pixel's depth bin. The statistics
/// and the calibration are checked against loops over the raw numbers written here, with a start bin (bins below it
/// count as it) and a missing pixel (left out of the statistics, its features untouched).
/// </summary>
public sealed class PixelFdsTests
{
    private const int N = 2, C = 2, H = 2, W = 3, LabelBinCount = 6, StartBin = 2;

    // Per pixel (n, h, w): its label bin, -1 for the missing pixel. Bins 0 and 1 lie below the start bin and count as bin 2.
    private static readonly long[] PixelBins =
    {
        0, 2, 2,
        3, 3, -1,
        5, 5, 1,
        3, 2, 5,
    };

    private static float Feature(int n, int c, int h, int w) => (float)(Math.Sin(1.3 * (((n * C + c) * H + h) * W + w)) * 3 + (n + 2 * c + h * w) % 5);

    private static Tensor Features() => tensor(
        Enumerable.Range(0, N * C * H * W).Select(i => Feature(i / (C * H * W), i / (H * W) % C, i / W % H, i % W)).ToArray()).reshape(N, C, H, W);

    private static FdsOptions Options(FdsOrder order) => new(0, Kernel.Gaussian, 3, 1, 0, 0.1, 10, StartSmooth: 1)
    {
        Window = new[] { 0.25, 0.5, 0.25 },
        Order = order,
        StartBin = StartBin,
    };

    /// <summary>The statistics row of each pixel (-1 missing), as the reference clamps to [bucket_start, 99].</summary>
    private static int RowOf(long bin) => bin < 0 ? -1 : (int)Math.Max(bin, StartBin) - StartBin;

    /// <summary>Per row and channel: mean and unbiased variance of the pixels with a target, by plain loops.</summary>
    private static (double[,] Mean, double[,] Var, int[] Count) Expected()
    {
        int rows = LabelBinCount - StartBin;
        var values = Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, C).Select(_ => new List<double>()).ToArray()).ToArray();
        for (int n = 0; n < N; n++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++)
                {
                    int row = RowOf(PixelBins[(n * H + h) * W + w]);
                    if (row < 0) continue;
                    for (int c = 0; c < C; c++) values[row][c].Add(Feature(n, c, h, w));
                }
        var mean = new double[rows, C];
        var variance = new double[rows, C];
        var count = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            count[r] = values[r][0].Count;
            for (int c = 0; c < C; c++)
            {
                var v = values[r][c];
                if (v.Count == 0) continue;
                mean[r, c] = v.Average();
                variance[r, c] = v.Count > 1 ? v.Sum(x => (x - mean[r, c]) * (x - mean[r, c])) / (v.Count - 1) : 0;
            }
        }
        return (mean, variance, count);
    }

    private static FeatureSmoothingPart Updated(FdsOrder order)
    {
        var part = new FeatureSmoothingPart(Options(order), LabelBinCount, C, TargetShape.Map(H, W));
        using var features = Features();
        using var bins = tensor(PixelBins).reshape(N, H, W);
        void Visit(Action<Tensor, Tensor> visit) => visit(features, bins);
        part.EndTrainingEpoch(new FeaturePass(Visit, Visit), epoch: 0);
        return part;
    }

    [Fact]
    public void StatisticsPerBinAreThoseOfThePixelsChannelVectors()
    {
        using var part = Updated(FdsOrder.Snapshot);
        var (mean, variance, count) = Expected();
        Assert.Equal(new[] { 5, 3, 0, 3 }, count);   // bins 0, 1, 2 -> row 0; bin 3 -> row 1; bin 4 -> row 2 (empty); bin 5 -> row 3
        Assert.Equal(LabelBinCount - StartBin, part.Statistics.Bins);
        var runningMean = part.Statistics.RunningMean.data<float>().ToArray();
        var runningVar = part.Statistics.RunningVar.data<float>().ToArray();
        for (int r = 0; r < count.Length; r++)
            for (int c = 0; c < C; c++)
            {
                // An empty row keeps its initial mean 0 and variance 1.
                Assert.Equal(count[r] == 0 ? 0 : mean[r, c], runningMean[r * C + c], 5);
                Assert.Equal(count[r] == 0 ? 1 : variance[r, c], runningVar[r * C + c], 5);
            }
    }

    [Fact]
    public void EachPixelIsCalibratedByItsBinAndTheMissingPixelIsLeftAlone()
    {
        using var part = Updated(FdsOrder.Snapshot);
        var (mean, variance, count) = Expected();
        int rows = count.Length;
        // Running statistics as the first update sets them (an empty row: 0 and 1), smoothed with torch's reflect padding.
        double Running(double[,] values, int r, int c, double empty) => count[r] == 0 ? empty : values[r, c];
        double Smoothed(double[,] values, int r, int c, double empty)
        {
            int Reflect(int i) => i < 0 ? -i : i >= rows ? 2 * (rows - 1) - i : i;
            return 0.25 * Running(values, Reflect(r - 1), c, empty) + 0.5 * Running(values, r, c, empty) + 0.25 * Running(values, Reflect(r + 1), c, empty);
        }

        using var features = Features();
        using var bins = tensor(PixelBins).reshape(N, H, W);
        Assert.Equal(features.data<float>().ToArray(), part.Calibrate(features, bins, epoch: 0).data<float>().ToArray());   // before StartSmooth
        using var calibrated = part.Calibrate(features, bins, epoch: 1);
        Assert.Equal(new long[] { N, C, H, W }, calibrated.shape);
        var actual = calibrated.data<float>().ToArray();
        for (int n = 0; n < N; n++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++)
                    for (int c = 0; c < C; c++)
                    {
                        int row = RowOf(PixelBins[(n * H + h) * W + w]);
                        double x = Feature(n, c, h, w), expected = x;
                        if (row >= 0 && count[row] > 1)
                        {
                            double mu = Running(mean, row, c, 0), v = Running(variance, row, c, 1);
                            double scale = Math.Sqrt(Math.Clamp(Smoothed(variance, row, c, 1) / v, 0.1, 10));
                            expected = (x - mu) * scale + Smoothed(mean, row, c, 0);
                        }
                        Assert.Equal(expected, actual[((n * C + c) * H + h) * W + w], 4);
                    }
    }

    [Fact]
    public void AFeatureMapOfAnotherSizeThanTheTargetIsRefusedWithBothShapes()
    {
        using var part = Updated(FdsOrder.Snapshot);
        using var small = zeros(N, C, 1, 3);
        using var bins = tensor(PixelBins).reshape(N, H, W);
        var error = Assert.Throws<InvalidOperationException>(() => part.Calibrate(small, bins, epoch: 1));
        Assert.Contains("[2, 2, 1, 3]", error.Message);
        Assert.Contains("[2, 2, 3]", error.Message);
    }

    [Fact]
    public void TheUnaugmentedPassReadsOnlyTheSubset()
    {
        IReadOnlyList<int>? asked = null;
        var options = Options(FdsOrder.Lagged) with { Statistics = FdsStatistics.UnaugmentedPass, Subset = new[] { 4, 1 } };
        using var part = new FeatureSmoothingPart(options, LabelBinCount, C, TargetShape.Map(H, W));
        using var features = Features();
        using var bins = tensor(PixelBins).reshape(N, H, W);
        var pass = new FeaturePass(_ => throw new InvalidOperationException("not this pass"), _ => throw new InvalidOperationException("not this pass"),
            (records, visit) =>
            {
                asked = records;
                visit(features, bins);
            });
        part.EndTrainingEpoch(pass, epoch: 0);
        Assert.Equal(new[] { 4, 1 }, asked);
        Assert.Equal(1, part.Statistics.UpdateCount);
    }

    [Fact]
    public void AVectorTargetIsRefusedAndAMapIsNot()
    {
        var fds = new FeatureSmoothing(Options(FdsOrder.Reference));
        Assert.Null(fds.Unsupported(TargetShape.Map(4, 4)));
        Assert.Null(fds.Unsupported(TargetShape.Scalar));
        Assert.Contains("vector", fds.Unsupported(TargetShape.Vector("a", "b")), StringComparison.OrdinalIgnoreCase);
    }
}
