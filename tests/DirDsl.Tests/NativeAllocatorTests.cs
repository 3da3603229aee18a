using System.Runtime.InteropServices;
using DirDsl.Native;
using Xunit;

namespace DirDsl.Tests;

/// <summary>The allocator settings every DirDsl program applies: freed blocks are reused, not faulted in afresh.</summary>
public sealed class NativeAllocatorTests
{
    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    [DllImport("libc", EntryPoint = "memset")]
    private static extern IntPtr MemSet(IntPtr block, int value, nuint bytes);

    /// <summary>glibc's allocator statistics (struct mallinfo2: ten size_t fields).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 MallInfo();

    /// <summary>
    /// Where a block of the given size comes from and what its free leaves: the bytes in mappings while it is held (all of
    /// the process's, and the change its allocation made), and the free bytes the heap keeps after it is freed.
    /// </summary>
    private static (long Mapped, long NewlyMapped, long KeptFree) LargeTemporary(long bytes)
    {
        long before = (long)MallInfo().HBlkHd;
        var block = Marshal.AllocHGlobal((nint)bytes);   // malloc on Unix
        MemSet(block, 1, (nuint)bytes);
        long mapped = (long)MallInfo().HBlkHd;
        Marshal.FreeHGlobal(block);
        return (mapped, mapped - before, (long)MallInfo().FordBlks);
    }

    [Fact]
    public void LargeFreedBlocks_StayInTheHeapForReuse_WithTheSettings()
    {
        Assert.True(OperatingSystem.IsLinux(), "these settings are glibc's");
        const long block = 40 << 20;
        // glibc's own behaviour for a block above its mmap threshold: a fresh mapping, unmapped on free. The block is made
        // larger than all the free memory the heaps already hold (an earlier test in this process may have applied the
        // settings and freed large blocks), so no free chunk can serve it and only the threshold decides.
        Assert.Equal(1, MallOpt(-3, 128 << 10));
        long baseline = Math.Max(block, (long)MallInfo().FordBlks + (8 << 20));
        var without = LargeTemporary(baseline);
        Assert.True(NativeAllocator.Apply());
        var with = LargeTemporary(block);
        Assert.True(without.Mapped >= baseline, $"with glibc's threshold the block is mapped ({without.Mapped:N0} bytes in mappings, the block {baseline:N0})");
        Assert.True(with.NewlyMapped < block, $"with the settings the block comes from the heap ({with.NewlyMapped:N0} bytes in new mappings)");
        Assert.True(with.KeptFree >= block, $"with the settings its free keeps it for reuse ({with.KeptFree:N0} free bytes kept)");
    }
}
