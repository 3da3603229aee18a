using System.Collections.Immutable;
using DirDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace DirDsl.Generators.Tests;

/// <summary>
/// The generator and the analyzer never throw on malformed or half-typed code: 500 seeded variants
/// of a valid experiment with random attribute arguments, missing members, duplicated or dropped
/// lines and truncation mid-token, each run through both, with no generator exception and no AD0001.
/// </summary>
public sealed class RobustnessTests
{
    private static readonly string[] Values =
    {
        "0", "-1", "1", "3", "4", "2.5", "-0.5", "1e308", "double.NaN", "double.PositiveInfinity", "\"text\"", "null",
        "true", "Kernel.Laplace", "(Kernel)42", "Reweight.None", "LossKind.FocalMse", "new[] { 1, 2 }", "new[] { -1 }",
        "typeof(int)", "int.MaxValue", "", "Size", "1 +", "nameof(Exp)", "new int[0]", "(Reweight)7", "ScheduleKind.Cosine",
    };

    private static readonly string[] Arguments =
    {
        "Epochs", "BatchSize", "LearningRate", "Seed", "WeightDecay", "TargetScale", "Patience", "Size", "Sigma", "Reweight",
        "Momentum", "StartEpoch", "StartSmooth", "ClampMin", "ClampMax", "Min", "Max", "Count", "Integer", "Beta", "Gamma",
        "Many", "Medium", "Few", "ManyAbove", "Milestones", "FeatureDim", "Unknown",
    };

    private static readonly string[] Attributes =
    {
        "Lds", "Lds(Kernel.Triangular", "Fds", "Loss(LossKind.Huber", "Loss(", "ShotGroups", "LrSchedule(ScheduleKind.MultiStep",
        "Ablation", "LabelBins", "DirExperiment", "Data", "Encoder", "Regressor",
    };

    [Fact]
    public async Task FiveHundredMalformedVariants_NeverThrow()
    {
        var random = new Random(20211);
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new ExperimentAnalyzer());
        int generatedSomething = 0, reportedSomething = 0;
        for (int i = 0; i < 500; i++)
        {
            var source = Mutate(random);
            var compilation = TestCompilation.Create(source, i % 7 == 0 ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary);
            var result = TestCompilation.Driver(trackSteps: false).RunGenerators(compilation).GetRunResult();
            Assert.True(result.Results.All(r => r.Exception is null), $"variant {i} threw in the generator:\n{result.Results[0].Exception}\n{source}");
            if (result.GeneratedTrees.Length > 0) generatedSomething++;

            var diagnostics = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
            Assert.False(diagnostics.Any(d => d.Id == "AD0001"), $"variant {i} crashed the analyzer:\n{string.Join("\n", diagnostics)}\n{source}");
            if (diagnostics.Any(d => d.Id.StartsWith("DIR", StringComparison.Ordinal))) reportedSomething++;
        }
        // The mutations must exercise both paths, or this test proves little.
        Assert.InRange(generatedSomething, 20, 480);
        Assert.InRange(reportedSomething, 20, 500);
    }

    private static string Mutate(Random random)
    {
        var source = new ExperimentSource
        {
            Extra = "[Lds(Kernel.Gaussian, Size = 5, Sigma = 2)] [Fds(Momentum = 0.9)] [Loss(LossKind.Mse)] [Ablation]",
            Members = "[Regressor] public static nn.Module<Tensor, Tensor> Head(int featureDim) => nn.Linear(featureDim, 1);",
        }.ToString();
        var lines = source.Split('\n').ToList();
        int edits = 1 + random.Next(3);
        for (int e = 0; e < edits; e++)
        {
            switch (random.Next(6))
            {
                case 0: // a random argument with a random value on a random attribute line
                case 1:
                    int line = random.Next(lines.Count);
                    var argument = $"{Arguments[random.Next(Arguments.Length)]} = {Values[random.Next(Values.Length)]}";
                    lines[line] = lines[line].Replace(")]", $", {argument})]");
                    break;
                case 2: // drop a line (members, attributes, braces)
                    lines.RemoveAt(random.Next(lines.Count));
                    break;
                case 3: // duplicate a line
                    int copy = random.Next(lines.Count);
                    lines.Insert(copy, lines[copy]);
                    break;
                case 4: // a random attribute
                    lines.Insert(random.Next(lines.Count), $"[{Attributes[random.Next(Attributes.Length)]}({Arguments[random.Next(Arguments.Length)]} = {Values[random.Next(Values.Length)]})]");
                    break;
                default: // truncate mid-token
                    var text = string.Join('\n', lines);
                    text = text.Substring(0, random.Next(text.Length / 2, text.Length));
                    lines = text.Split('\n').ToList();
                    break;
            }
        }
        return string.Join('\n', lines);
    }
}
