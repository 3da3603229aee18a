using static TorchSharp.torch;

namespace DirDsl;

/// <summary>The training settings of an experiment, fixed at compile time from [DirExperiment], [LabelBins] and [LrSchedule].</summary>
public sealed record TrainerSettings
{
    /// <summary>Training epochs.</summary>
    public int Epochs { get; init; } = DslDefaults.Epochs;
    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = DslDefaults.BatchSize;
    /// <summary>Base learning rate.</summary>
    public double LearningRate { get; init; } = DslDefaults.LearningRate;
    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; init; } = DslDefaults.WeightDecay;
    /// <summary>The optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = DslDefaults.Optimizer;
    /// <summary>Seed of torch, the batch order and every Random of the run.</summary>
    public int Seed { get; init; } = DslDefaults.Seed;
    /// <summary>Seeds per variant ([Ablation(Seeds)]).</summary>
    public int Seeds { get; init; } = DslDefaults.Seeds;
    /// <summary>Whether the run adds the baseline rows Mean and Linear ([Ablation(Baselines)]; false without [Ablation]).</summary>
    public bool Baselines { get; init; }
    /// <summary>Folds of [CrossValidation], or 0: train on the [Data] member's splits as they are.</summary>
    public int Folds { get; init; }
    /// <summary>Gradient norm clip; 0 is off.</summary>
    public double GradientClipNorm { get; init; } = DslDefaults.GradientClipNorm;
    /// <summary>Early-stopping patience in epochs; 0 trains every epoch.</summary>
    public int Patience { get; init; } = DslDefaults.Patience;
    /// <summary>Targets are divided by this inside the loss; predictions are multiplied back.</summary>
    public double TargetScale { get; init; } = DslDefaults.TargetScale;
    /// <summary>Model selection on validation by MSE (true) or MAE (false).</summary>
    public bool SelectByMse { get; init; } = DslDefaults.SelectByMse;
    /// <summary>The label space.</summary>
    public required LabelBins Bins { get; init; }
    /// <summary>The learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;
    /// <summary>Epochs at which a multi-step schedule multiplies the rate by <see cref="ScheduleGamma"/>.</summary>
    public IReadOnlyList<int>? Milestones { get; init; }
    /// <summary>The multi-step factor.</summary>
    public double ScheduleGamma { get; init; } = DslDefaults.ScheduleGamma;

    /// <summary>The learning rate of an epoch (a pure function of the epoch, so resume needs no scheduler state).</summary>
    public double LearningRateAt(int epoch, int epochs) =>
        TrainingKit.LearningRateAt(Schedule, LearningRate, epoch, epochs, Milestones, ScheduleGamma);
}

/// <summary>One training step's inputs, on the run's device, created in the step's dispose scope.</summary>
/// <param name="Inputs">Mapped input rows [n, W].</param>
/// <param name="Targets">Targets divided by the target scale, [n, ..shape] ([n, 1] for a scalar target; a missing element is 0).</param>
/// <param name="Bins">Label bins (of the variant's label space), int64 [n] for a scalar target, [n, ..shape] otherwise.</param>
/// <param name="Weights">Per-element loss weights shaped like <paramref name="Targets"/>, or null when the variant does not re-weight.</param>
/// <param name="Epoch">The epoch (0-based).</param>
/// <param name="Step">The step within the epoch (0-based).</param>
public sealed record TrainingBatch(Tensor Inputs, Tensor Targets, Tensor Bins, Tensor? Weights, int Epoch, int Step)
{
    /// <summary>
    /// 1 where an element has a target, 0 where it is missing (a vector's or map's NaN), shaped like
    /// <see cref="Targets"/>; null when every element has one. <see cref="WeightedLoss.Compute(Tensor, Tensor, IRegressionLoss, Tensor?, Tensor?)"/>
    /// averages over the elements it marks.
    /// </summary>
    public Tensor? Mask { get; init; }
}

/// <summary>What the end-of-epoch hook sees.</summary>
/// <param name="Variant">The variant's name.</param>
/// <param name="Seed">The seed of this training.</param>
/// <param name="Record">The epoch's losses, validation errors, learning rate and time.</param>
/// <param name="Model">The model (after its FDS update); read it, do not replace its parameters.</param>
/// <param name="IsBest">Whether this epoch has the best validation score so far.</param>
public sealed record EpochEnd(string Variant, int Seed, EpochRecord Record, DirModel Model, bool IsBest)
{
    /// <summary>The epoch with the best validation score so far (this one when <see cref="IsBest"/>).</summary>
    public int BestEpoch { get; init; } = -1;

    /// <summary>Epochs of this stage (0 when not given).</summary>
    public int Epochs { get; init; }
}

/// <summary>
/// A generated experiment as the runtime trainer runs it: what the attributes fixed at compile time and the
/// typed pieces the generator emitted (data member, feature map, model, training step). The trainer owns the
/// mechanics; the definition says what is specific to the experiment.
/// </summary>
/// <typeparam name="TRecord">The record type of the splits.</typeparam>
/// <typeparam name="TModel">The generated model.</typeparam>
public sealed class ExperimentDefinition<TRecord, TModel> where TModel : DirModel
{
    /// <summary>The experiment class name (output folder, table title).</summary>
    public required string Name { get; init; }
    /// <summary>The training settings.</summary>
    public required TrainerSettings Settings { get; init; }
    /// <summary>The [Data] member.</summary>
    public required Func<DataContext, DirSplits<TRecord>> Load { get; init; }
    /// <summary>A new, unfitted feature map.</summary>
    public required Func<IFeatureMap<TRecord>> CreateFeatureMap { get; init; }
    /// <summary>A new model for a variant.</summary>
    public required Func<ModelContext, TModel> CreateModel { get; init; }
    /// <summary>The loss of one training batch (the generated training step, or the user's own <c>TrainingStep</c>).</summary>
    public required Func<TModel, TrainingBatch, Tensor> TrainingStep { get; init; }
    /// <summary>The loss the training step uses ([Loss]), fingerprinted; null when a hand-written step computes its own.</summary>
    public IRegressionLoss? Loss { get; init; }
    /// <summary>The [Fds] settings, fingerprinted; null when the experiment has no FDS.</summary>
    public FdsOptions? Fds { get; init; }
    /// <summary>The variant the attributes describe.</summary>
    public required DirVariant Configured { get; init; }
    /// <summary>The rows trained by default.</summary>
    public required IReadOnlyList<DirVariant> Variants { get; init; }
    /// <summary>The hyperparameter-search points ([Search]), if any.</summary>
    public IReadOnlyList<DirVariant>? SearchVariants { get; init; }
    /// <summary>Shot groups from the training counts.</summary>
    public required Func<IReadOnlyList<int>, ShotGroups> ShotGroupsFor { get; init; }
    /// <summary>The explicit shot groups of [ShotGroups], or null.</summary>
    public Func<IReadOnlyList<int>, ShotGroups?>? ExplicitShotGroupsFor { get; init; }
    /// <summary>The experiment's end-of-epoch hook (a partial method the user may implement).</summary>
    public Action<EpochEnd>? OnTrainEpochEnd { get; init; }
}
