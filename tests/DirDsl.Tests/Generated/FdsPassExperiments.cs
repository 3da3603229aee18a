using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

// Three two-epoch FDS experiments whose learning rate is too small to change any float32 weight, and which never
// calibrate (in the reference order FDS first acts at epoch StartEpoch + 2), so every statistics pass sees the same
// model: passes differ only in how they gather the features.

/// <summary>The reference's semantics: a second pass after the epoch.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-12, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Fds(Size = 3, Sigma = 1)]
public partial class EpochEndPassExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(7);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
}

/// <summary>Statistics from a pass in evaluation mode.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-12, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Fds(Size = 3, Sigma = 1, Statistics = FdsStatistics.EvaluationPass)]
public partial class EvaluationPassExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(7);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
}

/// <summary>The reference's training-mode pass over an encoder with dropout, which stays active in that pass.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-12, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Fds(Size = 3, Sigma = 1)]
public partial class DropoutEndPassExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(7);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU(), nn.Dropout(0.5));
}

/// <summary>The generated OnTrainEpochEnd hook, implemented in the user's part of the class.</summary>
public partial class EpochEndPassExperiment
{
    /// <summary>What the hook saw: (variant, epoch, FDS update count) per epoch.</summary>
    public static readonly List<(string Variant, int Epoch, long FdsUpdates)> HookCalls = new();

    static partial void OnTrainEpochEnd(EpochEnd epochEnd) =>
        HookCalls.Add((epochEnd.Variant, epochEnd.Record.Epoch, epochEnd.Model.FeatureStatistics?.UpdateCount ?? -1));
}
