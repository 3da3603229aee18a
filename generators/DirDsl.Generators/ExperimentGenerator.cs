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
        var experiments = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeNames.Experiment,
                static (node, _) => node is ClassDeclarationSyntax,
                static (syntax, token) => ExperimentParser.Parse((INamedTypeSymbol)syntax.TargetSymbol, token).Model)
            .WithTrackingName(TrackingNames.Experiments)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.ValidExperiments);

        context.RegisterSourceOutput(experiments, static (output, model) =>
        {
            output.AddSource($"{model.HintPrefix}.Configuration.g.cs", ConfigurationEmitter.Emit(model));
            output.AddSource($"{model.HintPrefix}.FeatureMap.g.cs", FeatureMapEmitter.Emit(model));
            output.AddSource($"{model.HintPrefix}.Model.g.cs", ModelEmitter.Emit(model));
            output.AddSource($"{model.HintPrefix}.Training.g.cs", TrainingEmitter.Emit(model));
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
            .Combine(isExecutable.Combine(userEntryPoint).Combine(references))
            .Select(static (pair, _) => (Experiments: pair.Left,
                Emit: pair.Right.Left.Left && !pair.Right.Left.Right && pair.Right.Right.Hosting && pair.Left.Count > 0, Figures: pair.Right.Right.Figures))
            .WithTrackingName(TrackingNames.EntryPoint);
        context.RegisterSourceOutput(entryPoint, static (output, plan) =>
        {
            if (plan.Emit) output.AddSource("DirDsl.EntryPoint.g.cs", EntryPointEmitter.Emit(plan.Experiments, plan.Figures));
        });
    }
}
