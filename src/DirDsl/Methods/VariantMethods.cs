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

    /// <summary>Per-sample loss weights of the training targets, or null to leave the variant's own (none for a plain row).</summary>
    float[]? SampleWeights(ReadOnlySpan<float> trainTargets, LabelBins bins) => null;
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
