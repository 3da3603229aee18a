using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace DirDsl.Generators.Tests;

/// <summary>
/// The way users install DirDsl: pack the package (runtime + generator in analyzers/dotnet/cs) into a
/// local folder, restore it into a brand-new console project, build it warning-free and run the
/// experiment through the generated entry point.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string work = Path.Combine(Path.GetTempPath(), $"dirdsl-pack-{Guid.NewGuid():N}");
    private readonly string version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmss}{Environment.ProcessId}";

    public void Dispose()
    {
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        // Keep the user's package cache clean of test versions.
        foreach (var package in Packages)
        {
            var cached = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", package.ToLowerInvariant(), version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }

    /// <summary>The packages the README's section packs.</summary>
    private static readonly string[] Packages = { "DirDsl", "DirDsl.Native", "DirDsl.Hosting", "DirDsl.Figures", "DirDsl.Images" };

    /// <summary>The first fenced block of <paramref name="language"/> in the README's "Installing as a package" section.</summary>
    private static string ReadmeBlock(string root, string language)
    {
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).Replace("\r\n", "\n");
        var section = readme[readme.IndexOf("## Installing as a package", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 5, StringComparison.Ordinal)];
        int start = section.IndexOf("```" + language + "\n", StringComparison.Ordinal) + language.Length + 4;
        return section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
    }

    [Fact]
    public void PackedPackage_RestoresIntoANewConsoleProject_BuildsAndRuns()
    {
        // Pack from a copy of the sources, so the repository's own build outputs are not touched.
        var root = DiagnosticTests.RepositoryRoot();
        var sources = Path.Combine(work, "repo");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "README.md" })
            Copy(Path.Combine(root, file), Path.Combine(sources, file));
        foreach (var package in Packages) CopyTree(Path.Combine(root, "src", package), Path.Combine(sources, "src", package));
        // The build step's task, packed inside DirDsl.
        CopyTree(Path.Combine(root, "src", "DirDsl.Build"), Path.Combine(sources, "src", "DirDsl.Build"));
        CopyTree(Path.Combine(root, "generators", "DirDsl.Generators"), Path.Combine(sources, "generators", "DirDsl.Generators"));
        CopyTree(Path.Combine(root, "docs", "diagnostics"), Path.Combine(sources, "docs", "diagnostics"));
        // The README's pack command, run as written in a copy of the repository; the only change gives the packages this
        // test's own version, so a package of the same version cached by an earlier run cannot stand in for them.
        var pack = ReadmeBlock(root, "bash").Trim();
        Assert.Contains("dotnet pack", pack);
        Run(sources, "bash", "-c", pack.Replace("-o ./packages", $"-o ./packages -p:Version={version}", StringComparison.Ordinal));
        var feed = Path.Combine(sources, "packages");
        foreach (var package in Packages) Assert.True(File.Exists(Path.Combine(feed, $"{package}.{version}.nupkg")), $"{package} was not packed");
        // Every diagnostic's help link (docs/diagnostics/DIRnnn.md) is a page in the DirDsl package.
        using (var core = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"DirDsl.{version}.nupkg")))
        {
            var pages = core.Entries.Select(e => e.FullName).Where(n => n.StartsWith("docs/diagnostics/", StringComparison.Ordinal)).ToHashSet();
            var links = typeof(DirDsl.Generators.Diagnostics.ExperimentAnalyzer).Assembly.GetTypes()
                .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic))
                .Where(f => f.FieldType == typeof(Microsoft.CodeAnalysis.DiagnosticDescriptor))
                .Select(f => ((Microsoft.CodeAnalysis.DiagnosticDescriptor)f.GetValue(null)!).HelpLinkUri).Distinct().ToList();
            Assert.True(links.Count > 40, $"{links.Count} descriptors found");
            Assert.All(links, link => Assert.Contains(link, pages));
        }

        var app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="dirdsl-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        // The README's PackageReference lines, as written (the DirDsl packages at this test's version).
        var references = ReadmeBlock(root, "xml").Replace("Version=\"0.1.0\"", $"Version=\"{version}\"", StringComparison.Ordinal);
        Assert.Contains("DirDsl.Hosting", references);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <PlatformTarget>x64</PlatformTarget>
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Experiment.cs"), """
            using DirDsl;
            using TorchSharp;
            using static TorchSharp.torch;

            namespace App;

            public sealed record Sample([property: Feature] double X, [property: Target] double Y);

            [DirExperiment(Epochs = 2, BatchSize = 32)]
            [LabelBins(Min = 0, Max = 10, Count = 10)]
            [Lds(Kernel.Gaussian, Size = 5, Sigma = 2)]
            [Fds(Size = 3, Sigma = 1)]
            [Ablation]
            public partial class PackagedExperiment
            {
                [Data]
                public static DirSplits<Sample> Load(DataContext context)
                {
                    var random = new Random(context.Seed);
                    List<Sample> Make(int n, bool skewed) => Enumerable.Range(0, n).Select(i =>
                    {
                        double x = skewed ? Math.Min(9.99, -Math.Log(1 - random.NextDouble()) * 2) : i * 10.0 / n;
                        return new Sample(x, x);
                    }).ToList();
                    return new DirSplits<Sample>(Make(300, true), Make(50, false), Make(50, false));
                }

                [Encoder(FeatureDim = 8)]
                public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 8), nn.ReLU());
            }
            """);
        var output = Run(app, "dotnet", "run", "--", "--output", "results", "--device", "cpu");
        Assert.Contains("| LDS+FDS |", output);
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(app, "results", "PackagedExperiment", "results.json"))).RootElement;
        // The ablation's five rows after its two baseline rows (Mean, Linear), which train no epochs.
        Assert.Equal(new[] { "Mean", "Linear", "Vanilla", "SqrtInverse", "LDS", "FDS", "LDS+FDS" },
            json.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("variant").GetString()));
        Assert.Equal(0, json.GetProperty("variants")[0].GetProperty("epochsRun").GetInt32());
        Assert.Equal(2, json.GetProperty("variants")[2].GetProperty("epochsRun").GetInt32());
        // DirDsl's buildTransitive step ran in the consumer's build: its TorchSharp.dll runs without JIT optimisations.
        Assert.Equal("unoptimized (temporary Scalars kept alive)", json.GetProperty("environment").GetProperty("torchsharpJit").GetString());
        // DirDsl.Figures from its package: the generated entry point drew the figures.
        Assert.True(File.Exists(Path.Combine(app, "results", "PackagedExperiment", "label-density.png")));
    }

    /// <summary>A command that prints nothing for this long is taken as hung (a slow machine still prints as it goes).</summary>
    private static readonly TimeSpan Silence = TimeSpan.FromMinutes(30);

    /// <summary>Runs a command to its end, waiting as long as it makes progress (prints a line), never on a fixed clock.</summary>
    private static string Run(string directory, string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        long lastOutput = Environment.TickCount64;
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is null) return; lock (stdout) stdout.AppendLine(e.Data); Interlocked.Exchange(ref lastOutput, Environment.TickCount64); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is null) return; lock (stderr) stderr.AppendLine(e.Data); Interlocked.Exchange(ref lastOutput, Environment.TickCount64); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        while (!process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            if (Environment.TickCount64 - Interlocked.Read(ref lastOutput) < Silence.TotalMilliseconds) continue;
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} {string.Join(' ', arguments)} printed nothing for {Silence.TotalMinutes} minutes:\n{stdout}\n{stderr}");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{stdout}\n{stderr}");
        return stdout.ToString();
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("bin" + Path.DirectorySeparatorChar) || relative.StartsWith("obj" + Path.DirectorySeparatorChar)) continue;
            Copy(file, Path.Combine(to, relative));
        }
    }
}
