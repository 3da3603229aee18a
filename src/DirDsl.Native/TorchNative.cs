using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;

namespace DirDsl.Native;

/// <summary>What <see cref="TorchNative"/> decided for a native library on this system.</summary>
/// <param name="MissingVersions">libstdc++ versions the library needs that the system's libstdc++ lacks.</param>
/// <param name="PatchableVersions">The subset that only marker symbols use, so a weak requirement is safe.</param>
public sealed record NativeCompatibility(IReadOnlyList<string> MissingVersions, IReadOnlyList<string> PatchableVersions)
{
    /// <summary>Nothing is missing: the library loads as it is.</summary>
    public bool LoadsAsIs => MissingVersions.Count == 0;

    /// <summary>Something is missing and all of it can be made weak.</summary>
    public bool NeedsPatch => MissingVersions.Count > 0 && MissingVersions.Count == PatchableVersions.Count;
}

/// <summary>
/// Makes TorchSharp's <c>libLibTorchSharp.so</c> load on Linux systems whose libstdc++ is older
/// than the one it was linked against (Debian 12, Ubuntu 22.04: GCC 12's libstdc++ lacks
/// <c>GLIBCXX_3.4.32</c>). The library needs that version for one symbol only,
/// <c>std::ios_base_library_init()</c>, a link-time marker that GCC 13's <c>&lt;iostream&gt;</c>
/// emits and nothing calls. When ordinary probing fails, DirDsl copies the library, marks that
/// one requirement weak (VER_FLG_WEAK) in the copy, loads its dependencies from the original
/// folder and hands the copy to the runtime. On systems that do not need it nothing is patched:
/// the hook only runs after the normal load has failed, and only for marker-only versions.
/// </summary>
public static class TorchNative
{
    /// <summary>Versioned symbols known to be link-time markers that no code calls.</summary>
    private static readonly HashSet<string> MarkerSymbols = new(StringComparer.Ordinal)
    {
        "_ZSt21ios_base_library_initv", // std::ios_base_library_init(), GLIBCXX_3.4.32
    };

    private const string LibraryName = "LibTorchSharp";
    private const string LibraryFile = "libLibTorchSharp.so";
    private const string StdCxx = "libstdc++.so.6";

    private static int registered;
    private static readonly Lock Gate = new();
    private static IntPtr patchedHandle;

    /// <summary>Where the patched copy was loaded from in this process, or null if none was needed.</summary>
    public static string? PatchedLibraryPath { get; private set; }

    /// <summary>The last reason the hook declined to patch, for error messages and tests.</summary>
    public static string? LastDiagnostic { get; private set; }

    /// <summary>Runs when the DirDsl assembly is first used; generated code also calls <see cref="EnsureRegistered"/>.</summary>
#pragma warning disable CA2255 // a library module initializer is deliberate: it must run before TorchSharp initialises
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnModuleLoad() => EnsureRegistered();

