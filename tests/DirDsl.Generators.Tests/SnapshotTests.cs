using Microsoft.CodeAnalysis;
using Xunit;

namespace DirDsl.Generators.Tests;

/// <summary>The generated sources of representative configurations, against golden files; each output compiles with no warning.</summary>
public sealed class SnapshotTests
{
    private static void Check(string caseName, string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary)
    {
        var (output, result) = TestCompilation.Generate(TestCompilation.Create(source, kind));
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(p => p.ToString())));
        Assert.NotEmpty(result.GeneratedTrees);
        Snapshot.Verify(caseName, result);
    }

    /// <summary>The STS-B-DIR recipe: real bins, LDS with Inverse, FDS clamp [0.5, 2], MSE on targets / 5, paper's shot groups.</summary>
    [Fact]
    public void StsbStyle() => Check(nameof(StsbStyle), """
        using DirDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Examples.Stsb;

        public sealed record Pair([property: Feature] float[] Embedding, [property: Target] float Score);

        [DirExperiment(Epochs = 40, BatchSize = 128, LearningRate = 1e-4, GradientClipNorm = 5, Patience = 10, TargetScale = 5, Seed = 3)]
        [LabelBins(Min = 0, Max = 5, Count = 4)]
        [Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.Inverse)]
        [Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, ClampMin = 0.5, ClampMax = 2, Size = 3)]
        [Loss(LossKind.Mse)]
        [ShotGroups(Many = new[] { 0, 3 }, Medium = new[] { 1 }, Few = new[] { 2 })]
        [DenseWeight(Alpha = 1)]
        [BalancedMse(BalancedMseKind.Bni, InitNoiseSigma = 0.2)]
        [Ablation(Seeds = 3)]
        public partial class StsbExperiment
        {
            [Data] public static DirSplits<Pair> Load(DataContext context) => throw new System.NotSupportedException();
            [Encoder(FeatureDim = 16)] public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(nn.Linear(inputDim, 16), nn.ReLU());
        }
        """);

    /// <summary>An image record: the [Image] settings in the generated map, a parameterless encoder factory, LDS and FDS.</summary>
    [Fact]
    public void ImageStyle() => Check(nameof(ImageStyle), """
        using DirDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Examples.Faces;

        public sealed record Face([property: Image(64, Color = ImageColor.Gray, Padding = 8, BadImages = BadRecordPolicy.Skip)] string Path, [property: Target] int Age);

        [DirExperiment(Epochs = 5, SelectByMse = false)]
        [LabelBins(Min = 0, Max = 100, Count = 100, Integer = true)]
        [Lds(Kernel.Gaussian, Size = 5, Sigma = 2)]
        [Fds(Statistics = FdsStatistics.EvaluationPass)]
        [Loss(LossKind.L1)]
        public partial class FaceExperiment
        {
            [Data] public static DirSplits<Face> Load(DataContext context) => throw new System.NotSupportedException();
            [Encoder(FeatureDim = 8)] public static nn.Module<Tensor, Tensor> Encoder() => nn.Sequential(nn.Flatten(), nn.Linear(64 * 64, 8));
        }
        """);

    /// <summary>Tabular resampling and a search: [Smoter], [Smogn], [Search] over every axis, with LDS and FDS.</summary>
    [Fact]
    public void ResamplingAndSearch() => Check(nameof(ResamplingAndSearch), """
        using DirDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Examples.Tabular;

        public sealed record House([property: Feature] double Area, [property: Feature] string District, [property: Target] double Price);

        [DirExperiment(Epochs = 20, SelectByMse = false)]
        [LabelBins(Min = 0, Max = 10, Count = 20)]
        [Lds(Kernel.Gaussian, Size = 5, Sigma = 2)]
        [Fds(Size = 5, Sigma = 2)]
        [Smoter(Neighbours = 3, Undersample = false)]
        [Smogn(Perturbation = 0.05, Relevance = RelevanceKind.Rarity)]
        [Search(Kernels = new[] { Kernel.Gaussian, Kernel.Laplace }, Sizes = new[] { 3, 5 }, Sigmas = new[] { 1.0, 2.0 }, Momentums = new[] { 0.5, 0.9 }, BinCounts = new[] { 10, 20 })]
        [Ablation]
        public partial class HouseExperiment
        {
            [Data] public static DirSplits<House> Load() => throw new System.NotSupportedException();
            [Encoder(FeatureDim = 8)] public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 8);
        }
        """, OutputKind.ConsoleApplication);

    /// <summary>The age recipe: integer bins, SqrtInverse with clipped counts, L1, multi-step schedule, selection by MAE.</summary>
    [Fact]
    public void AgeStyle() => Check(nameof(AgeStyle), """
        using DirDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Examples.Age;

        public enum Sex { Female, Male }

        public sealed class Person
        {
            [Feature] public double Height { get; init; }
            [Feature] public Sex Sex { get; init; }
            [Feature] public bool Smoker { get; init; }
            [Feature] public double[] Scan { get; init; } = System.Array.Empty<double>();
            [Target] public int Age { get; init; }
        }

        [DirExperiment(Epochs = 90, BatchSize = 256, Optimizer = OptimizerKind.AdamW, SelectByMse = false)]
        [LabelBins(Min = 0, Max = 100, Count = 100, Integer = true)]
        [Lds(Kernel.Triangular, Size = 5, Reweight = Reweight.SqrtInverse, ClipMin = 5, ClipMax = 1000)]
        [Fds(Kernel = Kernel.Laplace, Size = 5, Sigma = 2)]
        [Loss(LossKind.FocalL1, Beta = 0.2, Gamma = 1, Activation = FocalActivation.Tanh)]
        [LrSchedule(ScheduleKind.MultiStep, Milestones = new[] { 60, 80 }, Gamma = 0.1)]
        [Rrt(Epochs = 10, LearningRate = 1e-3)]
        public partial class AgeExperiment
        {
            [Data] public static DirSplits<Person> Load() => throw new System.NotSupportedException();
            [Encoder(FeatureDim = 32)] public static nn.Module<Tensor, Tensor> Body(int inputDim) => nn.Linear(inputDim, 32);
            [Regressor] public static nn.Module<Tensor, Tensor> Head(int featureDim) => nn.Linear(featureDim, 1);
        }
        """);

    /// <summary>No LDS or FDS, global namespace, an executable without Main: the entry point is generated.</summary>
    [Fact]
    public void MinimalExecutable() => Check(nameof(MinimalExecutable), """
        using DirDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        public sealed record Row([property: Feature] double X, [property: Feature] string City, [property: Target] double Price);

        [DirExperiment]
        [LabelBins(Min = 0, Max = 1, Count = 10)]
        [Loss(LossKind.Huber, Beta = 0.3)]
        public partial class Minimal
        {
            [Data] static DirSplits<Row> Load(DataContext context) => throw new System.NotSupportedException();
            [Encoder(FeatureDim = 4)] static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 4);
        }
        """, OutputKind.ConsoleApplication);

    /// <summary>Vector targets: two number members in one record, and an array member with its declared length.</summary>
    [Fact]
    public void VectorTargets() => Check(nameof(VectorTargets), """
        using DirDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Examples.Vectors;

        public sealed record Person([property: Feature] double Height, [property: Target] double Age, [property: Target] float Weight);
        public sealed record Scores([property: Feature] double X, [property: Target(Length = 3)] double[] Values);

        [DirExperiment]
        [LabelBins(Min = 0, Max = 100, Count = 100)]
        [Lds]
        public partial class PersonExperiment
        {
            [Data] static DirSplits<Person> Load(DataContext context) => throw new System.NotSupportedException();
            [Encoder(FeatureDim = 4)] static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 4);
        }

        [DirExperiment]
        [LabelBins(Min = 0, Max = 1, Count = 10)]
        public partial class ScoresExperiment
        {
            [Data] static DirSplits<Scores> Load(DataContext context) => throw new System.NotSupportedException();
            [Encoder(FeatureDim = 4)] static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 4);
        }
        """);

    /// <summary>
    /// Dense targets, NYUD2-DIR's recipe: an image and a [DepthMap] target (a 16-bit PNG in millimetres, and a float[] in
    /// memory), the depth code's bins (Truncate), LDS (reflect padding, start bin 7) and FDS (start bin 7, clamp [0.2, 5],
    /// unaugmented pass, lagged order); the default regressor is a 1x1 convolution.
    /// </summary>
    [Fact]
    public void DepthMaps() => Check(nameof(DepthMaps), """
        using DirDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Examples.Depth;

        public sealed record Scene([property: Image(64, Padding = 4)] string Photo, [property: DepthMap(32, 32, Scale = 0.001, Max = 10, MissingValue = 0)] string Depth);
        public sealed record Rendered([property: Image(16, Color = ImageColor.Gray, Augment = false)] float[] Pixels, [property: DepthMap(16, 16)] float[] Depth);

        [DirExperiment(Epochs = 10, LearningRate = 1e-4, WeightDecay = 1e-4)]
        [LabelBins(Min = 0, Max = 10, Count = 100, Rule = BinRule.Truncate)]
        [Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse, Padding = LdsPadding.Reflect, StartBin = 7)]
        [Fds(StartBin = 7, ClampMin = 0.2, ClampMax = 5, Statistics = FdsStatistics.UnaugmentedPass, Order = FdsOrder.Lagged)]
        [Loss(LossKind.Mse)]
        public partial class NyuExperiment
        {
            [Data] public static DirSplits<Scene> Load(DataContext context) => throw new System.NotSupportedException();
            [Encoder(FeatureDim = 8)] public static nn.Module<Tensor, Tensor> Encoder() => nn.Sequential(nn.Conv2d(3, 8, 3, stride: 2, padding: 1), nn.ReLU());
        }

        [DirExperiment]
        [LabelBins(Min = 0, Max = 8, Count = 16)]
        [Lds]
        public partial class RenderedExperiment
        {
            [Data] public static DirSplits<Rendered> Load(DataContext context) => throw new System.NotSupportedException();
            [Encoder(FeatureDim = 4)] public static nn.Module<Tensor, Tensor> Encoder() => nn.Sequential(nn.Conv2d(1, 4, 1), nn.ReLU());
        }
        """);

    [Fact]
    public void ExecutableWithItsOwnMain_GetsNoEntryPoint()
    {
        var source = """
            using DirDsl;
            using TorchSharp;
            using static TorchSharp.torch;
            public sealed record Row([property: Feature] double X, [property: Target] double Y);
            [DirExperiment] [LabelBins(Min = 0, Max = 1, Count = 10)]
            public partial class Mine
            {
                [Data] static DirSplits<Row> Load() => throw new System.NotSupportedException();
                [Encoder(FeatureDim = 4)] static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 4);
                public static void Main() { }
            }
            """;
        var (output, result) = TestCompilation.Generate(TestCompilation.Create(source, OutputKind.ConsoleApplication));
        Assert.DoesNotContain(result.GeneratedTrees, t => t.FilePath.EndsWith("DirDsl.EntryPoint.g.cs", StringComparison.Ordinal));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void EncoderTakingLong_AsTorchSharpsLinearDoes_IsAcceptedAndCompiles()
    {
        var source = new ExperimentSource
        {
            Encoder = "[Encoder(FeatureDim = 4)] public static nn.Module<Tensor, Tensor> Encoder(long inputDim) => nn.Linear(inputDim, 4);",
        }.ToString();
        var (output, result) = TestCompilation.Generate(TestCompilation.Create(source));
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith(".Model.g.cs", StringComparison.Ordinal));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void InvalidExperiment_GetsOnlyAStub_SoTheProgramStillCompiles_WithoutCascadingErrors()
    {
        // An executable with DirDsl.Hosting whose [Data] member reads Configuration.Bins, as the examples do.
        var source = new ExperimentSource
        {
            Extra = "[Lds(Size = 4)]",
            Data = "[Data] public static DirSplits<Row> Load(DataContext context) => BalancedSplit.Create(new Row[0], r => (float)r.Y, Configuration.Bins, 1, 1, 0);",
        }.ToString();
        var (output, result) = TestCompilation.Generate(TestCompilation.Create(source, OutputKind.ConsoleApplication));
        Assert.Equal(new[] { "DirDsl.EntryPoint.g.cs", "Sample.Exp.Stub.g.cs" },
            result.GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)).OrderBy(n => n, StringComparer.Ordinal));
        // No CS5001 (no Main) and no CS0103 (Configuration missing): the analyzer's DIR002 is the only error a build shows.
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var stub = result.GeneratedTrees.Single(t => t.FilePath.EndsWith("Sample.Exp.Stub.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("Exp has configuration errors (DIR002)", stub);
        // A class that is not partial (DIR001) cannot take a stub: a library gets nothing, an executable only its entry in the
        // generated Main, whose Run says what to fix; no CS5001 (no Main) follows DIR001.
        var notPartialSource = new ExperimentSource { Extra = "[Lds(Size = 4)]", Modifiers = "public class" }.ToString();
        var (_, notPartial) = TestCompilation.Generate(TestCompilation.Create(notPartialSource));
        Assert.Empty(notPartial.GeneratedTrees);
        var (program, notPartialProgram) = TestCompilation.Generate(TestCompilation.Create(notPartialSource, OutputKind.ConsoleApplication));
        Assert.Equal(new[] { "DirDsl.EntryPoint.g.cs" }, notPartialProgram.GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)));
        Assert.Empty(program.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains("Exp is not partial (DIR001): declare it partial", notPartialProgram.GeneratedTrees[0].ToString());
    }

    /// <summary>
    /// The record reader --predict uses: by the constructor that names every input (the target defaulted), by an object
    /// initializer when no constructor does, and for a record a row cannot hold (an encoded image) a RecordFromRow that
    /// throws saying why.
    /// </summary>
    [Fact]
    public void RecordReader_ByConstructor_ByInitializer_OrSaysWhyNot()
    {
        string Reader(string record)
        {
            var (output, result) = TestCompilation.Generate(TestCompilation.Create(new ExperimentSource { Record = record }.ToString()));
            Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var training = result.GeneratedTrees.Single(t => t.FilePath.EndsWith(".Training.g.cs", StringComparison.Ordinal)).ToString();
            var line = training.Split('\n').SkipWhile(l => !l.Contains("RecordFromRow(global::DirDsl.CsvRow row)", StringComparison.Ordinal)).Skip(1).First();
            return line.Trim();
        }
        Assert.Equal("new global::Sample.Row(Size: row.Member<double>(\"Size\"), Kind: row.Member<string>(\"Kind\"), Y: default!);",
            Reader("public sealed record Row([property: Feature] double Size, [property: Feature] string Kind, [property: Target] double Y);"));
        Assert.Equal("new global::Sample.Row { Size = row.Member<double?>(\"Size\"), Y = default! };",
            Reader("public sealed class Row { [Feature] public double? Size { get; init; } [Target] public required double Y { get; init; } }"));
        Assert.StartsWith("throw global::DirDsl.PredictionFile.Unreadable<global::Sample.Row>(\"its member 'Picture' is a byte[]",
            Reader("public sealed record Row([property: Image(32)] byte[] Picture, [property: Target] double Y);"));
    }

    /// <summary>
    /// The example a new user reads first: its generated files compile without a warning, none is over 100 lines, and
    /// no call passes a bare number by position (every setting is a named argument, a named constant or an array element).
    /// </summary>
    [Fact]
    public void SyntheticAgeExample_GeneratesSmallNamedCode()
    {
        var path = Path.Combine(DiagnosticTests.RepositoryRoot(), "examples", "SyntheticAge", "SyntheticAgeExperiment.cs");
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(File.ReadAllText(path), TestCompilation.ParseOptions, path: path);
        // The SDK's implicit usings of a console project (ImplicitUsings = enable), which the example relies on.
        var implicitUsings = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(string.Concat(
            new[] { "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Threading", "System.Threading.Tasks" }.Select(n => $"global using {n};\n")),
            TestCompilation.ParseOptions, path: "ImplicitUsings.cs");
        var (output, result) = TestCompilation.Generate(TestCompilation.Create(new[] { tree, implicitUsings }, OutputKind.ConsoleApplication));
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(p => p.ToString())));
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith("SyntheticAgeExperiment.Configuration.g.cs", StringComparison.Ordinal));
        // A bare number right after "(" or ", " and before "," or ")", outside array initializers ({ ... }).
        var positional = new System.Text.RegularExpressions.Regex(@"[(,]\s*-?\d[\d._eE+-]*[dfLm]?\s*[,)]");
        foreach (var generated in result.GeneratedTrees)
        {
            var lines = generated.ToString().Split('\n');
            Assert.True(lines.Length <= 100, $"{Path.GetFileName(generated.FilePath)} has {lines.Length} lines");
            foreach (var line in lines)
            {
                var code = System.Text.RegularExpressions.Regex.Replace(line, @"\{[^{}]*\}", "{}");
                if (code.TrimStart().StartsWith("//", StringComparison.Ordinal)) continue;
                Assert.False(positional.IsMatch(code), $"{Path.GetFileName(generated.FilePath)}: a positional number in: {line.Trim()}");
            }
        }
    }
}
