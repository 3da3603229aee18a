using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using DirDsl.Testing;
using DirDsl.Tests.Generated;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>
/// A user's modules under the garbage collector: TorchSharp 0.107 creates temporary Scalars inside its calls (x * 0.5,
/// a + b, LeakyReLU, clamp, pow, Adam's step) that a collection during the native call could free. DirDsl's build step
/// runs TorchSharp without JIT optimisations, which keeps them alive; these tests check the step was applied to this
/// build and that the common modules train bit for bit the same with collections forced throughout.
/// </summary>
[Collection(nameof(MemoryTests))]
public sealed class GcSoakTests
{
    [Fact]
    public void TorchSharp_IsBuiltWithoutJitOptimisations_AndItsOtherAttributesAreUntouched()
    {
        var assembly = typeof(torch).Assembly;
        var debuggable = assembly.GetCustomAttribute<DebuggableAttribute>();
        Assert.NotNull(debuggable);
        Assert.True(debuggable.IsJITOptimizerDisabled && debuggable.IsJITTrackingEnabled, $"{assembly.Location}: {debuggable.DebuggingFlags}");
        Assert.True(TorchSharpSafety.ScalarsKeptAlive);
        Assert.Equal("unoptimized (temporary Scalars kept alive)", RunEnvironment.Describe()["torchsharpJit"]);
        Assert.Null(TorchSharpSafety.Warning());
        // The attribute's old value blob is shared with TorchSharp's native callback delegates (Cdecl = 2): rewriting it
        // in place would have changed their calling convention too.
        var callbacks = assembly.GetTypes().Select(t => t.GetCustomAttribute<UnmanagedFunctionPointerAttribute>()).OfType<UnmanagedFunctionPointerAttribute>().ToList();
        Assert.NotEmpty(callbacks);
        Assert.All(callbacks, c => Assert.Equal(CallingConvention.Cdecl, c.CallingConvention));
    }

    [Fact]
    public void CommonModules_WithCollectionsForcedThroughout_TrainBitForBitAsWithout()
    {
        var quiet = Train(forced: false);
        var forced = Train(forced: true);
        Assert.All(forced, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(quiet, forced);
    }

    /// <summary>The common-modules encoder with TorchSharp's own Adam, 400 steps on fixed data; its parameters after.</summary>
    private static float[] Train(bool forced)
    {
        torch.manual_seed(3);
        using var model = new CommonModulesNet();
        using var optimizer = optim.Adam(model.parameters(), 1e-3, weight_decay: 1e-4);
        using var x = randn(16, 3, 16, 16);
        using var y = randn(16, 1);
        model.train();
        using (var collections = forced ? new ForcedCollections() : null)
        {
            for (int step = 0; step < 400; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                (model.call(x) - y).abs().mean().backward();
                optimizer.step();
            }
        }
        return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    }
}
