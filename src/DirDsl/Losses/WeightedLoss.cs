using static TorchSharp.torch;

namespace DirDsl;

/// <summary>A configured loss: kind and parameters (beta for Huber and Focal-R, gamma for Focal-R).</summary>
/// <param name="Kind">Which loss.</param>
/// <param name="Beta">Huber threshold, or Focal-R scale (reference: 0.2 for ages, 20 for STS-B / 5).</param>
/// <param name="Gamma">Focal-R exponent (default 1).</param>
/// <param name="Activation">Focal-R modulating function.</param>
public sealed record LossOptions(LossKind Kind = LossKind.Mse, double Beta = 1.0, double Gamma = 1.0,
    FocalActivation Activation = FocalActivation.Sigmoid)
{
    /// <summary>Reference defaults: Huber beta 1, Focal-R beta 0.2 and gamma 1.</summary>
    public static LossOptions Default(LossKind kind) => kind switch
    {
        LossKind.FocalL1 or LossKind.FocalMse => new LossOptions(kind, Beta: 0.2, Gamma: 1.0),
        _ => new LossOptions(kind),
    };
}

/// <summary>Weighted regression losses: the per-element loss times w_i, then the mean.</summary>
public static class WeightedLoss
{
    /// <summary>Computes the loss of <paramref name="predictions"/> against <paramref name="targets"/> (same shape).</summary>
    /// <param name="predictions">Model outputs.</param>
    /// <param name="targets">Targets, same shape.</param>
    /// <param name="options">Kind and parameters.</param>
    /// <param name="weights">Per-sample weights of the same shape, or null for unit weights.</param>
    public static Tensor Compute(Tensor predictions, Tensor targets, LossOptions options, Tensor? weights = null)
    {
        if (!predictions.shape.SequenceEqual(targets.shape))
            throw new ArgumentException($"Loss: predictions [{string.Join(", ", predictions.shape)}] and targets [{string.Join(", ", targets.shape)}] differ in shape.");
        if (options.Beta <= 0 || (options.Kind is LossKind.FocalL1 or LossKind.FocalMse && options.Gamma <= 0))
            throw new ArgumentOutOfRangeException(nameof(options), options, "Loss parameters beta and gamma must be greater than 0.");
        var diff = predictions - targets;
        var loss = options.Kind switch
        {
            LossKind.Mse => diff * diff,
            LossKind.L1 => diff.abs(),
            LossKind.Huber => Huber(diff.abs(), options.Beta),
            LossKind.FocalL1 => FocalL1(diff.abs(), options),
            LossKind.FocalMse => diff * diff * Modulation(diff.abs(), options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "unknown loss"),
        };
        if (weights is not null)
        {
            if (!weights.shape.SequenceEqual(loss.shape))
                throw new ArgumentException($"Loss: weights [{string.Join(", ", weights.shape)}] must match predictions [{string.Join(", ", loss.shape)}].");
            loss = loss * weights;
        }
        return loss.mean();
    }

    private static Tensor FocalL1(Tensor absolute, LossOptions options) => absolute * Modulation(absolute, options);

    // Scalars come from KeptScalars: a temporary Scalar can be freed by its finalizer during the native call.
    private static Tensor Huber(Tensor absolute, double beta) =>
        where(absolute.lt(KeptScalars.Of(beta)),
            absolute.mul(KeptScalars.Of(0.5)).mul(absolute).div(KeptScalars.Of(beta)),
            absolute.sub(KeptScalars.Of(0.5 * beta)));

    private static Tensor Modulation(Tensor absolute, LossOptions options)
    {
        var scaled = absolute.mul(KeptScalars.Of(options.Beta));
        var f = options.Activation == FocalActivation.Tanh ? scaled.tanh() : scaled.sigmoid().mul(KeptScalars.Of(2)).sub(KeptScalars.Of(1));
        return f.pow(KeptScalars.Of(options.Gamma));
    }
}
