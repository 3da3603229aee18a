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
/// [Fds(Momentum, StartEpoch, StartSmooth, Kernel, Size, Sigma, ClampMin, ClampMax, Statistics, Order, UnseenBins)]:
/// feature distribution smoothing, the runtime's <c>DirDsl.FeatureSmoothing</c> with its window computed here.
/// </summary>
internal static class FdsSettings
{
    public const string AttributeName = AttributeNames.Fds;
    public const string Attribute = "Fds";

    /// <summary>The configured variant's FDS method, over the emitted <c>Fds</c> settings.</summary>
    public const string Initializer = "new global::DirDsl.FeatureSmoothing(Options: Fds)";

    public static void Read(ExperimentParser.ArgumentReader args, ExperimentDraft draft)
    {
        draft.HasFds = true;
        draft.Momentum = args.Named("Momentum", DslDefaults.Momentum);
        draft.StartEpoch = args.Named("StartEpoch", DslDefaults.StartEpoch);
        draft.StartSmooth = args.Named("StartSmooth", DslDefaults.StartSmooth);
        draft.FdsKernel = args.NamedEnum("Kernel", DslDefaults.FdsKernel);
        draft.FdsStatistics = args.NamedEnum("Statistics", DslDefaults.FdsStatisticsSource);
        draft.FdsOrder = args.NamedEnum("Order", DslDefaults.FdsOrder);
        draft.FdsUnseenBins = args.NamedEnum("UnseenBins", DslDefaults.FdsUnseenBins);
        draft.FdsSize = args.Named("Size", DslDefaults.KernelSize);
        draft.FdsSigma = args.Named("Sigma", DslDefaults.KernelSigma);
        draft.ClampMin = args.Named("ClampMin", DslDefaults.ClampMin);
        draft.ClampMax = args.Named("ClampMax", DslDefaults.ClampMax);
        draft.FdsStartBin = args.Named("StartBin", DslDefaults.StartBin);
    }

    public static void Check(ExperimentDraft d, List<Problem> problems)
    {
        if (!d.HasFds) return;
        CheckKernel(problems, Attribute, "FDS", d.FdsSize, d.FdsSigma);
        if (!DslRules.IsValidMomentum(d.Momentum)) problems.Add(Problem.OnArgument(DiagnosticIds.Momentum, Attribute, "Momentum", Text(d.Momentum)));
        if (!DslRules.IsValidStartEpoch(d.StartEpoch)) problems.Add(Problem.OnArgument(DiagnosticIds.StartEpoch, Attribute, "StartEpoch", Text(d.StartEpoch)));
        if (!DslRules.IsValidStartSmooth(d.StartEpoch, d.StartSmooth)) problems.Add(Problem.OnArgument(DiagnosticIds.StartSmooth, Attribute, "StartSmooth", Text(d.StartSmooth), Text(d.StartEpoch)));
        else if (d.Epochs >= 1 && d.StartSmooth >= d.Epochs) problems.Add(Problem.OnArgument(DiagnosticIds.SmoothAfterTraining, Attribute, "StartSmooth", Text(d.StartSmooth), Text(d.Epochs)));
        if (!DslRules.IsValidClamp(d.ClampMin, d.ClampMax))
            problems.Add(Problem.OnArgument(DiagnosticIds.Clamp, Attribute, d.ClampMin.IsExplicit || !d.ClampMax.IsExplicit ? "ClampMin" : "ClampMax", Text(d.ClampMin), Text(d.ClampMax)));
        CheckStartBin(problems, Attribute, "FDS", d, d.FdsStartBin);
        if (d.HasBins && d.BinCount >= 1 && d.FdsSize >= 3 && !DslRules.HasEnoughBinsForFds(d.BinCount, d.FdsSize))
            problems.Add(Problem.OnArgument(DiagnosticIds.FdsKernelTooWide, Attribute, "Size", Text(d.FdsSize), Text(DslRules.FdsPadding(d.FdsSize)), Text(d.BinCount)));
    }

    public static FdsModel? Build(ExperimentDraft d) => d.HasFds
        ? new FdsModel(d.Momentum, d.StartEpoch, d.StartSmooth, d.FdsKernel, d.FdsSize, d.FdsSigma, d.ClampMin, d.ClampMax,
            KernelWindow.ForFds(d.FdsKernel, d.FdsSize, d.FdsSigma).ToEquatableArray(), d.FdsStatistics, d.FdsOrder, d.FdsUnseenBins, d.FdsStartBin)
        : null;

    /// <summary>The window as a compile-time table and the settings as the runtime's <c>FdsOptions</c>.</summary>
    public static void Emit(SourceWriter w, FdsModel f)
    {
        w.Line();
        w.Line($"/// <summary>FDS window ({f.Kernel}, size {f.Size}, sigma {Literal(f.Sigma)}), sum-normalised; computed at compile time by KernelWindow.</summary>");
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<double> FdsWindow {{ get; }} = new double[] {{ {string.Join(", ", f.Window.Select(Literal))} }};");
        w.Line();
        w.Line("/// <summary>The settings of [Fds] (a search point may override kernel, size, sigma and momentum).</summary>");
        w.Line("public static global::DirDsl.FdsOptions Fds { get; } = new(");
        w.Line($"    Momentum: {Literal(f.Momentum)}, Kernel: {ExperimentFile.Enum(f.Kernel)}, Size: {Literal(f.Size)}, Sigma: {Literal(f.Sigma)},");
        w.Line($"    StartEpoch: {Literal(f.StartEpoch)}, ClampMin: {Literal(f.ClampMin)}, ClampMax: {Literal(f.ClampMax)}, StartSmooth: {Literal(f.StartSmooth)})");
        w.Line("{");
        w.Line("    Window = FdsWindow,");
        // Only the choices that differ from the runtime's defaults are named.
        if (f.Statistics != DslDefaults.FdsStatisticsSource) w.Line($"    Statistics = {ExperimentFile.Enum(f.Statistics)},");
        if (f.Order != DslDefaults.FdsOrder) w.Line($"    Order = {ExperimentFile.Enum(f.Order)},");
        if (f.UnseenBins != DslDefaults.FdsUnseenBins) w.Line($"    UnseenBins = {ExperimentFile.Enum(f.UnseenBins)},");
        if (f.StartBin != DslDefaults.StartBin) w.Line($"    StartBin = {Literal(f.StartBin)},");
        w.Line("};");
    }
}
