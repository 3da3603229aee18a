using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace Examples.SyntheticAge;

/// <summary>A synthetic "face": eight measurements that depend smoothly on age, plus noise.</summary>
public sealed record Face([property: Feature] float[] Measurements, [property: Target] int Age);

/// <summary>
/// Age estimation with a skewed training set (most people 20-45, very few under 10 or over 75)
/// and balanced validation and test sets over ages 0-99: the AgeDB-DIR setting in miniature.
/// The program has no Main: DirDsl generates one (try --help).
/// </summary>
[DirExperiment(Epochs = 25, BatchSize = 128, LearningRate = 2e-3, Seed = 1, SelectByMse = false)]
[LabelBins(Min = 0, Max = 100, Count = 100, Integer = true)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 5, Sigma = 2)]
[Loss(LossKind.L1)]
[Bsam(Rho = 0.2)]
[Ablation]
public partial class SyntheticAgeExperiment
{
    [Data]
    public static DirSplits<Face> Load(DataContext context) => SyntheticFaces.Splits(context.SplitSeed);

    [Encoder(FeatureDim = 32)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(
        nn.Linear(inputDim, 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU());
}

/// <summary>The known generating process: age -> measurements. Deterministic for a seed.</summary>
public static class SyntheticFaces
{
    public const int TrainSize = 8000;
    public const int PerAgeInValidation = 4;
    public const int PerAgeInTest = 6;

    public static DirSplits<Face> Splits(int seed)
    {
        var random = new Random(seed);
        var train = Enumerable.Range(0, TrainSize).Select(_ => Make(SkewedAge(random), random)).ToList();
        var validation = Balanced(PerAgeInValidation, random);
        var test = Balanced(PerAgeInTest, random);
        return new DirSplits<Face>(train, validation, test);
    }

    /// <summary>Log-normal around 30 years, clipped to 0..99: dense in the middle, thin tails.</summary>
    public static int SkewedAge(Random random)
    {
        double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return Math.Clamp((int)Math.Round(Math.Exp(3.45 + 0.38 * normal)), 0, 99);
    }

    private static List<Face> Balanced(int perAge, Random random) =>
        Enumerable.Range(0, 100).SelectMany(age => Enumerable.Range(0, perAge).Select(_ => Make(age, random))).ToList();

    /// <summary>Smooth non-linear functions of age (growth, greying, wrinkles...) with Gaussian noise.</summary>
    public static Face Make(int age, Random random)
    {
        double a = age / 100.0;
        double Noise() => 0.15 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var m = new[]
        {
            Math.Tanh(8 * a - 1.2), a * a, Math.Sin(3 * a), Math.Exp(-4 * a), Math.Sqrt(a),
            Math.Cos(5 * a), 1 / (1 + Math.Exp(-10 * (a - 0.6))), a * Math.Sin(6 * a),
        }.Select(v => (float)(v + Noise())).ToArray();
        return new Face(m, age);
    }
}
