using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// Takes the batch counter off TorchSharp's batch-normalisation layers where it decides nothing. TorchSharp 0.107's
/// BatchNorm.forward counts batches with <c>num_batches_tracked.add_(1)</c>, whose 1 becomes a temporary Scalar that
/// nothing keeps alive during the native call; a garbage collection at that moment lets the finalizer free it while
/// libtorch reads it ("Unknown scalar type" from add_, seen here within a minute of training a CNN whose images are
/// decoded on worker threads; the same race as Adam's, see SafeOptimizers.cs). The counter is only read when momentum
/// is 0 (a cumulative average); with a momentum (0.1 by default) the layer computes exactly the same without it, so
/// it is removed there. A PyTorch state dict's <c>num_batches_tracked</c> entries are then simply not loaded.
/// </summary>
public static class BatchNormCounters
{
    /// <summary>Removes the counter from every batch-norm layer in <paramref name="module"/> with a non-zero momentum; returns how many.</summary>
    public static int Detach(nn.Module module)
    {
        int removed = 0;
        foreach (var layer in module.modules().Prepend(module).OfType<TorchSharp.Modules.NormBase>())
        {
            if (layer.num_batches_tracked is null || layer.momentum is not { } momentum || momentum == 0) continue;
            var counter = layer.num_batches_tracked;
            layer.num_batches_tracked = null;
            counter.Dispose();
            removed++;
        }
        return removed;
    }
}
