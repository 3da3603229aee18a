using System.Runtime.CompilerServices;

namespace DirDsl.Tests;

/// <summary>
/// The tests call TorchSharp directly, not through a generated entry point, so they install the libstdc++
/// compatibility loader and the default CPU numerics themselves before any test touches torch (as DirDsl.Hosting does
/// for programs).
/// </summary>
internal static class NativeSetup
{
#pragma warning disable CA2255 // a test assembly's module initializer is the earliest point, before any TorchSharp type loads
    [ModuleInitializer]
    internal static void Register()
    {
        DirDsl.Native.TorchNative.EnsureRegistered();
        // The programs' default CPU numerics (portable: oneDNN's AVX-512 convolution backward gives non-finite gradients).
        DirDsl.Native.CpuNumerics.Apply(DirDsl.Native.CpuNumerics.DefaultMode);
        DirDsl.Native.CpuNumerics.ApplyConvolutions(DirDsl.Native.CpuNumerics.DefaultConvolutions);
        DirDsl.Native.NativeAllocator.Apply();
    }
#pragma warning restore CA2255
}
