using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace Examples.DialDir;

/// <summary>A photo of a gauge and its reading (0-99): the image file and the target.</summary>
public sealed record Dial([property: Image(32, Color = ImageColor.Gray, Padding = 4, Flip = false)] string Path, [property: Target] int Reading);

/// <summary>
/// Reading a gauge from a 32 x 32 picture, trained end to end: a small CNN on images the example renders (a dial, a
/// needle, a shorter distractor hand, noise). The training readings are skewed like ages in AgeDB (most 20-45, few
/// under 10 or over 75); validation and test are balanced over 0-99. Flip is off: a mirrored dial shows another
/// reading. The program has no Main: DirDsl generates one (try --help).
/// </summary>
[DirExperiment(Epochs = 12, BatchSize = 64, LearningRate = 2e-3, Seed = 0, SelectByMse = false)]
[LabelBins(Min = 0, Max = 100, Count = 100, Integer = true)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 5, Sigma = 2)]
[Loss(LossKind.L1)]
[Ablation(Seeds = 5)]
public partial class DialExperiment
{
    [Data]
    public static DirSplits<Dial> Load(DataContext context) => DialImages.Splits(context.SplitSeed, context.Log);

    /// <summary>Three convolution blocks (32 -> 16 -> 8 -> 4 pixels) and a dense layer; spatial layout is kept to the end.</summary>
    [Encoder(FeatureDim = 64)]
    public static nn.Module<Tensor, Tensor> Encoder() => nn.Sequential(
        nn.Conv2d(1, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding: 1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding: 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU());
}
