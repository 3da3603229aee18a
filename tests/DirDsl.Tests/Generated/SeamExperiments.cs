using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

// Twins of TinyExperiment that differ from it in one setting each: the run fingerprint must name that setting when one
// resumes the other's checkpoints, and the seams (a loss type, a training step, a method unit) must train as documented.

/// <summary>TinyExperiment with [Loss(LossKind.L1)].</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 3, Sigma = 1)]
[Loss(LossKind.L1)]
[Ablation]
public partial class TinyL1Experiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}

/// <summary>TinyExperiment with [Fds(Momentum = 0.5)].</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.5, StartEpoch = 0, StartSmooth = 1, Size = 3, Sigma = 1)]
[Loss(LossKind.Mse)]
[Ablation]
public partial class TinyMomentumExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}

/// <summary>TinyExperiment with a wider encoder (32 hidden units instead of 16).</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 3, Sigma = 1)]
[Loss(LossKind.Mse)]
[Ablation]
public partial class TinyWideExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim, hidden: 32);
}

/// <summary>TinyExperiment with 20 label bins instead of 10.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 20)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 3, Sigma = 1)]
[Loss(LossKind.Mse)]
[Ablation]
public partial class TinyBinsExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}

/// <summary>The squared error as a loss of one's own: the same arithmetic as the built-in MSE, through the loss seam.</summary>
public sealed class SquaredError : IRegressionLoss
{
    /// <summary>How often the runtime asked for the loss (the seam is really used).</summary>
    public static int Calls;

    public Tensor Elementwise(Tensor predictions, Tensor targets)
    {
        Interlocked.Increment(ref Calls);
        var difference = predictions - targets;
        return difference * difference;
    }
}

/// <summary>TinyExperiment with [Loss(typeof(SquaredError))]: must train exactly as TinyExperiment's built-in MSE.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 3, Sigma = 1)]
[Loss(typeof(SquaredError))]
[Ablation]
public partial class TinyOwnLossExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}

/// <summary>
/// TinyExperiment declared with MSE but with a TrainingStep of its own that computes the weighted L1 loss by hand: must
/// train exactly as TinyL1Experiment, so the generated step is really replaced.
/// </summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 3, Sigma = 1)]
[Loss(LossKind.Mse)]
[Ablation]
public partial class TinyOwnStepExperiment
{
    /// <summary>The steps this class's TrainingStep ran.</summary>
    public static int Steps;

    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);

    public static Tensor TrainingStep(Model model, TrainingBatch batch)
    {
        Interlocked.Increment(ref Steps);
        var errors = (model.forward(batch.Inputs, batch.Bins, batch.Epoch) - batch.Targets).abs();
        return (batch.Weights is null ? errors : errors * batch.Weights).mean();
    }
}

/// <summary>Inverse re-weighting and BSAM with a radius too small to move any weight: the BSAM row must equal the Inverse row.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.Inverse)]
[Loss(LossKind.L1)]
[Bsam(Rho = 1e-30)]
[Ablation]
public partial class TinyBsamExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}

/// <summary>The same with the paper's radius.</summary>
[DirExperiment(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 7)]
[LabelBins(Min = 0, Max = 10, Count = 10)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.Inverse)]
[Loss(LossKind.L1)]
[Bsam]
[Ablation]
public partial class TinyBsamPaperExperiment
{
    [Data]
    public static DirSplits<TinyRecord> Load(DataContext context) => TinyData.Splits(context.Seed);

    [Encoder(FeatureDim = 8)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => TinyData.Encoder(inputDim);
}
