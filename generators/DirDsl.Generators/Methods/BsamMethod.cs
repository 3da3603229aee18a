using System.Collections.Generic;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Methods;

/// <summary>[Bsam(Rho = ...)]: the row "BSAM", the runtime's <c>DirDsl.Bsam</c>.</summary>
internal static class BsamMethod
{
    public const string AttributeName = "DirDsl.BsamAttribute";

    public static MethodUnitModel Read(ExperimentParser.ArgumentReader args, List<Problem> problems)
    {
        double rho = args.Named("Rho", DslDefaults.BsamRho);
        if (!DslRules.IsValidBsamRho(rho))
            problems.Add(Problem.OnArgument(DiagnosticIds.MethodSetting, "Bsam", "Rho", "Bsam", "Rho", $"a finite number greater than 0, not {ExperimentValidator.Text(rho)}"));
        return new MethodUnitModel("Bsam", $"new global::DirDsl.Bsam {{ Rho = {Literal(rho)} }}");
    }
}
