using System.Collections.Generic;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;
using static DirDsl.Generators.Parsing.ExperimentValidator;

namespace DirDsl.Generators.Configuration;

/// <summary>
/// [Ablation(Seeds)]: train Vanilla and each declared method's rows side by side (same seeds, same data) instead of the
/// configured variant alone; emitted as <c>Variants</c> and <c>Seeds</c>.
/// </summary>
internal static class AblationSettings
{
    public const string AttributeName = AttributeNames.Ablation;
    private const string Attribute = "Ablation";

    public static void Read(ExperimentParser.ArgumentReader args, ExperimentDraft draft)
    {
        draft.Ablation = true;
        draft.Seeds = args.Named("Seeds", DslDefaults.Seeds);
        draft.Baselines = args.Named("Baselines", DslDefaults.Baselines).Value;
    }

    public static void Check(ExperimentDraft d, List<Problem> problems)
    {
        if (d.Ablation && !d.HasLds && !d.HasFds && d.Units.Count == 0) problems.Add(Problem.OnClass(DiagnosticIds.AblationWithoutMethods));
        if (d.Seeds < 1) problems.Add(Problem.OnArgument(DiagnosticIds.Seeds, Attribute, "Seeds", Text(d.Seeds)));
    }

    /// <summary>The variants to train: the configured one, the ablation's rows, and the declared methods one per line in the order of their rows.</summary>
    public static void EmitVariants(SourceWriter w, ExperimentModel m)
    {
        bool extras = m.Units.Count > 0;
        w.Line(m.Ablation
            ? "/// <summary>The ablation: Vanilla, re-weighting, LDS, FDS, LDS+FDS (those the configuration allows) and the declared methods, same seed and data.</summary>"
            : extras ? "/// <summary>The variants to train: the configured one and the declared methods.</summary>" : "/// <summary>The variants to train: the configured one.</summary>");
        const string variants = "public static global::System.Collections.Generic.IReadOnlyList<global::DirDsl.DirVariant> Variants { get; } = ";
        if (!m.Ablation && !extras) w.Line(variants + "new[] { Configured };");
        else if (!extras) w.Line(variants + "global::DirDsl.DirVariant.Ablation(Configured);");
        else
        {
            w.Line(variants + $"global::DirDsl.DirVariant.{(m.Ablation ? "Ablation" : "Declared")}(Configured,");
            for (int i = 0; i < m.Units.Count; i++) w.Line("    " + m.Units[i].Initializer + (i == m.Units.Count - 1 ? ");" : ","));
        }
    }

    /// <summary>The seeds per variant.</summary>
    public static void EmitSeeds(SourceWriter w, ExperimentModel m)
    {
        w.Line("/// <summary>Seeds per variant ([Ablation(Seeds)]).</summary>");
        w.Line($"public const int Seeds = {Literal(m.Seeds)};");
    }
}
