extern alias runtime;
extern alias hosting;
extern alias images;
using System.Collections.Immutable;
using DirDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DirDsl.Generators.Tests;

/// <summary>Builds in-memory compilations against the host's framework assemblies, DirDsl and TorchSharp.</summary>
internal static class TestCompilation
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>Framework reference assemblies of the running host, plus the DirDsl runtime and TorchSharp.</summary>
    public static readonly ImmutableArray<MetadataReference> References = BuildReferences(hosting: true);

    /// <summary>The references of a program that uses the core package alone (no DirDsl.Hosting: no generated entry point).</summary>
    public static readonly ImmutableArray<MetadataReference> CoreReferences = BuildReferences(hosting: false);

    private static ImmutableArray<MetadataReference> BuildReferences(bool hosting)
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var framework = trusted.Where(p =>
        {
            var name = Path.GetFileNameWithoutExtension(p);
            return name.StartsWith("System.", StringComparison.Ordinal) || name is "System" or "netstandard" or "mscorlib";
        });
        var ours = new[]
        {
            typeof(runtime::DirDsl.LabelBins).Assembly.Location,
            typeof(TorchSharp.torch).Assembly.Location,
            typeof(images::DirDsl.Images.ImageSpec).Assembly.Location,
        }.Concat(hosting ? new[] { typeof(hosting::DirDsl.Hosting.DirCommandLine).Assembly.Location } : Array.Empty<string>());
        return framework.Concat(ours).Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    public static CSharpCompilation Create(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary) =>
        Create(new[] { CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Experiment.cs") }, kind);

    public static CSharpCompilation Create(IEnumerable<SyntaxTree> trees, OutputKind kind = OutputKind.DynamicallyLinkedLibrary) =>
        CSharpCompilation.Create("TestAssembly", trees, References,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable)
                // As the SDK does by default: assembly-version unification notes are not warnings.
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    public static GeneratorDriver Driver(bool trackSteps = true) =>
        CSharpGeneratorDriver.Create(new[] { new ExperimentGenerator().AsSourceGenerator() }, parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator and returns the output compilation and the run result.</summary>
    public static (Compilation Output, GeneratorDriverRunResult Result) Generate(CSharpCompilation compilation)
    {
        var driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (output, driver.GetRunResult());
    }
}

/// <summary>A valid experiment source whose parts tests replace to make one thing wrong.</summary>
internal sealed record ExperimentSource
{
    public string Experiment { get; init; } = "[DirExperiment(Epochs = 3, BatchSize = 16)]";
    public string Bins { get; init; } = "[LabelBins(Min = 0, Max = 5, Count = 50)]";
    public string Extra { get; init; } = "";
    public string Modifiers { get; init; } = "public partial class";
    public string Name { get; init; } = "Exp";
    public string Record { get; init; } = "public sealed record Row([property: Feature] double X, [property: Feature] string Kind, [property: Target] double Y);";
    public string Data { get; init; } = "[Data] public static DirSplits<Row> Load(DataContext context) => throw new System.NotSupportedException();";
    public string Encoder { get; init; } = "[Encoder(FeatureDim = 4)] public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 4);";
    public string Members { get; init; } = "";

    public override string ToString() => $$"""
        using DirDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Sample;

        {{Record}}

        {{Experiment}}
        {{Bins}}
        {{Extra}}
        {{Modifiers}} {{Name}}
        {
            {{Data}}
            {{Encoder}}
            {{Members}}
        }
        """;
}
