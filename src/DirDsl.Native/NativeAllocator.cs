using System.Runtime.InteropServices;

namespace DirDsl.Native;

/// <summary>
/// How this process's C allocator treats freed memory. libtorch allocates CPU tensors with malloc (it has no caching
/// allocator on the CPU), and glibc by default gives large requests fresh mappings (its mmap threshold adapts from 128 KB
/// up to 32 MB) and returns the top of a heap to the system once more than its trim threshold is free there: a training
/// step or an FDS statistics pass whose temporaries are a few MB then faults in fresh zeroed pages at every batch (one
/// round of the benchmarks' fds-share, 13 s of training: 200,000 to 245,000 page faults, 55,000 with these settings, and
/// about 10% less CPU time). Keeping freed memory in the heaps for reuse, as
/// PyTorch users get from jemalloc or tcmalloc, removes that cost; the memory a process holds then stays at what its
/// busiest step needed instead of growing and shrinking each step. Results do not change.
/// </summary>
public static partial class NativeAllocator
{
    /// <summary>Requests up to this size come from the heaps, not fresh mappings (64 MiB).</summary>
    public const int MmapThresholdBytes = 64 << 20;

    /// <summary>Free memory at a heap's top kept for reuse before it is returned to the system (256 MiB).</summary>
    public const int TrimThresholdBytes = 256 << 20;

    private const int TrimThreshold = -1;   // M_TRIM_THRESHOLD in glibc's malloc.h
    private const int MmapThreshold = -3;   // M_MMAP_THRESHOLD

    /// <summary>
    /// Sets the thresholds on Linux with glibc; elsewhere (another C library, another system) does nothing. Call once, at
    /// start-up. Returns whether the settings took effect.
    /// </summary>
    public static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return MallOpt(MmapThreshold, MmapThresholdBytes) == 1 & MallOpt(TrimThreshold, TrimThresholdBytes) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false;   // a C library without mallopt (musl has none)
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
