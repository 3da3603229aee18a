using System.Collections.Generic;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Methods;

/// <summary>[Smoter(...)]: the row "SMOTER", the runtime's <c>DirDsl.ResamplingMethod</c> with SMOTER's options.</summary>
internal static class SmoterMethod
{
    public const string AttributeName = AttributeNames.Smoter;

    public static MethodUnitModel Read(ExperimentParser.ArgumentReader args, List<Problem> problems) => ResamplingReader.Read(ResamplingKind.Smoter, args, problems);
}

/// <summary>[Smogn(...)]: the row "SMOGN", the runtime's <c>DirDsl.ResamplingMethod</c> with SMOGN's options.</summary>
internal static class SmognMethod
{
    public const string AttributeName = AttributeNames.Smogn;

    public static MethodUnitModel Read(ExperimentParser.ArgumentReader args, List<Problem> problems) => ResamplingReader.Read(ResamplingKind.Smogn, args, problems);
}

/// <summary>The arguments [Smoter] and [Smogn] share (Perturbation only matters to SMOGN) and their rules.</summary>
internal static class ResamplingReader
{
    public static MethodUnitModel Read(ResamplingKind kind, ExperimentParser.ArgumentReader args, List<Problem> problems)
    {
        var attribute = kind == ResamplingKind.Smoter ? "Smoter" : "Smogn";
        int neighbours = args.Named("Neighbours", DslDefaults.Neighbours);
        double threshold = args.Named("Threshold", DslDefaults.RelevanceThreshold);
        double perturbation = args.Named("Perturbation", DslDefaults.Perturbation);
        bool undersample = args.Named("Undersample", DslDefaults.Undersample);
        var relevance = args.NamedEnum("Relevance", DslDefaults.Relevance);
        if (!DslRules.IsValidNeighbours(neighbours))
            problems.Add(Problem.OnArgument(DiagnosticIds.Resampling, attribute, "Neighbours", attribute, "Neighbours must be at least 1, not " + ExperimentValidator.Text(neighbours)));
        if (!DslRules.IsValidRelevanceThreshold(threshold))
            problems.Add(Problem.OnArgument(DiagnosticIds.Resampling, attribute, "Threshold", attribute, "Threshold must lie in (0, 1], not " + ExperimentValidator.Text(threshold)));
        if (kind == ResamplingKind.Smogn && !DslRules.IsValidPerturbation(perturbation))
            problems.Add(Problem.OnArgument(DiagnosticIds.Resampling, attribute, "Perturbation", attribute, "Perturbation must be a finite number greater than 0, not " + ExperimentValidator.Text(perturbation)));
        return new MethodUnitModel(attribute,
            $"new global::DirDsl.ResamplingMethod(Options: new(Kind: {ExperimentFile.Enum(kind)}, Neighbours: {Literal(neighbours)}, Threshold: {Literal(threshold)}, "
            + $"Perturbation: {Literal(perturbation)}, Undersample: {Literal(undersample)}, Relevance: {ExperimentFile.Enum(relevance)}))")
        {
            ScalarTargetOnly = true,
        };
    }
}
