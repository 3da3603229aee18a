using System.Globalization;
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

    /// <summary>Minor page faults of this process so far (/proc/self/stat, field 10).</summary>
    private static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], CultureInfo.InvariantCulture);
    }

    /// <summary>Page faults of allocating, filling and freeing a 40 MB block (a large temporary) 20 times.</summary>
    private static long FaultsOfLargeTemporaries()
    {
        const int bytes = 40 << 20;
        // Marshal.AllocHGlobal is malloc on Unix.
        Marshal.FreeHGlobal(Marshal.AllocHGlobal(bytes));
        long before = MinorFaults();
        for (int i = 0; i < 20; i++)
        {
            var block = Marshal.AllocHGlobal(bytes);
            MemSet(block, 1, bytes);
            Marshal.FreeHGlobal(block);
        }
        return MinorFaults() - before;
    }

    [Fact]
    public void LargeFreedBlocks_AreReusedWithTheSettings_AndFaultedInAgainWithout()
    {
        Assert.True(OperatingSystem.IsLinux(), "these settings are glibc's");
        long pages = 20L * (40 << 20) / Environment.SystemPageSize;
        // glibc's own behaviour for a block above its largest adaptive threshold (32 MB): a fresh mapping every time.
        Assert.Equal(1, MallOpt(-3, 128 << 10));
        long without = FaultsOfLargeTemporaries();
        Assert.True(NativeAllocator.Apply());
        long with = FaultsOfLargeTemporaries();
        Assert.True(without > pages / 2, $"without the settings {without:N0} faults for {pages:N0} pages filled");
        Assert.True(with < pages / 20, $"with the settings {with:N0} faults for {pages:N0} pages filled");
    }
}
