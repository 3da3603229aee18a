using DirDsl.Native;
using TorchSharp;
using Xunit;

namespace DirDsl.Tests;

/// <summary>
/// TorchSharp's native library must load on this machine (Debian 12, libstdc++ of GCC 12),
/// which needs the weak-version patch, and the ELF edit must change exactly one field.
/// </summary>
public sealed class NativeLoadingTests
{
    private static string OriginalLibrary =>
        Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so") is var p && File.Exists(p)
            ? p
            : Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void TorchSharp_LoadsAndComputes()
    {
        TorchNative.EnsureRegistered();
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var b = (a * a).sum();
        Assert.Equal(14f, b.item<float>());
    }

    [Fact]
    public void MissingBackend_NamesTheLibtorchLibrariesAndThePackage()
    {
        // Beside this test's shim the backend is there; a copy of the shim alone (an application without a backend) lacks it.
        Assert.Null(TorchNative.MissingBackend(OriginalLibrary, File.ReadAllBytes(OriginalLibrary)));
        Assert.Null(TorchNative.MissingBackend());
        var alone = Directory.CreateTempSubdirectory("dirdsl-nobackend").FullName;
        try
        {
            var copy = Path.Combine(alone, "libLibTorchSharp.so");
            File.Copy(OriginalLibrary, copy);
            var message = TorchNative.MissingBackend(copy, File.ReadAllBytes(copy));
            Assert.NotNull(message);
            Assert.Contains("libtorch is missing: libtorch.so, libc10.so, libtorch_cpu.so", message);
            Assert.Contains("<PackageReference Include=\"libtorch-cpu-linux-x64\"", message);
        }
        finally
        {
            Directory.Delete(alone, recursive: true);
        }
    }

    [Fact]
    public void ReadVersionNeeds_FindsTheGlibcxx3432Marker()
    {
        var bytes = File.ReadAllBytes(OriginalLibrary);
        var needs = ElfVersionInfo.ReadVersionNeeds(bytes);
        var marker = Assert.Single(needs, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", marker.File);
        Assert.False(marker.IsWeak);
        Assert.Equal(new[] { "_ZSt21ios_base_library_initv" }, ElfVersionInfo.SymbolsUsingVersion(bytes, marker.Index));
        Assert.Contains("libtorch.so", ElfVersionInfo.ReadNeededLibraries(bytes));
    }

    [Fact]
    public void MarkWeak_ChangesExactlyTheFlagOfThatEntry()
    {
        var original = File.ReadAllBytes(OriginalLibrary);
        var patched = TorchNative.Patch(original, new[] { "GLIBCXX_3.4.32" });
        var marker = ElfVersionInfo.ReadVersionNeeds(original).Single(n => n.Version == "GLIBCXX_3.4.32");

        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Equal(new[] { (int)marker.FlagsOffset }, changed);
        Assert.Equal(original[marker.FlagsOffset] | ElfVersionInfo.VerFlagWeak, patched[marker.FlagsOffset]);

        var before = ElfVersionInfo.ReadVersionNeeds(original);
        var after = ElfVersionInfo.ReadVersionNeeds(patched);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
            Assert.Equal(before[i].Version == "GLIBCXX_3.4.32", after[i].IsWeak && !before[i].IsWeak);
        Assert.False(ElfVersionInfo.MarkWeak(patched, "libstdc++.so.6", "GLIBCXX_3.4.32"));
    }

    [Fact]
    public void Assess_OnlyMarkerVersionsArePatchable()
    {
        var bytes = File.ReadAllBytes(OriginalLibrary);
        var all = ElfVersionInfo.ReadVersionNeeds(bytes).Where(n => n.File == "libstdc++.so.6").Select(n => n.Version).ToHashSet();

        var newSystem = TorchNative.Assess(bytes, all);
        Assert.True(newSystem.LoadsAsIs);
        Assert.False(newSystem.NeedsPatch);

        var gcc12 = TorchNative.Assess(bytes, all.Where(v => v != "GLIBCXX_3.4.32").ToHashSet());
        Assert.Equal(new[] { "GLIBCXX_3.4.32" }, gcc12.MissingVersions);
        Assert.True(gcc12.NeedsPatch);

        // A system lacking a version that real code uses cannot be patched around.
        var tooOld = TorchNative.Assess(bytes, all.Where(v => v is not "GLIBCXX_3.4.32" and not "GLIBCXX_3.4.30").ToHashSet());
        Assert.Contains("GLIBCXX_3.4.30", tooOld.MissingVersions);
        Assert.False(tooOld.NeedsPatch);
    }

    [Fact]
    public void ThisSystemsLibStdCxx_DecidesWhetherAPatchIsUsed()
    {
        using var probe = torch.ones(1);
        var stdcxx = TorchNative.FindSystemStdCxx();
        Assert.NotNull(stdcxx);
        var provided = ElfVersionInfo.ReadVersionDefinitions(File.ReadAllBytes(stdcxx!));
        Assert.Contains("GLIBCXX_3.4", provided);
        bool needsPatch = !provided.Contains("GLIBCXX_3.4.32");
        Assert.Equal(needsPatch, TorchNative.PatchedLibraryPath is not null);
    }

    [Fact]
    public void ReadVersionNeeds_RejectsNonElfInput()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionInfo.ReadVersionNeeds(new byte[100]));
        var truncated = File.ReadAllBytes(OriginalLibrary).AsSpan(0, 4096).ToArray();
        Assert.Throws<InvalidDataException>(() => ElfVersionInfo.ReadVersionNeeds(truncated));
    }
}
