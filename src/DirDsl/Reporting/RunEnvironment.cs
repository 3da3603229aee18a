using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace DirDsl;

/// <summary>
/// What a reader needs to judge whether two runs can agree digit for digit: the CPU and the instruction sets its
/// kernels may use, threads, OS, .NET, TorchSharp and libtorch, and the CPU-numerics settings libtorch was started
/// with. Written into results.json as "environment"; programs add their own entries (an embedding model's runtime
/// and the hash of its outputs) with <see cref="Add"/>.
/// </summary>
public static class RunEnvironment
{
    private static readonly ConcurrentDictionary<string, string> Extra = new(StringComparer.Ordinal);

    /// <summary>
    /// Environment variables that change which CPU kernels MKL, oneDNN and ATen choose (recorded when set). ATen's
    /// vectorised kernels of some fused operations round differently from its scalar ones (addcmul: its AVX2 and AVX-512
    /// kernels differ from the default ones in most elements on this project's machine).
    /// </summary>
    public static readonly IReadOnlyList<string> NumericsVariables = new[] { "MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "OMP_NUM_THREADS", "MKL_NUM_THREADS" };

    /// <summary>Adds (or replaces) an entry of this process's environment record, e.g. "onnxruntime" = "1.30.0".</summary>
    public static void Add(string key, string value) => Extra[key] = value;

    /// <summary>The record: fixed keys first, then the program's own entries, sorted.</summary>
    public static IReadOnlyDictionary<string, string> Describe()
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["cpu"] = CpuModel(),
            ["instructionSets"] = InstructionSets(),
            ["cores"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ["torchThreads"] = TorchThreads(),
            ["os"] = RuntimeInformation.OSDescription,
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["torchsharp"] = Version(typeof(TorchSharp.torch).Assembly),
            ["torchsharpJit"] = TorchSharpSafety.Describe(),
            ["libtorch"] = LibTorchVersion(),
            ["dirdsl"] = Version(typeof(RunEnvironment).Assembly),
        };
        foreach (var name in NumericsVariables)
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) entries["env." + name] = value;
        foreach (var (key, value) in Extra) entries[key] = value;
        return entries;
    }

    /// <summary>The CPU's model name (/proc/cpuinfo on Linux), or the architecture elsewhere.</summary>
    public static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            // Unreadable: fall back to the architecture.
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The vector instruction sets this CPU offers (what MKL and oneDNN dispatch on), e.g. "avx2 fma avx512f".</summary>
    public static string InstructionSets()
    {
        var sets = new List<string>();
        if (Sse42.IsSupported) sets.Add("sse4.2");
        if (Avx.IsSupported) sets.Add("avx");
        if (Avx2.IsSupported) sets.Add("avx2");
        if (Fma.IsSupported) sets.Add("fma");
        if (Avx512F.IsSupported) sets.Add("avx512f");
        if (Avx512BW.IsSupported) sets.Add("avx512bw");
        if (Avx512Vbmi.IsSupported) sets.Add("avx512vbmi");
        if (AvxVnni.IsSupported) sets.Add("avxvnni");
        return sets.Count == 0 ? RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant() : string.Join(' ', sets);
    }

    private static string TorchThreads()
    {
        try
        {
            return TorchSharp.torch.get_num_threads().ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException)
        {
            return "unknown (libtorch not loaded)";
        }
    }

    private static string LibTorchVersion()
    {
        try
        {
            return TorchSharp.torch.__version__;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException)
        {
            return "unknown (libtorch not loaded)";
        }
    }

    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
