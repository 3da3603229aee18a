using DirDsl;
using DirDsl.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Examples.RenderedDepth;

/// <summary>A rendered photo (32 x 32 gray) and its exact depth map (16 x 16, metres; NaN where a balanced split leaves a pixel out).</summary>
public sealed record Scene(
    [property: Image(32, Color = ImageColor.Gray, Padding = 2)] float[] Pixels,
    [property: DepthMap(16, 16)] float[] Depth);

/// <summary>
/// NYUD2-DIR in miniature, on CPU: depth per pixel from a rendered photo, training depths skewed as NYU's, validation and
/// test balanced over the depth bins by a per-pixel mask. The reference's depth recipe where it carries over: 100 bins of
/// 0.1 m (Truncate), the MSE loss weighted per pixel, LDS (Gaussian 5 / 2, square-root inverse, reflect padding from bin 7),
/// FDS per pixel (momentum 0.9, from bin 7, clamp [0.2, 5], statistics from an unaugmented pass in training mode, the
/// lagged order), Adam with weight decay 1e-4, the rate x0.1 after the first half. A small encoder-decoder trained from
/// scratch replaces the ImageNet ResNet-50 (learning rate 1e-3 rather than 1e-4 for that reason). Three seeds per variant.
/// Shot groups from the training pixels in maps' worth (a bin's pixels / 256): many above 40, few below 8, as 1,200
/// maps fill the bins (the densest, about 3 m, holds some 65 maps' worth; NYU's 50,688 images fill theirs 100 times more).
/// The program has no Main: DirDsl generates one (try --help).
/// </summary>
[DirExperiment(Epochs = 12, BatchSize = 32, LearningRate = 1e-3, WeightDecay = 1e-4, Seed = 1)]
[LabelBins(Min = 0, Max = 10, Count = 100, Rule = BinRule.Truncate)]
[LrSchedule(ScheduleKind.MultiStep, Milestones = new[] { 6 }, Gamma = 0.1)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse, Padding = LdsPadding.Reflect, StartBin = 7)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 5, Sigma = 2, ClampMin = 0.2, ClampMax = 5, StartBin = 7,
    Statistics = FdsStatistics.UnaugmentedPass, Order = FdsOrder.Lagged)]
[Loss(LossKind.Mse)]
[ShotGroups(ManyAbove = 40, FewBelow = 8)]
[Ablation(Seeds = 3)]
public partial class RenderedDepthExperiment
{
    [Data]
    public static DirSplits<Scene> Load(DataContext context) => RenderedScenes.Splits(context.SplitSeed);

    [Encoder(FeatureDim = DepthUNet.Features)]
    public static nn.Module<Tensor, Tensor> Encoder() => new DepthUNet();

    [Regressor]
    public static nn.Module<Tensor, Tensor> Regressor(int featureDim) => nn.Conv2d(featureDim, 1, 3, padding: 1);
}

/// <summary>
/// A small encoder-decoder: two stride-2 stages down to 8 x 8, back up to 16 x 16 joined with the 16 x 16 stage (a skip),
/// giving <see cref="Features"/> channels per pixel of the 16 x 16 depth map.
/// </summary>
public sealed class DepthUNet : nn.Module<Tensor, Tensor>
{
    public const int Features = 32;
    private readonly nn.Module<Tensor, Tensor> stem, down1, down2, middle, fuse;

    public DepthUNet() : base("depth_unet")
    {
        static nn.Module<Tensor, Tensor> Block(int inputs, int outputs, int stride) =>
            nn.Sequential(nn.Conv2d(inputs, outputs, 3, stride: stride, padding: 1, bias: false), nn.BatchNorm2d(outputs), nn.ReLU());
        stem = Block(1, 16, 1);
        down1 = Block(16, 32, 2);
        down2 = Block(32, 64, 2);
        middle = Block(64, 64, 1);
        fuse = Block(64 + 32, Features, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var half = down1.call(stem.call(input));
        var quarter = middle.call(down2.call(half));
        var up = nn.functional.interpolate(quarter, size: new[] { half.shape[2], half.shape[3] }, mode: InterpolationMode.Bilinear, align_corners: false);
        return fuse.call(cat(new[] { up, half }, 1)).MoveToOuterDisposeScope();
    }
}

/// <summary>The rendered splits: skewed training scenes, validation and test balanced over depth bins by a per-pixel mask.</summary>
public static class RenderedScenes
{
    public const int TrainScenes = 1200;
    public const int ValidationScenes = 200;
    public const int TestScenes = 300;
    public const int ImageSide = 32;
    public const int MapSide = 16;

    /// <summary>The depth bins the balanced mask equalises: the experiment's 0.1 m bins (Truncate).</summary>
    public static LabelBins Bins { get; } = LabelBins.Uniform(0, 10, 100, BinRule.Truncate);

    public static DirSplits<Scene> Splits(int seed)
    {
        var random = new Random(seed);
        var train = Render(TrainScenes, random);
        var validation = Balanced(Render(ValidationScenes, random), random);
        var test = Balanced(Render(TestScenes, random), random);
        return new DirSplits<Scene>(train, validation, test);
    }

    private static List<Scene> Render(int count, Random random) => Enumerable.Range(0, count).Select(_ =>
    {
        var room = RoomRenderer.Draw(random);
        return new Scene(RoomRenderer.Image(room, ImageSide, random), RoomRenderer.Depth(room, MapSide));
    }).ToList();

    /// <summary>
    /// A balanced split, as NYUD2-DIR's test mask makes one: in every depth bin the same number of pixels is kept (the
    /// median of the non-empty bins' counts, or all of a bin's pixels when it has fewer), chosen at random; the others are
    /// masked out (NaN).
    /// </summary>
    public static List<Scene> Balanced(List<Scene> scenes, Random random)
    {
        var byBin = new Dictionary<int, List<(int Scene, int Pixel)>>();
        for (int s = 0; s < scenes.Count; s++)
            for (int p = 0; p < scenes[s].Depth.Length; p++)
            {
                int bin = Bins.BinOf(scenes[s].Depth[p]);
                if (!byBin.TryGetValue(bin, out var list)) byBin[bin] = list = new();
                list.Add((s, p));
            }
        var counts = byBin.Values.Select(l => l.Count).OrderBy(c => c).ToArray();
        int keep = counts[counts.Length / 2];
        var masked = scenes.Select(s => Enumerable.Repeat(float.NaN, s.Depth.Length).ToArray()).ToList();
        foreach (var (_, pixels) in byBin.OrderBy(b => b.Key))
            foreach (var (s, p) in pixels.OrderBy(_ => random.Next()).Take(keep))
                masked[s][p] = scenes[s].Depth[p];
        return scenes.Select((s, i) => s with { Depth = masked[i] }).ToList();
    }
}
