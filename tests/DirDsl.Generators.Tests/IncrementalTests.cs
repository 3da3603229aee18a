using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace DirDsl.Generators.Tests;

/// <summary>
/// Incrementality: unrelated edits leave every tracked step Cached or Unchanged; a changed Sigma
/// re-runs it. And no step output holds a compiler object (symbol, syntax, location, compilation).
/// </summary>
public sealed class IncrementalTests
{
    private static readonly string[] Steps = { TrackingNames.Experiments, TrackingNames.ValidExperiments, TrackingNames.Stubs, TrackingNames.AllExperiments, TrackingNames.EntryPoint };

    private static string Source(string sigma = "2") => new ExperimentSource { Extra = $"[Lds(Sigma = {sigma})] [Fds]" }.ToString();

    private static GeneratorDriverRunResult RunTwice(CSharpCompilation first, Func<CSharpCompilation, CSharpCompilation> edit)
    {
        var driver = TestCompilation.Driver().RunGenerators(first);
        return driver.RunGenerators(edit(first)).GetRunResult();
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorDriverRunResult result, string step) =>
        result.Results[0].TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static void AssertAllCached(GeneratorDriverRunResult result)
    {
        foreach (var step in Steps)
        {
            // Stubs exist only for experiments with errors; these scenarios have none, so the step records no run.
            if (step == TrackingNames.Stubs && !result.Results[0].TrackedSteps.ContainsKey(step)) continue;
            var reasons = Reasons(result, step);
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
    }

    [Fact]
    public void UnrelatedTypeAdded_EveryStepCached()
    {
        var compilation = TestCompilation.Create(Source());
        AssertAllCached(RunTwice(compilation, c => c.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int X; }", TestCompilation.ParseOptions))));
    }

    [Fact]
    public void UnrelatedMethodEdited_EveryStepCached()
    {
        var before = new ExperimentSource { Extra = "[Lds] [Fds]", Members = "public static int Helper() => 1;" }.ToString();
        var after = before.Replace("Helper() => 1;", "Helper() => 2 + 3;");
        var compilation = TestCompilation.Create(before);
        AssertAllCached(RunTwice(compilation, c => c.ReplaceSyntaxTree(c.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(after, TestCompilation.ParseOptions, path: "Experiment.cs"))));
    }

    [Fact]
    public void BlankLineAboveAttribute_EveryStepCached()
    {
        var source = Source();
        var moved = source.Replace("[DirExperiment(", "\n\n[DirExperiment(");
        var compilation = TestCompilation.Create(source);
        AssertAllCached(RunTwice(compilation, c => c.ReplaceSyntaxTree(c.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(moved, TestCompilation.ParseOptions, path: "Experiment.cs"))));
    }

    [Fact]
    public void ChangedSigma_ModifiesTheModel()
    {
        var compilation = TestCompilation.Create(Source("2"));
        var result = RunTwice(compilation, c => c.ReplaceSyntaxTree(c.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(Source("3"), TestCompilation.ParseOptions, path: "Experiment.cs")));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, TrackingNames.Experiments));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, TrackingNames.ValidExperiments));
    }

    [Fact]
    public void StepOutputs_HoldNoCompilerObjects()
    {
        var result = TestCompilation.Driver().RunGenerators(TestCompilation.Create(new ExperimentSource
        {
            Extra = "[Lds] [Fds] [ShotGroups(ManyAbove = 50)] [LrSchedule(ScheduleKind.MultiStep, Milestones = new[] { 1 })]",
        }.ToString(), OutputKind.ConsoleApplication)).GetRunResult();
        int visited = 0;
        foreach (var step in result.Results[0].TrackedSteps.Where(s => Steps.Contains(s.Key)).SelectMany(s => s.Value))
            foreach (var output in step.Outputs)
                Walk(output.Value, "", ref visited, new HashSet<object>(ReferenceEqualityComparer.Instance));
        Assert.True(visited > 20, $"only {visited} objects walked: the walk is not reaching the model");
    }

    private static void Walk(object? value, string path, ref int visited, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        if (!value.GetType().IsValueType && !seen.Add(value)) return;
        visited++;
        Assert.False(value is ISymbol, $"symbol at {path}");
        Assert.False(value is SyntaxNode, $"syntax node at {path}");
        Assert.False(value is Location, $"location at {path}");
        Assert.False(value is SemanticModel, $"semantic model at {path}");
        Assert.False(value is Compilation, $"compilation at {path}");
        Assert.False(value is AttributeData, $"attribute data at {path}");
        if (value is IEnumerable sequence)
        {
            int i = 0;
            foreach (var item in sequence) Walk(item, $"{path}[{i++}]", ref visited, seen);
            return;
        }
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            Walk(property.GetValue(value), $"{path}.{property.Name}", ref visited, seen);
        }
        foreach (var field in value.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
            Walk(field.GetValue(value), $"{path}.{field.Name}", ref visited, seen);
    }
}
