using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// A method as one unit: a row of the ablation whose behaviour lives in one type. It implements the hooks it needs (the
/// defaults leave the training as it is) and is fingerprinted as a whole (its type and public settable properties), so
/// a changed setting refuses <c>--resume</c> by name. A variant carries its methods in <see cref="DirVariant.Methods"/>;
/// the trainer calls the hooks and knows no method by name. A method that changes how a batch's loss becomes an update
/// also implements <see cref="IStepMethod"/>.
/// </summary>
public interface IVariantMethod : IFingerprinted
{
    /// <summary>The row name of the variant this method trains alone (the table's row, the checkpoint folder).</summary>
    string Name { get; }

    /// <summary>
    /// The rows of the ablation this method adds when an experiment declares it beside the configured variant
    /// (<paramref name="configured"/>, with its LDS and FDS): by default one row, the method alone under its name.
    /// </summary>
    IEnumerable<DirVariant> Rows(DirVariant configured) => new[] { new DirVariant(Name, this) };

    /// <summary>The records the variant trains on instead of the training split (resampling), or null for the split itself.</summary>
    SplitData? TrainingRecords(SplitData train, MethodContext context) => null;

    /// <summary>
    /// Per-element loss weights of the training targets (the elements that have one, in order), or null to leave them
    /// (no method weights: unit weights). <paramref name="shape"/> is the record's target shape: a dense map's weights
    /// come from a per-bin table, as the reference's depth code computes them.
    /// </summary>
    float[]? SampleWeights(ReadOnlySpan<float> trainTargets, LabelBins bins, TargetShape shape) => null;

    /// <summary>
    /// The loss weights of the training targets as the trainer takes them, or null for unit weights: per element, or per
    /// label bin (a dense map's weights are gathered by each pixel's bin). The default is <see cref="SampleWeights"/> over
    /// <see cref="TrainingTargets.Values"/> when the method has its own <see cref="SampleWeights"/>, and null without
    /// reading the targets when it does not. Reading the values holds every training target: a method whose weight follows
    /// from an element's bin returns <see cref="LossWeights.OfBins"/> from <see cref="TrainingTargets.Counts"/> instead, so
    /// a dense run's memory stays bounded.
    /// </summary>
    LossWeights? Weights(TrainingTargets targets) =>
        VariantMethodHooks.HasSampleWeights(GetType()) && SampleWeights(targets.Values, targets.Bins, targets.Shape) is { } weights
            ? LossWeights.OfElements(weights)
            : null;

    /// <summary>A part of the model this method adds (registered under its checkpoint key), or null.</summary>
    IModelPart? CreatePart(ModelContext context, int featureDim) => null;

    /// <summary>The variant's training stages when this method changes them (RRT's two stages), or null for one stage.</summary>
    StagePlan? Stages(DirVariant variant, TrainerSettings settings, int epochs) => null;

    /// <summary>
    /// Why this method cannot train a target of <paramref name="shape"/>, or null when it can. The default takes a scalar
    /// target only; a method whose hooks work per target element (weights gathered per element from a per-bin table, a
    /// step over the batch's loss) says so by returning null for every shape.
    /// </summary>
    string? Unsupported(TargetShape shape) => shape.IsScalar ? null : $"{Name} is defined for one scalar target per record";
}

/// <summary>Which of <see cref="IVariantMethod"/>'s default hooks a method type replaces.</summary>
internal static class VariantMethodHooks
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> sampleWeights = new();

    /// <summary>Whether <paramref name="type"/> implements <see cref="IVariantMethod.SampleWeights"/> itself (not the interface's null default).</summary>
    public static bool HasSampleWeights(Type type) => sampleWeights.GetOrAdd(type, static t =>
    {
        var map = t.GetInterfaceMap(typeof(IVariantMethod));
        int at = Array.FindIndex(map.InterfaceMethods, m => m.Name == nameof(IVariantMethod.SampleWeights));
        return map.TargetMethods[at].DeclaringType != typeof(IVariantMethod);
    });
}

/// <summary>What a method's <see cref="IVariantMethod.TrainingRecords"/> works with.</summary>
/// <param name="Variant">The variant being trained.</param>
/// <param name="Bins">The variant's label bins.</param>
/// <param name="TargetScale">The experiment's target scale.</param>
/// <param name="Seed">The training's seed.</param>
/// <param name="Log">The run's log.</param>
public sealed record MethodContext(DirVariant Variant, LabelBins Bins, double TargetScale, int Seed, TextWriter Log);

/// <summary>A part of the model that a method adds: a module registered under <see cref="Key"/> (its checkpoint key).</summary>
public interface IModelPart : IDisposable
{
    /// <summary>The checkpoint key (the module's registered name): <c>fds</c>, <c>balanced_mse</c>, ...</summary>
    string Key { get; }

    /// <summary>The module (its parameters train with the model, its buffers are checkpointed).</summary>
    TorchSharp.torch.nn.Module Module { get; }
}

