using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl;

// Why these exist: TorchSharp 0.107's optimisers pass doubles to native calls as temporary Scalar objects
// (implicit conversions inside step()). Nothing keeps such a temporary alive once its handle is read, and Scalar has a
// finalizer that frees the native scalar: when a garbage collection runs during the native call (rare, far more likely
// on a loaded machine), libtorch reads a freed scalar and throws "Expected false to be true, but got false" from
// c10::Scalar::toDouble, in Adam.step. A test drives TorchSharp's Adam into exactly that with a thread that forces
// collections. These subclasses do the same arithmetic in the same order (so results are bit for bit TorchSharp's,
// and their state is TorchSharp's, under their own type names), with every Scalar, including the alpha = 1 that an
// overload without one would create, made explicitly and alive until its call returns.

/// <summary>Adam whose step keeps every Scalar alive across its native call (see the file's note).</summary>
public sealed class SafeAdam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double weightDecay)
    : TorchSharp.Modules.Adam(parameters, lr, weight_decay: weightDecay)
{
    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, eps = options.eps!.Value;
        double weightDecay = options.weight_decay!.Value, lr = options.LearningRate!.Value;
        bool maximize = options.maximize!.Value, amsgrad = options.amsgrad!.Value;
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            if (param.grad is not { } gradient) continue;
            var grad = maximize ? -gradient : gradient;
            state.step += 1;
            double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            if (weightDecay != 0)
            {
                using var decay = weightDecay.ToScalar();
                grad = grad.add(param, alpha: decay);
            }
            state.max_exp_avg_sq = AdamMath.Update(param, grad, grad.conj(), state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq,
                beta1, beta2, eps, lr, biasCorrection1, biasCorrection2, amsgrad);
        }
    }, closure);
}

/// <summary>AdamW whose step keeps every Scalar alive across its native call (see the file's note).</summary>
public sealed class SafeAdamW(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double weightDecay)
    : TorchSharp.Modules.AdamW(parameters, lr, weight_decay: weightDecay)
{
    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, eps = options.eps!.Value;
        double weightDecay = options.weight_decay!.Value, lr = options.LearningRate!.Value;
        bool maximize = options.maximize!.Value, amsgrad = options.amsgrad!.Value;
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            if (param.grad is not { } gradient) continue;
            var grad = maximize ? -gradient : gradient;
            state.step += 1;
            using (var decay = (1 - lr * weightDecay).ToScalar()) param.mul_(decay);
            double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            state.max_exp_avg_sq = AdamMath.Update(param, grad, grad, state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq,
                beta1, beta2, eps, lr, biasCorrection1, biasCorrection2, amsgrad);
        }
    }, closure);
}

/// <summary>The moment update and parameter step Adam and AdamW share, every Scalar kept alive across its call.</summary>
internal static class AdamMath
{
    /// <summary>
    /// exp_avg = beta1 exp_avg + (1 - beta1) grad; exp_avg_sq = beta2 exp_avg_sq + (1 - beta2) grad * gradFactor;
    /// param -= lr / bias1 * exp_avg / (sqrt(max or exp_avg_sq) / sqrt(bias2) + eps). Returns the new max_exp_avg_sq
    /// (AMSGrad) or the one given.
    /// </summary>
    public static Tensor? Update(Tensor param, Tensor grad, Tensor gradFactor, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq,
        double beta1, double beta2, double eps, double lr, double biasCorrection1, double biasCorrection2, bool amsgrad)
    {
        using (var b1 = beta1.ToScalar())
        using (var oneMinusB1 = (1 - beta1).ToScalar())
            expAvg.mul_(b1).add_(grad, alpha: oneMinusB1);
        using (var b2 = beta2.ToScalar())
        using (var oneMinusB2 = (1 - beta2).ToScalar())
            expAvgSq.mul_(b2).addcmul_(grad, gradFactor, value: oneMinusB2);
        using var sqrtCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
        using var epsilon = eps.ToScalar();
        // add_(Scalar) would create its own alpha = 1 temporary: pass one that stays alive.
        using var one = 1.0.ToScalar();
        var second = expAvgSq;
        if (amsgrad)
        {
            var previous = maxExpAvgSq!;
            maxExpAvgSq = maximum(previous, expAvgSq).DetachFromDisposeScope();
            previous.Dispose();
            second = maxExpAvgSq;
        }
        var denom = second.sqrt().div(sqrtCorrection2).add_(epsilon, one);
        using var stepSize = (-(lr / biasCorrection1)).ToScalar();
        param.addcdiv_(expAvg, denom, value: stepSize);
        return maxExpAvgSq;
    }
}

/// <summary>SGD with momentum whose step keeps every Scalar alive across its native call (see the file's note).</summary>
public sealed class SafeSgd(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double momentum, double weightDecay)
    : TorchSharp.Modules.SGD(parameters, lr, momentum: momentum, weight_decay: weightDecay)
{
    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value;
        double weightDecay = options.weight_decay!.Value, lr = options.LearningRate!.Value;
        bool nesterov = options.nesterov!.Value, maximize = options.maximize!.Value;
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (weightDecay != 0)
            {
                using var decay = weightDecay.ToScalar();
                grad = grad.add(param, alpha: decay);
            }
            if (momentum != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null)
                {
                    buffer = grad.clone().detach().DetachFromDisposeScope();
                }
                else
                {
                    using var m = momentum.ToScalar();
                    using var oneMinusDampening = (1 - dampening).ToScalar();
                    buffer.mul_(m).add_(grad, alpha: oneMinusDampening);
                }
                if (nesterov)
                {
                    using var m = momentum.ToScalar();
                    grad = grad.add(buffer, alpha: m);
                }
                else
                {
                    grad = buffer;
                }
                state.momentum_buffer = buffer;
            }
            using var alpha = (maximize ? lr : -lr).ToScalar();
            param.add_(grad, alpha: alpha);
        }
    }, closure);
}
