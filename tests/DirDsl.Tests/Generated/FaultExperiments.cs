using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>Trains normally in epoch 0, then the schedule multiplies the rate by 1e30: the loss must blow up in epoch 1.</summary>
[DirExperiment(Epochs = 3, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[LrSchedule(ScheduleKind.MultiStep, Milestones = new[] { 1 }, Gamma = 1e30)]
public partial class DivergingExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
}

/// <summary>Declares FeatureDim 8 but its encoder returns 5 features.</summary>
[DirExperiment(Epochs = 2)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Fds(Size = 3)]
public partial class MismatchedEncoderExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 5);
}

/// <summary>Its [Data] member returns an empty test split.</summary>
[DirExperiment(Epochs = 1)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
public partial class EmptyTestSplitExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context)
    {
        var splits = TinyData.Splits(context.Seed);
        return splits with { Test = Array.Empty<TinyRecord>() };
    }

    [Encoder(FeatureDim = 4)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 4);
}

/// <summary>The tiny task for 30 epochs, for the flat-memory test.</summary>
[DirExperiment(Epochs = 30, BatchSize = 32, LearningRate = 1e-3, Seed = 11)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2)]
[Fds(Size = 3, Sigma = 1)]
public partial class LongTinyExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 16)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU());
}

/// <summary>Three seeds of the ablation with DenseWeight and Balanced MSE (BMC) rows.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2)]
[DenseWeight(Alpha = 1)]
[BalancedMse(BalancedMseKind.Bmc)]
[Ablation(Seeds = 3)]
public partial class MethodsExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(7);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
}

/// <summary>LDS, plus RRT: stage 1 without weights, stage 2 retrains the regressor on the frozen encoder.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2)]
[Rrt(Epochs = 3, LearningRate = 5e-2)]
public partial class RrtExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(7);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
}
