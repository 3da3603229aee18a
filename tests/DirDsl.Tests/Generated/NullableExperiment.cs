using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>A record with missing values: a nullable number filled with the median, a nullable bool with the mean.</summary>
public sealed record GappyRecord([property: Feature] double X, [property: Feature] double? Size,
    [property: Feature(Impute = Imputation.Mean)] bool? Flag, [property: Target] double Y);

/// <summary>Trains on records whose Size and Flag are sometimes missing.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2)]
public partial class NullableExperiment
{
    [Data] public static DirSplits<GappyRecord> Load(DataContext context) => GappyData.Splits();

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
}

/// <summary>The tiny task with every 4th Size and every 5th Flag missing.</summary>
public static class GappyData
{
    public static GappyRecord From(TinyRecord r, int i) =>
        new(r.X, i % 4 == 0 ? null : r.X * 10, i % 5 == 0 ? null : r.X > 3, r.Y);

    public static DirSplits<GappyRecord> Splits()
    {
        var tiny = TinyData.Splits(7);
        List<GappyRecord> Map(IReadOnlyList<TinyRecord> records) => records.Select(From).ToList();
        return new DirSplits<GappyRecord>(Map(tiny.Train), Map(tiny.Validation), Map(tiny.Test));
    }
}
