using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

// Three two-epoch FDS experiments whose learning rate is too small to change any float32 weight, so the features of
// the training steps and of an epoch-end pass come from the same model: they differ only in how they are gathered.

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

/// <summary>Statistics from the training steps' own features.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-12, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Fds(Size = 3, Sigma = 1, Statistics = FdsStatistics.TrainingPass)]
public partial class TrainingPassExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(7);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
}

/// <summary>Statistics from the training steps' own features, with dropout active in those steps.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-12, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Fds(Size = 3, Sigma = 1, Statistics = FdsStatistics.TrainingPass)]
public partial class TrainingPassDropoutExperiment
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
