using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>A record of the synthetic task: one numeric feature, one categorical, one small vector.</summary>
public sealed record TinyRecord([property: Feature] double X, [property: Feature] string Group, [property: Feature] float[] Extra, [property: Target] double Y);

/// <summary>
/// A tiny DIR task for compile-and-run tests: y = 3 + 4 sin(x) on [0, 10), skewed so the low
/// range is dense and the high range sparse; validation and test are balanced over the bins.
/// </summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 3, Sigma = 1)]
[Loss(LossKind.Mse)]
[Ablation]
public partial class TinyExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}

/// <summary>Deterministic synthetic splits for the tiny experiment.</summary>
public static class TinyData
{
    /// <summary>The tiny experiments' encoder: input -> hidden -> 8 features (its twins change only the hidden width).</summary>
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim, int hidden = 16) =>
        nn.Sequential(nn.Linear(inputDim, hidden), nn.ReLU(), nn.Linear(hidden, 8), nn.ReLU());

    public static DirSplits<TinyRecord> Splits(int seed)
    {
        var random = new Random(seed);
        TinyRecord Make(double x)
        {
            double y = Math.Clamp(5 + 4.5 * Math.Sin(x), 0, 9.999);
            return new TinyRecord(x, x < 5 ? "low" : "high", new[] { (float)Math.Cos(x), (float)(x * x / 100) }, y);
        }
        // Skewed training inputs: exponential, so high x (and some target ranges) are rare.
        var train = Enumerable.Range(0, 240).Select(_ => Make(Math.Min(9.99, -Math.Log(1 - random.NextDouble()) * 2.5))).ToList();
        var validation = Enumerable.Range(0, 60).Select(i => Make(i / 6.0)).ToList();
        var test = Enumerable.Range(0, 60).Select(i => Make(i / 6.0 + 0.05)).ToList();
        return new DirSplits<TinyRecord>(train, validation, test);
    }
}

/// <summary>The tiny task with its splits drawn from <see cref="DataContext.SplitSeed"/>, as a [Data] member that splits should.</summary>
[DirExperiment(Epochs = 1, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Loss(LossKind.Mse)]
public partial class SplitSeedExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.SplitSeed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}

/// <summary>The tiny task with census-style gaps in its category: "?" in 30 training records and null in 10.</summary>
[DirExperiment(Epochs = 1, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Loss(LossKind.Mse)]
public partial class CategoryGapExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context)
    {
        var splits = TinyData.Splits(7);
        var train = splits.Train.Select((r, i) => i < 30 ? r with { Group = "?" } : i < 40 ? r with { Group = null! } : r).ToList();
        return new DirSplits<TinyRecord>(train, splits.Validation, splits.Test);
    }

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}

/// <summary>The tiny task cross-validated: the 360 records of its three splits pooled into 3 folds.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Loss(LossKind.Mse)]
[Ablation]
[CrossValidation(Folds = 3)]
public partial class CrossValidatedExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(7);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}
