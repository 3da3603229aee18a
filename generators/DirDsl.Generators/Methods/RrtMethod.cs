using System.Collections.Generic;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Methods;

/// <summary>[Rrt(Epochs, LearningRate)]: the row "RRT", the runtime's <c>DirDsl.RrtMethod</c>; its second stage needs [Lds].</summary>
internal static class RrtMethod
{
    public const string AttributeName = AttributeNames.Rrt;

    public static MethodUnitModel Read(ExperimentParser.ArgumentReader args, List<Problem> problems)
    {
        int epochs = args.Named("Epochs", DslDefaults.RrtEpochs);
        double learningRate = args.Named("LearningRate", DslDefaults.LearningRate);
        if (epochs < 1) problems.Add(Problem.OnArgument(DiagnosticIds.Rrt, "Rrt", "Epochs", "Epochs must be at least 1, not " + ExperimentValidator.Text(epochs)));
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            problems.Add(Problem.OnArgument(DiagnosticIds.Rrt, "Rrt", "LearningRate", "LearningRate must be a finite number greater than 0, not " + ExperimentValidator.Text(learningRate)));
        return new MethodUnitModel("Rrt", $"new global::DirDsl.RrtMethod(Epochs: {Literal(epochs)}, LearningRate: {Literal(learningRate)})")
        {
            RequiresLds = (DiagnosticIds.Rrt, "RRT retrains the regressor with the LDS weights: add [Lds]"),
        };
    }
}
