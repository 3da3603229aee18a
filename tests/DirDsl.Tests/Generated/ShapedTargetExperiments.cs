using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

// Experiments whose target has a shape: two number members form one vector target; an array member with
// [Target(Length = 2)] is a vector whose missing elements are NaN. Same inputs and recipe as TinyExperiment.

/// <summary>A record with two targets: a wave of x, and x itself (both in [0, 10)).</summary>
public sealed record TwinRecord([property: Feature] double X, [property: Target] double Wave, [property: Target] double Ramp);

/// <summary>A record whose two targets come as one array; every fifth record's second element is missing (NaN).</summary>
public sealed record PairRecord([property: Feature] double X, [property: Target(Length = 2)] float[] Pair);

public static class VectorData
{
    public static double Wave(double x) => Math.Clamp(5 + 4.5 * Math.Sin(x), 0, 9.999);
    public static double Ramp(double x) => Math.Clamp(x, 0, 9.999);

    /// <summary>TinyData's inputs (skewed training x, even validation and test x) with both targets.</summary>
    public static DirSplits<TwinRecord> Twins(int seed)
    {
        var (train, validation, test) = Inputs(seed);
        TwinRecord Make(double x) => new(x, Wave(x), Ramp(x));
        return new DirSplits<TwinRecord>(train.Select(Make).ToList(), validation.Select(Make).ToList(), test.Select(Make).ToList());
    }

    /// <summary>The same targets as arrays, the second missing in every fifth record of each split.</summary>
    public static DirSplits<PairRecord> Pairs(int seed)
    {
        var (train, validation, test) = Inputs(seed);
        static List<PairRecord> Make(IReadOnlyList<double> xs) => xs.Select((x, i) =>
            new PairRecord(x, new[] { (float)Wave(x), i % 5 == 4 ? float.NaN : (float)Ramp(x) })).ToList();
        return new DirSplits<PairRecord>(Make(train), Make(validation), Make(test));
    }

    private static (List<double> Train, List<double> Validation, List<double> Test) Inputs(int seed)
    {
        var random = new Random(seed);
        var train = Enumerable.Range(0, 240).Select(_ => Math.Min(9.99, -Math.Log(1 - random.NextDouble()) * 2.5)).ToList();
        return (train, Enumerable.Range(0, 60).Select(i => i / 6.0).ToList(), Enumerable.Range(0, 60).Select(i => i / 6.0 + 0.05).ToList());
    }
}

/// <summary>Two targets of one record, Vanilla and LDS (per element).</summary>
[DirExperiment(Epochs = 30, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Loss(LossKind.L1)]
[Ablation]
public partial class TinyVectorExperiment
{
    [Data]
    public static DirSplits<TwinRecord> Load(DataContext context) => VectorData.Twins(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}

/// <summary>An array target with missing elements, LDS; its own step records what the batches carried.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Ablation]
public partial class TinyPairExperiment
{
    /// <summary>(scaled target, weight, mask) of every element of every batch of the LDS row's first epoch.</summary>
    public static readonly List<(float Target, float Weight, float Mask)> Seen = new();

    [Data]
    public static DirSplits<PairRecord> Load(DataContext context) => VectorData.Pairs(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);

    /// <summary>The generated step's arithmetic (MSE, weighted, masked), recording the batch first.</summary>
    public static Tensor TrainingStep(Model model, TrainingBatch batch)
    {
        if (batch.Epoch == 0 && batch.Weights is not null && batch.Mask is not null)
        {
            var targets = batch.Targets.cpu().data<float>().ToArray();
            var weights = batch.Weights.cpu().data<float>().ToArray();
            var mask = batch.Mask.cpu().data<float>().ToArray();
            for (int i = 0; i < targets.Length; i++) Seen.Add((targets[i], weights[i], mask[i]));
        }
        var predictions = model.forward(batch.Inputs, batch.Bins, batch.Epoch);
        return WeightedLoss.Compute(predictions, batch.Targets, Configuration.Loss, batch.Weights, batch.Mask);
    }
}

/// <summary>
/// Pairs with elements outside [LabelBins] [0, 10]: the first element of every seventh record is 12.5 and the second of
/// every eleventh -1 (the second is also missing in every fifth record, as in <see cref="VectorData.Pairs"/>).
/// <see cref="OutsideAsMissing"/> gives the same data with those elements missing (NaN) from the start.
/// </summary>
[DirExperiment(Epochs = 3, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Ablation(Baselines = false)]
public partial class OutsidePairExperiment
{
    /// <summary>Whether the outside elements come as NaN (missing) instead of their values.</summary>
    public static bool OutsideAsMissing { get; set; }

    [Data]
    public static DirSplits<PairRecord> Load(DataContext context) => Outside(VectorData.Pairs(context.Seed), OutsideAsMissing);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);

    /// <summary>The pairs with their outside elements, as values or as NaN.</summary>
    public static DirSplits<PairRecord> Outside(DirSplits<PairRecord> splits, bool asMissing)
    {
        static List<PairRecord> Move(IReadOnlyList<PairRecord> records, bool missing) => records.Select((r, i) => r with
        {
            Pair = new[]
            {
                i % 7 == 3 ? (missing ? float.NaN : 12.5f) : r.Pair[0],
                i % 11 == 2 && !float.IsNaN(r.Pair[1]) ? (missing ? float.NaN : -1f) : r.Pair[1],
            },
        }).ToList();
        return new DirSplits<PairRecord>(Move(splits.Train, asMissing), Move(splits.Validation, asMissing), Move(splits.Test, asMissing));
    }
}
