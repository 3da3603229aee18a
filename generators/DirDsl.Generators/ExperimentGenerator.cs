using System.Linq;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DirDsl.Generators;

/// <summary>
/// Emits the typed training code of every [DirExperiment] class. The pipeline only: parsing is in
/// Parsing/, emitting in Emitting/, diagnostics come from Diagnostics/ExperimentAnalyzer.
/// An experiment with any error gets no generated code (the analyzer says why).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ExperimentGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeNames.Experiment,
                static (node, _) => node is ClassDeclarationSyntax,
                static (syntax, token) => ExperimentParser.Parse((INamedTypeSymbol)syntax.TargetSymbol, token).Output)
            .WithTrackingName(TrackingNames.Experiments);
        var experiments = parsed
            .Where(static output => output.Model is not null)
            .Select(static (output, _) => output.Model!)
            .WithTrackingName(TrackingNames.ValidExperiments);
        // An experiment with errors still gets the declarations the rest of the program uses (Run, Configuration),
        // so the only errors a user sees are the real DIRnnn ones.
        var stubs = parsed
            .Where(static output => output.Stub is not null)
            .Select(static (output, _) => output.Stub!)
            .WithTrackingName(TrackingNames.Stubs);

        context.RegisterSourceOutput(experiments, static (output, model) =>
        {
            output.AddSource($"{model.HintPrefix}.Configuration.g.cs", ConfigurationEmitter.Emit(model));
            output.AddSource($"{model.HintPrefix}.FeatureMap.g.cs", FeatureMapEmitter.Emit(model));
            output.AddSource($"{model.HintPrefix}.Model.g.cs", ModelEmitter.Emit(model));
            output.AddSource($"{model.HintPrefix}.Training.g.cs", TrainingEmitter.Emit(model));
        });
        context.RegisterSourceOutput(stubs, static (output, stub) =>
        {
            if (stub.Extensible) output.AddSource($"{stub.HintPrefix}.Stub.g.cs", StubEmitter.Emit(stub));
        });

        // An executable without its own Main gets one that runs every experiment.
        var userEntryPoint = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is GlobalStatementSyntax || node is MethodDeclarationSyntax { Identifier.ValueText: "Main" },
                static (_, _) => true)
            .Collect()
            .Select(static (found, _) => found.Length > 0);
        var isExecutable = context.CompilationProvider
            .Select(static (compilation, _) => compilation.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication);
        // The entry point needs DirDsl.Hosting (its command line); figures are drawn when the program references
        // DirDsl.Figures (the core package draws none).
        var references = context.CompilationProvider
            .Select(static (compilation, _) => (
                Hosting: compilation.ReferencedAssemblyNames.Any(static assembly => assembly.Name == AttributeNames.HostingAssembly),
                Figures: compilation.ReferencedAssemblyNames.Any(static assembly => assembly.Name == AttributeNames.FiguresAssembly)));
        var entryPoint = experiments.Collect()
            .Select(static (all, _) => all.ToEquatableArray())
            .WithTrackingName(TrackingNames.AllExperiments)
            .Combine(stubs.Collect().Select(static (all, _) => all.ToEquatableArray()))
            .Combine(isExecutable.Combine(userEntryPoint).Combine(references))
            .Select(static (pair, _) => (Experiments: pair.Left.Left, Stubs: pair.Left.Right,
                Emit: pair.Right.Left.Left && !pair.Right.Left.Right && pair.Right.Right.Hosting && pair.Left.Left.Count + pair.Left.Right.Count > 0,
                Figures: pair.Right.Right.Figures))
            .WithTrackingName(TrackingNames.EntryPoint);
        context.RegisterSourceOutput(entryPoint, static (output, plan) =>
        {
            if (plan.Emit) output.AddSource("DirDsl.EntryPoint.g.cs", EntryPointEmitter.Emit(plan.Experiments, plan.Stubs, plan.Figures));
        });
    }
}
