using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>Vanilla, SMOTER and SMOGN on the tiny skewed data; rarity relevance over the ten label bins.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Smoter(Relevance = RelevanceKind.Rarity)]
[Smogn(Relevance = RelevanceKind.Rarity, Perturbation = 0.05)]
[Ablation]
public partial class ResamplingExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(7);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
}

/// <summary>LDS+FDS and a 2 x 2 x 2 search over window size, FDS momentum and label bins.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 3, Sigma = 1)]
[Fds(Size = 3, Sigma = 1, StartSmooth = 1)]
[Search(Sizes = new[] { 3, 5 }, Momentums = new[] { 0.5, 0.9 }, BinCounts = new[] { 10, 20 })]
public partial class SearchExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(7);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
}

/// <summary>A search over the training itself (learning rate, weight decay, epochs, batch size) of a Vanilla model: no LDS or FDS needed.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Search(LearningRates = new[] { 1e-2, 1e-3 }, WeightDecays = new[] { 0.0, 1e-4 }, Epochs = new[] { 1, 3 }, BatchSizes = new[] { 16, 64 })]
public partial class TrainingSearchExperiment
{
    [Data] public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(7);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
}