    /// <summary>Installs the fallback resolver once per process. Safe to call any number of times.</summary>
    public static void EnsureRegistered()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref registered, 1) == 1) return;
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;
    }

    /// <summary>
    /// Decides, from the bytes of a native library and the version definitions of the system's
    /// libstdc++, which required versions are missing and which of those are safe to weaken.
    /// </summary>
    public static NativeCompatibility Assess(ReadOnlySpan<byte> library, IReadOnlySet<string> providedStdCxxVersions)
    {
        var missing = new List<string>();
        var patchable = new List<string>();
        foreach (var need in ElfVersionInfo.ReadVersionNeeds(library))
        {
            if (need.File != StdCxx || need.IsWeak || providedStdCxxVersions.Contains(need.Version)) continue;
            missing.Add(need.Version);
            var users = ElfVersionInfo.SymbolsUsingVersion(library, need.Index);
            if (users.Count > 0 && users.All(MarkerSymbols.Contains)) patchable.Add(need.Version);
        }
        return new NativeCompatibility(missing, patchable);
    }

    /// <summary>Returns a copy of <paramref name="library"/> with the given libstdc++ versions marked weak.</summary>
    public static byte[] Patch(ReadOnlySpan<byte> library, IEnumerable<string> versions)
    {
        var copy = library.ToArray();
        foreach (var version in versions) ElfVersionInfo.MarkWeak(copy, StdCxx, version);
        return copy;
    }

    /// <summary>
    /// Loads the library at <paramref name="originalPath"/>, patching a cached copy when the
    /// system's libstdc++ lacks a marker-only version. Returns 0 when it cannot help.
    /// </summary>
    public static IntPtr LoadCompatible(string originalPath)
    {
        lock (Gate)
        {
            if (patchedHandle != IntPtr.Zero) return patchedHandle;
            var bytes = File.ReadAllBytes(originalPath);
            if (MissingBackend(originalPath, bytes) is { } missing)
            {
                // Before any load attempt, whose error ("undefined symbol ...") would hide the cause.
                LastDiagnostic = missing;
                Console.Error.WriteLine($"DirDsl: {missing}");
                return IntPtr.Zero;
            }
            var stdcxx = FindSystemStdCxx();
            if (stdcxx is null)
            {
                LastDiagnostic = "libstdc++.so.6 could not be located in this process.";
                return IntPtr.Zero;
            }
            var verdict = Assess(bytes, ElfVersionInfo.ReadVersionDefinitions(File.ReadAllBytes(stdcxx)));
            if (!verdict.NeedsPatch)
            {
                LastDiagnostic = verdict.LoadsAsIs
                    ? $"{originalPath} needs nothing {stdcxx} lacks; its load failed for another reason."
                    : $"{stdcxx} lacks {string.Join(", ", verdict.MissingVersions)} needed by {originalPath}, "
                      + "and not only for marker symbols: install a newer libstdc++ (GCC 13 or later).";
                return IntPtr.Zero;
            }

            var patchedPath = WritePatchedCopy(originalPath, Patch(bytes, verdict.PatchableVersions));
            // The copy lives elsewhere, so its $ORIGIN run path no longer finds libtorch: load the
            // dependencies from the original folder first; the loader then matches them by soname.
            var folder = Path.GetDirectoryName(originalPath)!;
            foreach (var needed in ElfVersionInfo.ReadNeededLibraries(bytes))
            {
                var candidate = Path.Combine(folder, needed);
                if (File.Exists(candidate)) NativeLibrary.Load(candidate);
            }
            patchedHandle = NativeLibrary.Load(patchedPath);
            PatchedLibraryPath = patchedPath;
            LastDiagnostic = $"Loaded {patchedPath}: {string.Join(", ", verdict.PatchableVersions)} marked weak.";
            return patchedHandle;
        }
    }

    /// <summary>
    /// Why libtorch cannot load in this application, or null when it can be found: TorchSharp's shim is there but the
    /// libtorch libraries it needs (libtorch.so, libc10.so, libtorch_cpu.so), which come with a backend package, are not
    /// next to it. An application must reference a backend (libtorch-cpu-linux-x64, or a CUDA one); a library only TorchSharp.
    /// </summary>
    public static string? MissingBackend()
    {
        var original = FindOriginal(typeof(TorchNative).Assembly);
        if (original is null) return $"{LibraryFile} (TorchSharp's native shim) is not next to the application: reference the TorchSharp package.";
        return MissingBackend(original, File.ReadAllBytes(original));
    }

    /// <summary>The libtorch libraries that <paramref name="library"/> (the shim at <paramref name="path"/>) needs and that are not beside it, in words, or null.</summary>
    public static string? MissingBackend(string path, ReadOnlySpan<byte> library)
    {
        var folder = Path.GetDirectoryName(path)!;
        var missing = ElfVersionInfo.ReadNeededLibraries(library)
            .Where(needed => needed.StartsWith("libtorch", StringComparison.Ordinal) || needed.StartsWith("libc10", StringComparison.Ordinal))
            .Where(needed => !File.Exists(Path.Combine(folder, needed))).ToList();
        return missing.Count == 0
            ? null
            : $"libtorch is missing: {string.Join(", ", missing)} (needed by {LibraryFile}) are not in {folder}. The application references TorchSharp "
              + "but no libtorch backend: add <PackageReference Include=\"libtorch-cpu-linux-x64\" Version=\"2.10.0\" /> (or a CUDA backend) to the "
              + "application's project, then build again.";
    }

    private static IntPtr Resolve(System.Reflection.Assembly assembly, string name)
    {
        if (name != LibraryName && name != LibraryFile) return IntPtr.Zero;
        var original = FindOriginal(assembly);
        if (original is null)
        {
            LastDiagnostic = $"{LibraryFile} was not found next to the application or TorchSharp.";
            return IntPtr.Zero;
        }
        try
        {
            return LoadCompatible(original);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                                      or DllNotFoundException or BadImageFormatException)
        {
            LastDiagnostic = $"Could not prepare a compatible copy of {original}: {e.Message}";
            Console.Error.WriteLine($"DirDsl: {LastDiagnostic}");
            return IntPtr.Zero;
        }
    }

    private static string? FindOriginal(System.Reflection.Assembly assembly)
    {
        var folders = new List<string> { AppContext.BaseDirectory };
        if (!string.IsNullOrEmpty(assembly.Location)) folders.Add(Path.GetDirectoryName(assembly.Location)!);
        foreach (var folder in folders)
        {
            foreach (var candidate in new[]
                     {
                         Path.Combine(folder, LibraryFile),
                         Path.Combine(folder, "runtimes", "linux-x64", "native", LibraryFile),
                     })
            {
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    /// <summary>The file behind the libstdc++ this process uses (loading it if needed).</summary>
    public static string? FindSystemStdCxx()
    {
        NativeLibrary.TryLoad(StdCxx, out _);
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            var path = line[slash..];
            if (Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal)) return path;
        }
        return null;
    }

    /// <summary>Writes the patched bytes to a cache folder keyed by their hash, atomically.</summary>
    private static string WritePatchedCopy(string originalPath, byte[] patched)
    {
        var hash = Convert.ToHexString(SHA256.HashData(patched))[..16].ToLowerInvariant();
        foreach (var root in CacheRoots())
        {
            try
            {
                var folder = Path.Combine(root, "dirdsl", "native", hash);
                var target = Path.Combine(folder, Path.GetFileName(originalPath));
                if (File.Exists(target) && new FileInfo(target).Length == patched.Length) return target;
                Directory.CreateDirectory(folder);
                var temp = target + "." + Environment.ProcessId + ".tmp";
                File.WriteAllBytes(temp, patched);
                File.Move(temp, target, overwrite: true);
                return target;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // try the next root
            }
        }
        throw new IOException("No writable cache folder for DirDsl's patched native library (tried XDG_CACHE_HOME, ~/.cache, the temp folder).");
    }

    private static IEnumerable<string> CacheRoots()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg)) yield return xdg;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) yield return Path.Combine(home, ".cache");
        yield return Path.GetTempPath();
    }
}