/// <summary>
/// A model part that acts on the encoder's features during training (FDS): it calibrates them in the training forward
/// pass and updates its statistics around each training epoch.
/// </summary>
public interface IFeatureCalibration
{
    /// <summary>The features of a training batch, calibrated (or as they are).</summary>
    Tensor Calibrate(Tensor features, Tensor bins, int epoch);

    /// <summary>Start of a training epoch (before its first step).</summary>
    void BeginTrainingEpoch(int epoch);

    /// <summary>
    /// End of a training epoch: update the statistics from a second pass over the training split when they need one
    /// (<paramref name="pass"/> runs it in training or in evaluation mode).
    /// </summary>
    void EndTrainingEpoch(FeaturePass pass, int epoch);
}

/// <summary>
/// The encoder's features of every training record after an epoch, for a calibration's statistics, read either way the
/// FDS options name: as the reference's second loop over its training loader, or in evaluation mode in order. Both run
/// without gradients in chunks; memory stays one chunk whatever the split's size.
/// </summary>
public sealed class FeaturePass
{
    private readonly Action<Action<Tensor, Tensor>> training;
    private readonly Action<Action<Tensor, Tensor>> evaluation;
    private readonly Action<IReadOnlyList<int>?, Action<Tensor, Tensor>>? unaugmented;

    /// <summary>A pass whose readings are <paramref name="training"/>, <paramref name="evaluation"/> and <paramref name="unaugmented"/>.</summary>
    public FeaturePass(Action<Action<Tensor, Tensor>> training, Action<Action<Tensor, Tensor>> evaluation,
        Action<IReadOnlyList<int>?, Action<Tensor, Tensor>>? unaugmented = null)
    {
        this.training = training;
        this.evaluation = evaluation;
        this.unaugmented = unaugmented;
    }

    /// <summary>
    /// The reference's depth-code pass: the training records in order (only <paramref name="records"/>, training-split
    /// indices, when given), unaugmented, the model in training mode, raw features; <paramref name="visit"/> gets (features, bins).
    /// </summary>
    /// <exception cref="NotSupportedException">This pass was built without that reading.</exception>
    public void Unaugmented(IReadOnlyList<int>? records, Action<Tensor, Tensor> visit) =>
        (unaugmented ?? throw new NotSupportedException("This feature pass has no unaugmented training-mode reading."))(records, visit);

    /// <summary>
    /// The reference's pass: mini-batches in a fresh shuffle, augmented with their own draws, the model in training mode
    /// (normalisation layers use batch statistics and update their running ones), each batch's features as the model's
    /// calibrations give them; <paramref name="visit"/> gets (features [n, D], bins [n]).
    /// </summary>
    public void Training(Action<Tensor, Tensor> visit) => training(visit);

    /// <summary>The records in order, unaugmented, the encoder in evaluation mode, raw features; <paramref name="visit"/> gets (features, bins).</summary>
    public void Evaluation(Action<Tensor, Tensor> visit) => evaluation(visit);
}

/// <summary>
/// A method that owns the optimiser step (sharpness-aware minimisation, gradient surgery, ...): it may compute the
/// batch's loss as often as it needs, change the parameters between the passes, and then update them once.
/// </summary>
public interface IStepMethod
{
    /// <summary>One optimisation step of one batch; returns the loss to report (what the step minimised at the current weights).</summary>
    Tensor Step(StepContext context);
}

/// <summary>What an <see cref="IStepMethod"/> works with during one step (all inside the step's dispose scope).</summary>
public sealed class StepContext
{
    private readonly Func<Tensor> loss;
    private readonly Action update;
    private readonly optim.Optimizer optimizer;

    /// <summary>A step over <paramref name="parameters"/>: <paramref name="loss"/> runs the training step, <paramref name="update"/> clips and steps.</summary>
    public StepContext(Func<Tensor> loss, IReadOnlyList<Parameter> parameters, optim.Optimizer optimizer, Action update)
    {
        this.loss = loss;
        this.update = update;
        this.optimizer = optimizer;
        Parameters = parameters;
    }

    /// <summary>The trainable parameters (a frozen encoder's are not among them).</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Runs the experiment's training step on the batch (the forward pass and the weighted loss) at the current weights.</summary>
    public Tensor Loss() => loss();

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad() => optimizer.zero_grad();

    /// <summary>The update from the gradients now in the parameters: the experiment's gradient clip, then the optimiser's step.</summary>
    public void Update() => update();
}

/// <summary>The step of every variant without an <see cref="IStepMethod"/>: zero the gradients, loss, backward, update.</summary>
public sealed class PlainStep : IStepMethod
{
    /// <summary>The one instance.</summary>
    public static PlainStep Instance { get; } = new();

    private PlainStep()
    {
    }

    /// <inheritdoc />
    public Tensor Step(StepContext context)
    {
        context.ZeroGrad();
        var loss = context.Loss();
        loss.backward();
        context.Update();
        return loss;
    }
}
