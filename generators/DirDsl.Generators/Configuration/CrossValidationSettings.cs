using System.Collections.Generic;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;
using static DirDsl.Generators.Parsing.ExperimentValidator;

namespace DirDsl.Generators.Configuration;

/// <summary>[CrossValidation(Folds)]: the run trains once per fold of the pooled records; emitted into <c>TrainerSettings.Folds</c>.</summary>
internal static class CrossValidationSettings
{
    public const string AttributeName = AttributeNames.CrossValidation;
    private const string Attribute = "CrossValidation";

    public static void Read(ExperimentParser.ArgumentReader args, ExperimentDraft draft) =>
        draft.Folds = args.Named("Folds", DslDefaults.Folds).Value;

    public static void Check(ExperimentDraft d, List<Problem> problems)
    {
        if (d.Folds is { } folds && !DslRules.IsValidFolds(folds)) problems.Add(Problem.OnArgument(DiagnosticIds.CrossValidation, Attribute, "Folds", Text(folds)));
    }

    /// <summary>The TrainerSettings line, when the experiment cross-validates.</summary>
    public static void EmitTrainerSettings(SourceWriter w, int folds)
    {
        if (folds > 0) w.Line($"    Folds = {Literal(folds)},  // [CrossValidation]");
    }
}
