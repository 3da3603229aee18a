using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// BSAM, balanced sharpness-aware minimisation (Liu et al., ICCV 2025): sharpness-aware minimisation (Foret et al.,
/// ICLR 2021) whose ascent and descent both use the loss weighted per sample by inverse label frequency, so the flat
/// region it seeks is flat for the rare targets too. Each step: g = grad of the weighted loss at w; e = Rho g / ||g||
/// (one L2 norm over all trainable parameters); the gradient of the same weighted loss at w + e; w restored exactly; the
/// optimiser's update from that gradient. The reported loss is the one at w. A second forward pass per step roughly
/// doubles the step's cost; in training mode it also updates batch-norm running statistics a second time, as the
/// common SAM implementations do. Declared with <c>[Bsam(Rho = 0.2)]</c>; its row is "BSAM".
/// </summary>
public sealed record Bsam : IVariantMethod, IStepMethod
{
    /// <summary>Added to the gradient norm before dividing (the SAM reference's constant): a zero gradient perturbs nothing.</summary>
    public const double NormEpsilon = 1e-12;

    private readonly double rho = DslDefaults.BsamRho;

    /// <summary>The radius of the perturbation (the paper's 0.2); greater than 0 and finite (<see cref="DslRules.IsValidBsamRho"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A radius outside the rule.</exception>
    public double Rho
    {
        get => rho;
        init => rho = DslRules.IsValidBsamRho(value) ? value : throw new ArgumentOutOfRangeException(nameof(Rho), value, "BSAM's Rho must be a finite number greater than 0.");
    }

    /// <inheritdoc />
    public string Name => "BSAM";

    /// <inheritdoc />
    /// <remarks>Works per target element: any shape.</remarks>
    public string? Unsupported(TargetShape shape) => null;

    /// <summary>Inverse label frequency per sample (no smoothing, no clip), normalised as every re-weighting is.</summary>
    public float[]? SampleWeights(ReadOnlySpan<float> trainTargets, LabelBins bins, TargetShape shape) =>
        LabelDistribution.SampleWeights(trainTargets, bins, Reweight.Inverse, lds: null);

    /// <inheritdoc />
    /// <remarks>
    /// A dense map's weights per bin from the training counts, w_b = N / (K c_b) over the K bins with pixels (the per-sample
    /// normalisation's values up to float rounding), without reading its pixels again.
    /// </remarks>
    public LossWeights? Weights(TrainingTargets targets) => targets.Shape.Kind == TargetKind.Map && targets.InSplitBins
        ? LossWeights.OfBins(LabelDistribution.BinWeights(targets.Counts, Reweight.Inverse, lds: null, startBin: 0)!, targets.Counts)
        : LossWeights.OfElements(SampleWeights(targets.Values, targets.Bins, targets.Shape)!);

    /// <inheritdoc />
    public Tensor Step(StepContext context)
    {
        context.ZeroGrad();
        var loss = context.Loss();
        loss.backward();
        var parameters = context.Parameters.Where(p => p.grad is not null).ToList();
        var saved = new List<Tensor>(parameters.Count);
        using (no_grad())
        {
            // ||g||: the L2 norm of the per-parameter L2 norms, as the SAM reference computes it.
            var norm = stack(parameters.Select(p => p.grad!.norm()).ToList()).norm();
            // e = g * (Rho / (||g|| + eps)): the reference's order of operations.
            var factor = full_like(norm, KeptScalars.Of(Rho)).div(norm.add(KeptScalars.Of(NormEpsilon)));
            foreach (var p in parameters)
            {
                saved.Add(p.detach().clone());
                p.add_(p.grad!.mul(factor));
            }
        }
        context.ZeroGrad();
        context.Loss().backward();
        using (no_grad())
        {
            for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(saved[i]);
        }
        context.Update();
        return loss;
    }
}
