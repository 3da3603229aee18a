using System.Collections.Generic;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Methods;

/// <summary>
/// [BalancedMse(kind, InitNoiseSigma, Components)]: the rows "BMSE-KIND" and "BMSE-KIND+FDS", the runtime's
/// <c>DirDsl.BalancedMseMethod</c>; its loss replaces the configured one in the generated step (<see cref="MethodUnitModel.UsesBalancedMseLoss"/>).
/// </summary>
internal static class BalancedMseMethod
{
    public const string AttributeName = AttributeNames.BalancedMse;

    public static MethodUnitModel Read(ExperimentParser.ArgumentReader args, List<Problem> problems)
    {
        var kind = args.CtorEnum(0, BalancedMseKind.Bmc);
        double sigma = args.Named("InitNoiseSigma", DslDefaults.NoiseSigma);
        int components = args.Named("Components", DslDefaults.MixtureComponents);
        if (!(sigma > 0) || double.IsInfinity(sigma))
            problems.Add(Problem.OnArgument(DiagnosticIds.BalancedMseSetting, "BalancedMse", "InitNoiseSigma", "InitNoiseSigma must be a finite number greater than 0, not " + ExperimentValidator.Text(sigma)));
        if (components < 1)
            problems.Add(Problem.OnArgument(DiagnosticIds.BalancedMseSetting, "BalancedMse", "Components", "Components must be at least 1, not " + ExperimentValidator.Text(components)));
        return new MethodUnitModel("BalancedMse",
            $"new global::DirDsl.BalancedMseMethod(Options: new(Kind: {ExperimentFile.Enum(kind)}, InitNoiseSigma: {Literal(sigma)}, Components: {Literal(components)}))")
        {
            ScalarTargetOnly = true,
            UsesBalancedMseLoss = true,
        };
    }
}
