using System.Collections.Generic;
using System.Linq;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using static DirDsl.Generators.Emitting.SourceWriter;
using static DirDsl.Generators.Parsing.ExperimentValidator;

namespace DirDsl.Generators.Configuration;

/// <summary>
/// [Loss(kind, Beta, Gamma, Activation)] or [Loss(typeof(MyLoss))]: the training loss, a built-in kind (the runtime's
/// <c>DirDsl.LossOptions</c>) or the user's <c>IRegressionLoss</c>, created once.
/// </summary>
internal static class LossSettings
{
    public const string AttributeName = AttributeNames.Loss;
    private const string Attribute = "Loss";

    public static void Read(ExperimentParser.ArgumentReader args, ExperimentDraft draft)
    {
        if (args.TryOnlyConstructorType(out var type))
        {
            ReadLossType(type, draft);
            return;
        }
        draft.LossKind = args.CtorEnum(0, LossKind.Mse);
        draft.LossBeta = args.Named("Beta", double.NaN);
        draft.LossGamma = args.Named("Gamma", DslDefaults.FocalGamma);
        draft.LossActivation = args.NamedEnum("Activation", DslDefaults.FocalActivation);
    }

    /// <summary>[Loss(typeof(T))]: T must be a concrete class or struct implementing IRegressionLoss with a public parameterless constructor.</summary>
    private static void ReadLossType(ITypeSymbol? type, ExperimentDraft draft)
    {
        if (type is null or { TypeKind: TypeKind.Error })
        {
            draft.HasUnreadableArgument = true;
            return;
        }
        var name = type.ToDisplayString();
        string? reason = null;
        if (!type.AllInterfaces.Any(i => i.ToDisplayString() == AttributeNames.RegressionLoss))
            reason = "it does not implement DirDsl.IRegressionLoss";
        else if (type.IsAbstract || type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
            reason = "it is not a concrete class or struct";
        else if (type is INamedTypeSymbol { IsGenericType: true, IsUnboundGenericType: true })
            reason = "it is an open generic type";
        else if (type.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal)
            || (type.TypeKind == TypeKind.Class && !((INamedTypeSymbol)type).InstanceConstructors.Any(c => c.Parameters.Length == 0
                && c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal)))
            reason = "it has no public parameterless constructor the generated code can call";
        if (reason is not null) draft.LossTypeProblem = (name, reason);
        else draft.LossType = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
    }

    public static void Check(ExperimentDraft d, List<Problem> problems)
    {
        if (d.LossTypeProblem is { } lossType)
            problems.Add(Problem.OnArgument(DiagnosticIds.LossType, Attribute, "type", lossType.Type, lossType.Reason));
        if (d.LossType is null && d.LossKind is LossKind.Huber or LossKind.FocalL1 or LossKind.FocalMse)
        {
            if (d.LossBeta.IsExplicit && (!(d.LossBeta > 0) || double.IsInfinity(d.LossBeta)))
                problems.Add(Problem.OnArgument(DiagnosticIds.LossParameter, Attribute, "Beta", "Beta", Text(d.LossBeta)));
            if (d.LossKind != LossKind.Huber && (!(d.LossGamma > 0) || double.IsInfinity(d.LossGamma)))
                problems.Add(Problem.OnArgument(DiagnosticIds.LossParameter, Attribute, "Gamma", "Gamma", Text(d.LossGamma)));
        }

        // Legal settings that change nothing with this loss (DIR105).
        if (d.LossType is not null || d.LossTypeProblem is not null)
        {
            foreach (var (argument, explicitly) in new[] { ("Beta", d.LossBeta.IsExplicit), ("Gamma", d.LossGamma.IsExplicit) })
                if (explicitly)
                    problems.Add(Problem.OnArgument(DiagnosticIds.IneffectiveSetting, Attribute, argument, argument, "a loss type of your own takes its settings from its own properties"));
            return;
        }
        if (d.LossBeta.IsExplicit && d.LossKind is LossKind.L1 or LossKind.Mse)
            problems.Add(Problem.OnArgument(DiagnosticIds.IneffectiveSetting, Attribute, "Beta", "Beta", $"the {d.LossKind} loss has no beta; only Huber and Focal-R use it"));
        if (d.LossGamma.IsExplicit && d.LossKind is not (LossKind.FocalL1 or LossKind.FocalMse))
            problems.Add(Problem.OnArgument(DiagnosticIds.IneffectiveSetting, Attribute, "Gamma", "Gamma", $"the {d.LossKind} loss has no gamma; only Focal-R uses it"));
    }

    public static LossModel Build(ExperimentDraft d)
    {
        // An unset beta is the kind's own default: Focal-R's beta or Huber's.
        double beta = double.IsNaN(d.LossBeta) ? (d.LossKind is LossKind.FocalL1 or LossKind.FocalMse ? DslDefaults.FocalBeta : DslDefaults.LossBeta) : d.LossBeta;
        return new LossModel(d.LossKind, beta, d.LossGamma, d.LossActivation, d.LossType);
    }

    /// <summary>The training loss as the <c>Loss</c> property of <c>Configuration</c>.</summary>
    public static void Emit(SourceWriter w, LossModel loss)
    {
        if (loss.CustomType is { } lossType)
        {
            w.Line("/// <summary>The training loss: your own [Loss(typeof(...))] type, created once.</summary>");
            w.Line($"public static {lossType} Loss {{ get; }} = new();");
        }
        else
        {
            w.Line("/// <summary>The training loss.</summary>");
            w.Line($"public static global::DirDsl.LossOptions Loss {{ get; }} = new(Kind: {ExperimentFile.Enum(loss.Kind)}, Beta: {Literal(loss.Beta)}, Gamma: {Literal(loss.Gamma)}, Activation: {ExperimentFile.Enum(loss.Activation)});");
        }
    }
}
