using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace DirDsl.Native;

/// <summary>Which CPU kernels libtorch's math libraries may choose.</summary>
public enum CpuNumericsMode
{
    /// <summary>The fastest kernels for this CPU: results can differ between CPUs with other instruction sets.</summary>
    Native,
    /// <summary>
    /// The kernels of an AVX2 CPU on any CPU that has AVX2 (MKL's conditional numerical reproducibility, MKL_CBWR=AVX2,
    /// and oneDNN capped at AVX2, ONEDNN_MAX_CPU_ISA=AVX2), so an AVX-512 machine computes what an AVX2 one does.
    /// </summary>
    Portable,
}

/// <summary>
/// Sets the CPU-numerics environment of this process before libtorch's math libraries start. MKL reads MKL_CBWR and
/// oneDNN reads ONEDNN_MAX_CPU_ISA from the C environment when first used; .NET's Environment.SetEnvironmentVariable
/// does not reach the C environment on Unix, so the variables are set with libc's setenv as well.
/// </summary>
public static partial class CpuNumerics
{
    /// <summary>The variables <see cref="CpuNumericsMode.Portable"/> sets, and their values.</summary>
    public static readonly IReadOnlyList<(string Name, string Value)> PortableSettings = new[] { ("MKL_CBWR", "AVX2"), ("ONEDNN_MAX_CPU_ISA", "AVX2") };

    /// <summary>
    /// Portable wherever the CPU has AVX2, native elsewhere. Portable is the default not only so that machines agree: on
    /// CPUs with AVX-512, oneDNN's convolution backward (jit:avx512_core, backward_data, a layer of 8 channels in 16-wide
    /// blocks) gave non-finite input gradients at random steps, never on its AVX2 kernels (README, CPU numerics).
    /// </summary>
    public static CpuNumericsMode DefaultMode => Avx2.IsSupported ? CpuNumericsMode.Portable : CpuNumericsMode.Native;

    /// <summary>Applies <paramref name="mode"/>; call before the first tensor operation.</summary>
    /// <exception cref="PlatformNotSupportedException">Portable on a CPU without AVX2.</exception>
    public static void Apply(CpuNumericsMode mode)
    {
        if (mode == CpuNumericsMode.Native) return;
        if (!Avx2.IsSupported)
            throw new PlatformNotSupportedException("--cpu-numerics portable uses the AVX2 kernels, and this CPU has no AVX2; use --cpu-numerics native.");
        foreach (var (name, value) in PortableSettings) Set(name, value);
    }

    /// <summary>The convolution kernels of every program unless <c>--cpu-convolutions</c> says otherwise.</summary>
    public const CpuConvolutions DefaultConvolutions = CpuConvolutions.Aten;

    /// <summary>
    /// Which kernels run CPU convolutions, set in libtorch itself once its library can load (before the first convolution):
    /// <see cref="CpuConvolutions.Aten"/>, the default, turns oneDNN's convolutions off. On this project's AVX-512 machine
    /// oneDNN's convolution backward wrote non-finite values into the input gradient at random steps: its AVX-512 kernel
    /// for 8-channel layers, and with the ISA capped at AVX2 its kernel for layers of 1 to 4 output channels with 3x3 or
    /// 5x5 windows (a depth network's last layer: 1 to 2 of 10 backward passes of a 32-to-1 3x3 layer on 16 x 16 maps);
    /// ATen's kernels gave none. Returns what it did, for results.json.
    /// </summary>
    public static string ApplyConvolutions(CpuConvolutions convolutions)
    {
        if (convolutions == CpuConvolutions.OneDnn) return OneDnn.TrySetEnabled(true) ? "oneDNN (libtorch's choice)" : "oneDNN (libtorch's choice; the switch is not available here)";
        // NNPACK off too: ATen would try it first, and on a CPU it does not support it logs a warning at every convolution.
        OneDnn.TrySetNnpackEnabled(false);
        return OneDnn.TrySetEnabled(false) ? "ATen (oneDNN off)" : "oneDNN (could not be turned off here)";
    }

    /// <summary>Sets an environment variable for .NET and for native code (setenv on Unix).</summary>
    public static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows() && SetEnv(name, value, 1) != 0)
            throw new InvalidOperationException($"setenv({name}) failed.");
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}

/// <summary>Which kernels run CPU convolutions (<see cref="CpuNumerics.ApplyConvolutions"/>).</summary>
public enum CpuConvolutions
{
    /// <summary>ATen's own (im2col and MKL's GEMM), oneDNN's and NNPACK's off: the default, since oneDNN's backward has given non-finite gradients.</summary>
    Aten,
    /// <summary>libtorch's choice (oneDNN where it applies).</summary>
    OneDnn,
}
