using System.Collections.Generic;
using System.Linq;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;
using static DirDsl.Generators.Parsing.ExperimentValidator;

namespace DirDsl.Generators.Configuration;

/// <summary>
/// [Lds(kernel, Size, Sigma, Reweight, ClipMin, ClipMax)]: label distribution smoothing, the re-weighting of the
/// configured variant (the runtime's <c>DirDsl.Reweighting</c> with its window computed here, at compile time).
/// </summary>
internal static class LdsSettings
{
    public const string AttributeName = AttributeNames.Lds;
    public const string Attribute = "Lds";

    public static void Read(ExperimentParser.ArgumentReader args, ExperimentDraft draft)
    {
        draft.HasLds = true;
        draft.LdsKernel = args.CtorEnum(0, Kernel.Gaussian);
        draft.LdsSize = args.Named("Size", DslDefaults.KernelSize);
        draft.LdsSigma = args.Named("Sigma", DslDefaults.KernelSigma);
        draft.LdsReweight = args.NamedEnumSetting("Reweight", DslDefaults.LdsReweight);
        draft.LdsClipMin = args.Named("ClipMin", DslDefaults.CountClipOff);
        draft.LdsClipMax = args.Named("ClipMax", DslDefaults.CountClipOff);
        draft.LdsPadding = args.NamedEnum("Padding", DslDefaults.LdsPadding);
        draft.LdsStartBin = args.Named("StartBin", DslDefaults.StartBin);
    }

    public static void Check(ExperimentDraft d, List<Problem> problems)
    {
        if (!d.HasLds) return;
        CheckKernel(problems, Attribute, "LDS", d.LdsSize, d.LdsSigma);
        if (d.LdsReweight.Value == Reweight.None) problems.Add(Problem.OnArgument(DiagnosticIds.LdsWithoutReweight, Attribute, "Reweight"));
        if (!DslRules.IsValidCountClip(d.LdsClipMin, d.LdsClipMax))
            problems.Add(Problem.OnArgument(DiagnosticIds.CountClip, Attribute, "ClipMin", Text(d.LdsClipMin), Text(d.LdsClipMax)));
        CheckStartBin(problems, Attribute, "LDS", d, d.LdsStartBin);
        if (d.HasBins && d.BinCount >= 1 && d.LdsSize > d.BinCount)
            problems.Add(Problem.OnArgument(DiagnosticIds.LdsKernelWide, Attribute, "Size", Text(d.LdsSize), Text(d.BinCount)));
    }

    public static LdsModel? Build(ExperimentDraft d) => d.HasLds
        ? new LdsModel(d.LdsKernel, d.LdsSize, d.LdsSigma, d.LdsReweight, d.LdsClipMin, d.LdsClipMax,
            KernelWindow.ForLds(d.LdsKernel, d.LdsSize, d.LdsSigma).ToEquatableArray(), d.LdsPadding, d.LdsStartBin)
        : null;

    /// <summary>The window as a compile-time table.</summary>
    public static void EmitWindow(SourceWriter w, LdsModel lds)
    {
        w.Line();
        w.Line($"/// <summary>LDS window ({lds.Kernel}, size {lds.Size}, sigma {Literal(lds.Sigma)}), max-normalised; computed at compile time by KernelWindow.</summary>");
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<double> LdsWindow {{ get; }} = new double[] {{ {string.Join(", ", lds.Window.Select(Literal))} }};");
    }

    /// <summary>The configured variant's re-weighting method.</summary>
    public static string Initializer(LdsModel lds)
    {
        // A count clip is named only when [Lds] sets it; Reweighting's default is "no clip".
        var clip = (lds.ClipMin >= 0 ? $", ClipMin: {Literal(lds.ClipMin)}" : "") + (lds.ClipMax >= 0 ? $", ClipMax: {Literal(lds.ClipMax)}" : "");
        // The depth code's choices, named only when [Lds] sets them.
        var options = (lds.Padding == DslDefaults.LdsPadding ? "" : $", Padding = {ExperimentFile.Enum(lds.Padding)}")
            + (lds.StartBin == DslDefaults.StartBin ? "" : $", StartBin = {Literal(lds.StartBin)}");
        return $"new global::DirDsl.Reweighting(Kind: {ExperimentFile.Enum(lds.Reweight)}, Lds: new(Kernel: {ExperimentFile.Enum(lds.Kernel)}, Size: {Literal(lds.Size)}, Sigma: {Literal(lds.Sigma)}) {{ Window = LdsWindow{options} }}{clip})";
    }
}
