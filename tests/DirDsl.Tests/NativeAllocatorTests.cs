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
    /// Where a 40 MB block (a large temporary) comes from and what its free leaves: the bytes in fresh mappings while it
    /// is held, and the free bytes the main heap keeps after it is freed.
    /// </summary>
    private static (long Mapped, long KeptFree) LargeTemporary()
    {
        const int bytes = 40 << 20;
        var block = Marshal.AllocHGlobal(bytes);   // malloc on Unix
        MemSet(block, 1, bytes);
        long mapped = (long)MallInfo().HBlkHd;
        Marshal.FreeHGlobal(block);
        return (mapped, (long)MallInfo().FordBlks);
    }

    [Fact]
    public void LargeFreedBlocks_StayInTheHeapForReuse_WithTheSettings()
    {
        Assert.True(OperatingSystem.IsLinux(), "these settings are glibc's");
        const long block = 40 << 20;
        // glibc's own behaviour for a block above its largest adaptive threshold (32 MB): a fresh mapping, unmapped on free.
        Assert.Equal(1, MallOpt(-3, 128 << 10));
        var without = LargeTemporary();
        Assert.True(NativeAllocator.Apply());
        var with = LargeTemporary();
        Assert.True(without.Mapped >= block, $"with glibc's defaults the block is mapped ({without.Mapped:N0} bytes in mappings)");
        Assert.True(with.Mapped < block, $"with the settings the block comes from the heap ({with.Mapped:N0} bytes in mappings)");
        Assert.True(with.KeptFree >= block, $"with the settings its free keeps it for reuse ({with.KeptFree:N0} free bytes kept)");
    }
}
