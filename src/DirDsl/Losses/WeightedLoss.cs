using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// A regression loss as DirDsl trains with it: the loss of each element of the predictions. The runtime multiplies it by
/// the variant's sample weights and takes the mean (<see cref="WeightedLoss"/>), so a loss written once works with every
/// re-weighting. Declare your own with <c>[Loss(typeof(MyLoss))]</c> (a public class with a public parameterless
/// constructor); its type and public settable properties are part of the run fingerprint.
/// </summary>
public interface IRegressionLoss : IFingerprinted
{
    /// <summary>The per-element loss of <paramref name="predictions"/> against <paramref name="targets"/> (same shape as both).</summary>
    Tensor Elementwise(Tensor predictions, Tensor targets);
}

/// <summary>A built-in loss: kind and parameters (beta for Huber and Focal-R, gamma for Focal-R).</summary>
/// <param name="Kind">Which loss.</param>
/// <param name="Beta">Huber threshold, or Focal-R scale (reference: 0.2 for ages, 20 for STS-B / 5).</param>
/// <param name="Gamma">Focal-R exponent.</param>
/// <param name="Activation">Focal-R modulating function.</param>
public sealed record LossOptions(LossKind Kind = LossKind.Mse, double Beta = DslDefaults.LossBeta, double Gamma = DslDefaults.FocalGamma,
    FocalActivation Activation = DslDefaults.FocalActivation) : IRegressionLoss
{
    /// <inheritdoc />
    public Tensor Elementwise(Tensor predictions, Tensor targets)
    {
        if (Beta <= 0 || (Kind is LossKind.FocalL1 or LossKind.FocalMse && Gamma <= 0))
            throw new ArgumentOutOfRangeException(nameof(Beta), this, "Loss parameters beta and gamma must be greater than 0.");
        var diff = predictions - targets;
        return Kind switch
        {
            LossKind.Mse => diff * diff,
            LossKind.L1 => diff.abs(),
            LossKind.Huber => Huber(diff.abs(), Beta),
            LossKind.FocalL1 => diff.abs() * Modulation(diff.abs()),
            LossKind.FocalMse => diff * diff * Modulation(diff.abs()),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown loss"),
        };
    }

    // Scalars come from KeptScalars: a temporary Scalar can be freed by its finalizer during the native call.
    private static Tensor Huber(Tensor absolute, double beta) =>
        where(absolute.lt(KeptScalars.Of(beta)),
            absolute.mul(KeptScalars.Of(0.5)).mul(absolute).div(KeptScalars.Of(beta)),
            absolute.sub(KeptScalars.Of(0.5 * beta)));

    private Tensor Modulation(Tensor absolute)
    {
        var scaled = absolute.mul(KeptScalars.Of(Beta));
        var f = Activation == FocalActivation.Tanh ? scaled.tanh() : scaled.sigmoid().mul(KeptScalars.Of(2)).sub(KeptScalars.Of(1));
        return f.pow(KeptScalars.Of(Gamma));
    }
}

/// <summary>Weighted regression losses: the per-element loss times w_i, then the mean (over the elements that have a target).</summary>
public static class WeightedLoss
{
    /// <summary>Computes the loss of <paramref name="predictions"/> against <paramref name="targets"/> (same shape).</summary>
    /// <param name="predictions">Model outputs.</param>
    /// <param name="targets">Targets, same shape.</param>
    /// <param name="loss">The per-element loss (a built-in <see cref="LossOptions"/> or a user's <see cref="IRegressionLoss"/>).</param>
    /// <param name="weights">Per-element weights of the same shape, or null for unit weights.</param>
    /// <param name="mask">
    /// 1 where an element has a target and 0 where it is missing, same shape (<see cref="TrainingBatch.Mask"/>), or null
    /// when every element has one. With a mask the loss is the sum over the marked elements divided by their number (0
    /// when a batch has none), so a missing element neither counts nor dilutes the mean.
    /// </param>
    /// <exception cref="ArgumentException">Shapes disagree, or a user's loss returned another shape.</exception>
    public static Tensor Compute(Tensor predictions, Tensor targets, IRegressionLoss loss, Tensor? weights = null, Tensor? mask = null)
    {
        if (!predictions.shape.SequenceEqual(targets.shape))
            throw new ArgumentException($"Loss: predictions [{string.Join(", ", predictions.shape)}] and targets [{string.Join(", ", targets.shape)}] differ in shape.");
        var elementwise = loss.Elementwise(predictions, targets);
        if (!elementwise.shape.SequenceEqual(predictions.shape))
            throw new ArgumentException($"Loss {loss.GetType().Name}: Elementwise returned [{string.Join(", ", elementwise.shape)}] for predictions "
                + $"[{string.Join(", ", predictions.shape)}]; it must return one loss per element (the runtime weights and averages them).");
        if (weights is not null)
        {
            if (!weights.shape.SequenceEqual(elementwise.shape))
                throw new ArgumentException($"Loss: weights [{string.Join(", ", weights.shape)}] must match predictions [{string.Join(", ", elementwise.shape)}].");
            elementwise = elementwise * weights;
        }
        if (mask is null) return elementwise.mean();
        if (!mask.shape.SequenceEqual(elementwise.shape))
            throw new ArgumentException($"Loss: the mask [{string.Join(", ", mask.shape)}] must match predictions [{string.Join(", ", elementwise.shape)}].");
        // A missing element's target is 0 in the batch, so its loss is finite; where() keeps it out of the sum exactly.
        var kept = where(mask.gt(KeptScalars.Of(0)), elementwise, zeros_like(elementwise));
        return kept.sum() / mask.sum().clamp_min(KeptScalars.Of(1));
    }
}
