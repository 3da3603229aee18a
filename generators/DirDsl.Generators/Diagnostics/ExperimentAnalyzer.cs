using System.Collections.Immutable;
using System.Linq;
using DirDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DirDsl.Generators.Diagnostics;

/// <summary>
/// Reports the DIRnnn problems of every [DirExperiment] class at their real locations: the
/// attribute argument that is wrong (so the error lands on it and #pragma works), else the
/// attribute, the member, or the class name. Uses the same parser and validator as the generator.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ExperimentAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeNames.Experiment)) return;
        var result = ExperimentParser.Parse(type, context.CancellationToken);
        foreach (var problem in result.Problems)
        {
            if (problem.Id.Length == 0) continue;
            var descriptor = DiagnosticDescriptors.ById(problem.Id);
            context.ReportDiagnostic(Diagnostic.Create(descriptor, Locate(type, problem, context), problem.Args.ToArray<object>()));
        }
        // The generated Main comes with DirDsl.Hosting: an executable with neither would otherwise fail with CS5001 alone.
        var compilation = context.Compilation;
        if (compilation.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication
            && !compilation.ReferencedAssemblyNames.Any(a => a.Name == AttributeNames.HostingAssembly)
            && compilation.GetEntryPoint(context.CancellationToken) is null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NoEntryPoint, type.Locations.FirstOrDefault() ?? Location.None, type.Name));
        }
        // An entry point of the program's own (a console template's Program.cs) takes the place of the generated one: when
        // no code of the program outside the experiment's own declaration names it (nor DirDsl's command line or trainer),
        // the experiment cannot run, and the build would pass silently ("Hello, World!").
        if (compilation.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication
            && compilation.GetEntryPoint(context.CancellationToken) is { } entry
            && entry.Locations.FirstOrDefault(l => l.IsInSource) is { SourceTree: { } tree } at
            && !IsGenerated(tree)
            && !NamedOutsideItself(type, compilation, context.CancellationToken))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.EntryPointIgnoresExperiment, at, type.Name,
                tree.FilePath.Length == 0 ? "the program's own entry point" : System.IO.Path.GetFileName(tree.FilePath)));
        }
    }

    private static bool IsGenerated(SyntaxTree tree) => tree.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal);

    /// <summary>Whether code of the program other than the experiment's declaration names it, or DirDsl's command line or trainer.</summary>
    private static bool NamedOutsideItself(INamedTypeSymbol type, Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        var declarations = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).ToList();
        return compilation.SyntaxTrees.Where(t => !IsGenerated(t)).Any(tree => tree.GetRoot(cancellationToken).DescendantNodes().OfType<IdentifierNameSyntax>()
            .Any(name => (name.Identifier.ValueText == type.Name || name.Identifier.ValueText is "DirCommandLine" or "DirTrainer")
                && !declarations.Any(d => d.SyntaxTree == name.SyntaxTree && d.Span.Contains(name.Span))));
    }

    private static Location Locate(INamedTypeSymbol type, Problem problem, SymbolAnalysisContext context)
    {
        var classLocation = type.Locations.FirstOrDefault() ?? Location.None;
        switch (problem.Target)
        {
            case ProblemTarget.Member:
                return type.GetMembers(problem.Member!).SelectMany(m => m.Locations).FirstOrDefault() ?? classLocation;
            case ProblemTarget.MemberAttribute:
            {
                var member = type.GetMembers(problem.Member!).FirstOrDefault();
                if (member is null) return classLocation;
                var memberAttribute = member.GetAttributes().FirstOrDefault(a =>
                    a.AttributeClass is { } c && AttributeNames.ShortName(c.ToDisplayString()) == problem.Attribute);
                if (memberAttribute?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) is not AttributeSyntax memberSyntax)
                    return member.Locations.FirstOrDefault() ?? classLocation;
                return ArgumentLocation(memberSyntax, memberAttribute, problem.Argument) ?? memberSyntax.GetLocation();
            }
            case ProblemTarget.RecordMember:
            {
                // The record type is often in the same project: point at the member at fault, else at the record.
                var record = context.Compilation.GetTypeByMetadataName(problem.RecordType!);
                var at = problem.Member is { } name
                    ? record?.GetMembers(name).SelectMany(m => m.Locations).FirstOrDefault(l => l.IsInSource)
                    : record?.Locations.FirstOrDefault(l => l.IsInSource);
                return at ?? classLocation;
            }
            case ProblemTarget.RecordMemberAttribute:
            {
                // [Image(Size = 0)] on a record member: the argument, else the attribute, else the member.
                var member = context.Compilation.GetTypeByMetadataName(problem.RecordType!)?.GetMembers(problem.Member!).FirstOrDefault();
                if (member is null) return classLocation;
                var memberAttribute = member.GetAttributes().FirstOrDefault(a =>
                    a.AttributeClass is { } c && AttributeNames.ShortName(c.ToDisplayString()) == problem.Attribute);
                if (memberAttribute?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) is not AttributeSyntax memberSyntax)
                    return member.Locations.FirstOrDefault(l => l.IsInSource) ?? classLocation;
                return ArgumentLocation(memberSyntax, memberAttribute, problem.Argument) ?? memberSyntax.GetLocation();
            }
            case ProblemTarget.Attribute:
                var attribute = type.GetAttributes().FirstOrDefault(a =>
                    a.AttributeClass is { } c && AttributeNames.ShortName(c.ToDisplayString()) == problem.Attribute);
                if (attribute?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) is not AttributeSyntax syntax)
                    return classLocation;
                return ArgumentLocation(syntax, attribute, problem.Argument) ?? syntax.GetLocation();
            default:
                return classLocation;
        }
    }

    /// <summary>The expression of the named argument, or of the positional argument bound to that constructor parameter.</summary>
    private static Location? ArgumentLocation(AttributeSyntax syntax, AttributeData attribute, string? argument)
    {
        if (string.IsNullOrEmpty(argument) || syntax.ArgumentList is null) return null;
        var arguments = syntax.ArgumentList.Arguments;
        var named = arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == argument);
        if (named is not null) return named.Expression.GetLocation();
        var parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        for (int i = 0; i < parameters.Length && i < arguments.Count; i++)
        {
            if (arguments[i].NameEquals is null && string.Equals(parameters[i].Name, argument, System.StringComparison.OrdinalIgnoreCase))
                return arguments[i].Expression.GetLocation();
        }
        return null;
    }
}
