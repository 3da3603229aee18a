using System.Diagnostics;
using System.Reflection;

namespace DirDsl;

/// <summary>
/// Whether the TorchSharp assembly of this process runs without JIT optimisations, which keeps every temporary
/// <see cref="TorchSharp.Scalar"/> alive across the native call that reads it. DirDsl's build step
/// (build/DirDsl.targets, in every program that references DirDsl) marks the TorchSharp.dll it copies; a program that
/// opted out (DirDslSafeTorchSharp=false) or was built without it runs the optimised assembly, where a garbage
/// collection during a native call can free a Scalar that libtorch still reads.
/// </summary>
public static class TorchSharpSafety
{
    /// <summary>True when TorchSharp's DebuggableAttribute disables JIT optimisations (with JIT tracking, which the runtime requires for it).</summary>
    public static bool ScalarsKeptAlive { get; } =
        typeof(TorchSharp.torch).Assembly.GetCustomAttribute<DebuggableAttribute>() is { IsJITOptimizerDisabled: true, IsJITTrackingEnabled: true };

    /// <summary>The environment record's entry: "unoptimized (temporary Scalars kept alive)" or "optimized".</summary>
    public static string Describe() => ScalarsKeptAlive ? "unoptimized (temporary Scalars kept alive)" : "optimized";

    /// <summary>The run-start warning for an optimised TorchSharp, or null when its Scalars are kept alive.</summary>
    public static string? Warning() => ScalarsKeptAlive
        ? null
        : "warning: TorchSharp.dll runs JIT-optimised (built with DirDslSafeTorchSharp=false, or without DirDsl's build step): "
          + "a garbage collection during a native call can free a temporary Scalar that libtorch still reads (a crash, "
          + "\"Expected false to be true\"); see the README, Reliability.";
}
