using System.Runtime.CompilerServices;

namespace DirDsl.Tests;

/// <summary>
/// The tests call TorchSharp directly, not through a generated entry point, so they install the libstdc++
/// compatibility loader themselves before any test touches torch (as DirDsl.Hosting does for programs).
/// </summary>
internal static class NativeSetup
{
#pragma warning disable CA2255 // a test assembly's module initializer is the earliest point, before any TorchSharp type loads
    [ModuleInitializer]
    internal static void Register() => DirDsl.Native.TorchNative.EnsureRegistered();
#pragma warning restore CA2255
}
