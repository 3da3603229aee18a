using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace Examples.Abalone;

/// <summary>One abalone: sex (M, F, I = infant, one-hot), seven measurements (standardised on train), rings.</summary>
public sealed record Shell(
    [property: Feature] string Sex,
    [property: Feature] double Length,
    [property: Feature] double Diameter,
    [property: Feature] double Height,
    [property: Feature] double WholeWeight,
    [property: Feature] double ShuckedWeight,
    [property: Feature] double VisceraWeight,
    [property: Feature] double ShellWeight,
    [property: Target] int Rings);

/// <summary>
/// Age of abalone (rings, 1..29) from physical measurements: a real, small tabular set whose label
/// distribution has a peak at 9 rings and two thin tails. One file, split the DIR way: balanced
/// test (at most 10 per ring count and at most half of it) and validation (at most 5), the rest
/// for training. The program has no Main: DirDsl generates one.
/// </summary>
[DirExperiment(Epochs = 60, BatchSize = 64, LearningRate = 2e-3, Seed = 0, SelectByMse = false)]
[LabelBins(Min = 1, Max = 30, Count = 29, Integer = true)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 5, Sigma = 2)]
[Loss(LossKind.L1)]
[DenseWeight(Alpha = 1)]
[BalancedMse(BalancedMseKind.Gai, InitNoiseSigma = 1, Components = 8)]
[Rrt(Epochs = 20, LearningRate = 2e-3)]
[Smoter]
[Smogn]
[Search(Kernels = new[] { Kernel.Gaussian, Kernel.Laplace }, Sizes = new[] { 3, 5, 9 }, Sigmas = new[] { 1.0, 2.0 })]
[Ablation(Seeds = 5)]
public partial class AbaloneExperiment
{
    private static readonly string[] Columns =
        { "sex", "length", "diameter", "height", "whole_weight", "shucked_weight", "viscera_weight", "shell_weight", "rings" };

    [Data]
    public static DirSplits<Shell> Load(DataContext context)
    {
        var shells = CsvSource.Read(context.File("abalone/abalone.csv"), row => new Shell(
            row.String("sex"), row.Double("length"), row.Double("diameter"), row.Double("height"),
            row.Double("whole_weight"), row.Double("shucked_weight"), row.Double("viscera_weight"),
            row.Double("shell_weight"), row.Int("rings")), columns: Columns);
        return BalancedSplit.Create(shells, s => s.Rings, Configuration.Bins, testPerBin: 10, validationPerBin: 5, seed: context.SplitSeed);
    }

    [Encoder(FeatureDim = 32)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(
        nn.Linear(inputDim, 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU());
}
