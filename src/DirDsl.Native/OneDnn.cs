using System.Runtime.InteropServices;

namespace DirDsl.Native;

/// <summary>
/// Whether libtorch runs its CPU convolutions through oneDNN (MKL-DNN) or through ATen's own kernels (im2col and MKL's
/// GEMM): <c>at::globalContext().setUserEnabledMkldnn</c>, what <c>torch.backends.mkldnn.enabled</c> sets in PyTorch.
/// TorchSharp has no binding for it, so it is called by its C++ name in libtorch_cpu (Linux, the Itanium ABI: the
/// member function takes the context as its first argument). On other systems, or a libtorch without the symbols,
/// nothing changes and <see cref="TrySetEnabled"/> says so.
/// </summary>
public static partial class OneDnn
{
    private const string Library = "libtorch_cpu";

    [LibraryImport(Library, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [LibraryImport(Library, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.I1)]
    private static partial bool UserEnabledMkldnn(IntPtr context);

    /// <summary>Whether libtorch uses oneDNN for CPU convolutions in this process, or null where it cannot be read.</summary>
    public static bool? Enabled => OnContext(UserEnabledMkldnn);

    [LibraryImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    /// <summary>Turns NNPACK's CPU convolutions on or off (the same way); false where it cannot.</summary>
    public static bool TrySetNnpackEnabled(bool enabled) => OnContext(context =>
    {
        SetUserEnabledNnpack(context, enabled);
        return true;
    }) ?? false;

    /// <summary>Turns oneDNN's CPU convolutions on or off; false where it cannot (another system, or the symbols are missing).</summary>
    public static bool TrySetEnabled(bool enabled) => OnContext(context =>
    {
        SetUserEnabledMkldnn(context, enabled);
        return UserEnabledMkldnn(context) == enabled;
    }) ?? false;

    /// <summary>A call on libtorch's global context, or null on another system or where libtorch_cpu lacks the symbols.</summary>
    private static bool? OnContext(Func<IntPtr, bool> call)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return call(GlobalContext());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
