using System.Collections.Generic;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Methods;

/// <summary>[DenseWeight(Alpha = ...)]: the rows "DenseWeight" and "DenseWeight+FDS", the runtime's <c>DirDsl.DenseWeighting</c>.</summary>
internal static class DenseWeightMethod
{
    public const string AttributeName = AttributeNames.DenseWeight;

    public static MethodUnitModel Read(ExperimentParser.ArgumentReader args, List<Problem> problems)
    {
        double alpha = args.Named("Alpha", DslDefaults.DenseAlpha);
        if (!DslRules.IsValidDenseAlpha(alpha))
            problems.Add(Problem.OnArgument(DiagnosticIds.DenseAlpha, "DenseWeight", "Alpha", ExperimentValidator.Text(alpha)));
        return new MethodUnitModel("DenseWeight", $"new global::DirDsl.DenseWeighting(Alpha: {Literal(alpha)})");
    }
}
