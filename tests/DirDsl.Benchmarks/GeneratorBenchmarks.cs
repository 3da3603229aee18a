using System.Reflection;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DirDsl.Benchmarks;

/// <summary>
/// The source generator: a full generation for one experiment and for a project of 50 experiment
/// classes (the baseline), and the incremental re-run of that project after an unrelated edit.
/// </summary>
public class GeneratorBenchmarks
{
    private IIncrementalGenerator generator = null!;
    private CSharpCompilation one = null!, fifty = null!, fiftyEdited = null!;
    private GeneratorDriver warmDriver = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The benchmark references the generator only as an analyzer; load its build output to drive it.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "DirDsl.sln"))) root = root.Parent!;
        var path = Path.Combine(root.FullName, "generators", "DirDsl.Generators", "bin", configuration, "netstandard2.0", "DirDsl.Generators.dll");
        generator = (IIncrementalGenerator)Activator.CreateInstance(Assembly.LoadFrom(path).GetType("DirDsl.Generators.ExperimentGenerator")!)!;

        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = trusted.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Append(typeof(LabelBins).Assembly.Location).Append(typeof(TorchSharp.torch).Assembly.Location)
            .Select(p => MetadataReference.CreateFromFile(p)).ToArray();
        CSharpCompilation Compile(IEnumerable<string> sources) => CSharpCompilation.Create("Bench",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, path: $"File{i}.cs")), references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var experiments = Enumerable.Range(0, 50).Select(Experiment).ToList();
        var unrelated = "namespace Other { public static class Helper { public static int Value() => 1; } }";
        one = Compile(new[] { experiments[0] });
        fifty = Compile(experiments.Append(unrelated));
        // An edit replaces one tree of the same compilation, as the IDE and the compiler server do.
        var unrelatedTree = fifty.SyntaxTrees.Last();
        fiftyEdited = fifty.ReplaceSyntaxTree(unrelatedTree,
            CSharpSyntaxTree.ParseText(unrelated.Replace("=> 1;", "=> 2 + 3;"), path: unrelatedTree.FilePath));
    }

    private static string Experiment(int i) => $$"""
        using DirDsl;
        using TorchSharp;
        using static TorchSharp.torch;
        namespace Project.Experiments{{i}};
        public sealed record Row([property: Feature] double X, [property: Feature] string Kind, [property: Target] double Y);
        [DirExperiment(Epochs = {{10 + i}})]
        [LabelBins(Min = 0, Max = 5, Count = 50)]
        [Lds(Kernel.Gaussian, Size = 5, Sigma = 2)]
        [Fds(Momentum = 0.9)]
        [Ablation]
        public partial class Experiment{{i}}
        {
            [Data] public static DirSplits<Row> Load(DataContext context) => throw new System.NotSupportedException();
            [Encoder(FeatureDim = 16)] public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 16);
        }
        """;

    private GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(generator);

    [Benchmark]
    public GeneratorDriver OneExperiment() => NewDriver().RunGenerators(one);

    [Benchmark(Baseline = true)]
    public GeneratorDriver FiftyExperimentsFull() => NewDriver().RunGenerators(fifty);

    [IterationSetup(Target = nameof(FiftyExperimentsAfterUnrelatedEdit))]
    public void Warm() => warmDriver = NewDriver().RunGenerators(fifty);

    [Benchmark]
    public GeneratorDriver FiftyExperimentsAfterUnrelatedEdit() => warmDriver.RunGenerators(fiftyEdited);
}
