using System.Linq;
using DirDsl.Generators.Model;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Emitting;

/// <summary>Emits <c>Configuration</c>: the label space, the kernel windows and every setting, as compile-time values.</summary>
internal static class ConfigurationEmitter
{
    public static string Emit(ExperimentModel m) => ExperimentFile.Write(m, w =>
    {
        var t = m.Training;
        w.Line("/// <summary>The experiment's configuration, fixed at compile time from its attributes.</summary>");
        w.Line(GeneratedCodeAttribute);
        w.Open("public static class Configuration");
        w.Line($"/// <summary>Number of label bins.</summary>");
        w.Line($"public const int BinCount = {Literal(m.Bins.Count)};");
        w.Line($"/// <summary>Lower bound of the label space.</summary>");
        w.Line($"public const double BinMin = {Literal(m.Bins.Min)};");
        w.Line($"/// <summary>Upper bound of the label space.</summary>");
        w.Line($"public const double BinMax = {Literal(m.Bins.Max)};");
        w.Line("/// <summary>Training epochs.</summary>");
        w.Line($"public const int Epochs = {Literal(t.Epochs)};");
        w.Line("/// <summary>Mini-batch size.</summary>");
        w.Line($"public const int BatchSize = {Literal(t.BatchSize)};");
        w.Line("/// <summary>Base learning rate.</summary>");
        w.Line($"public const double LearningRate = {Literal(t.LearningRate)};");
        w.Line("/// <summary>L2 weight decay.</summary>");
        w.Line($"public const double WeightDecay = {Literal(t.WeightDecay)};");
        w.Line("/// <summary>Seed of torch, the batch order and every Random of the run.</summary>");
        w.Line($"public const int Seed = {Literal(t.Seed)};");
        w.Line($"/// <summary>Gradient norm clip; 0 is off.</summary>");
        w.Line($"public const double GradientClipNorm = {Literal(t.GradientClipNorm)};");
        w.Line($"/// <summary>Early-stopping patience in epochs; 0 trains every epoch.</summary>");
        w.Line($"public const int Patience = {Literal(t.Patience)};");
        w.Line($"/// <summary>Targets are divided by this inside the loss; predictions are multiplied back.</summary>");
        w.Line($"public const double TargetScale = {Literal(t.TargetScale)};");
        w.Line($"/// <summary>Model selection on validation by MSE (true) or MAE (false).</summary>");
        w.Line($"public const bool SelectByMse = {Literal(t.SelectByMse)};");
        w.Line($"/// <summary>Width of the encoder's output features.</summary>");
        w.Line($"public const int FeatureDim = {Literal(m.Encoder.FeatureDim)};");
        w.Line();
        w.Line("/// <summary>The label space.</summary>");
        w.Line(m.Bins.Integer
            ? $"public static global::DirDsl.LabelBins Bins {{ get; }} = global::DirDsl.LabelBins.Integer(count: BinCount, start: {Literal((int)m.Bins.Min)});"
            : "public static global::DirDsl.LabelBins Bins { get; } = global::DirDsl.LabelBins.Uniform(min: BinMin, max: BinMax, count: BinCount);");
        if (m.Lds is { } lds)
        {
            w.Line();
            w.Line($"/// <summary>LDS window ({lds.Kernel}, size {lds.Size}, sigma {Literal(lds.Sigma)}), max-normalised; computed at compile time by KernelWindow.</summary>");
            w.Line($"public static global::System.Collections.Generic.IReadOnlyList<double> LdsWindow {{ get; }} = new double[] {{ {string.Join(", ", m.Lds.Window.Select(Literal))} }};");
        }
        if (m.Fds is { } f)
        {
            w.Line();
            w.Line($"/// <summary>FDS window ({f.Kernel}, size {f.Size}, sigma {Literal(f.Sigma)}), sum-normalised; computed at compile time by KernelWindow.</summary>");
            w.Line($"public static global::System.Collections.Generic.IReadOnlyList<double> FdsWindow {{ get; }} = new double[] {{ {string.Join(", ", f.Window.Select(Literal))} }};");
        }
        if (m.Fds is { } options)
        {
            w.Line();
            w.Line("/// <summary>The settings of [Fds] (a search point may override kernel, size, sigma and momentum).</summary>");
            w.Line("public static global::DirDsl.FdsOptions Fds { get; } = new(");
            w.Line($"    Momentum: {Literal(options.Momentum)}, Kernel: {ExperimentFile.Enum(options.Kernel)}, Size: {Literal(options.Size)}, Sigma: {Literal(options.Sigma)},");
            w.Line($"    StartEpoch: {Literal(options.StartEpoch)}, ClampMin: {Literal(options.ClampMin)}, ClampMax: {Literal(options.ClampMax)}, StartSmooth: {Literal(options.StartSmooth)})");
            w.Line("{");
            w.Line("    Window = FdsWindow,");
            // Only the choices that differ from the runtime's defaults are named.
            if (options.Statistics != DslDefaults.FdsStatisticsSource) w.Line($"    Statistics = {ExperimentFile.Enum(options.Statistics)},");
            if (options.Order != DslDefaults.FdsOrder) w.Line($"    Order = {ExperimentFile.Enum(options.Order)},");
            if (options.UnseenBins != DslDefaults.FdsUnseenBins) w.Line($"    UnseenBins = {ExperimentFile.Enum(options.UnseenBins)},");
            w.Line("};");
        }
        w.Line();
        w.Line("/// <summary>The training settings the runtime trainer uses.</summary>");
        w.Line("public static global::DirDsl.TrainerSettings Training { get; } = new()");
        w.Line("{");
        w.Line("    Epochs = Epochs,");
        w.Line("    BatchSize = BatchSize,");
        w.Line("    LearningRate = LearningRate,");
        w.Line("    WeightDecay = WeightDecay,");
        w.Line($"    Optimizer = {ExperimentFile.Enum(t.Optimizer)},");
        w.Line("    Seed = Seed,");
        w.Line("    Seeds = Seeds,");
        w.Line("    GradientClipNorm = GradientClipNorm,");
        w.Line("    Patience = Patience,");
        w.Line("    TargetScale = TargetScale,");
        w.Line("    SelectByMse = SelectByMse,");
        w.Line("    Bins = Bins,");
        w.Line($"    Schedule = {ExperimentFile.Enum(m.Schedule.Kind)},");
        if (m.Schedule.Milestones.Count > 0) w.Line($"    Milestones = new[] {{ {string.Join(", ", m.Schedule.Milestones.Select(Literal))} }},");
        w.Line($"    ScheduleGamma = {Literal(m.Schedule.Gamma)},");
        w.Line("};");
        w.Line();
        if (m.Loss.CustomType is { } lossType)
        {
            w.Line("/// <summary>The training loss: your own [Loss(typeof(...))] type, created once.</summary>");
            w.Line($"public static {lossType} Loss {{ get; }} = new();");
        }
        else
        {
            w.Line("/// <summary>The training loss.</summary>");
            w.Line($"public static global::DirDsl.LossOptions Loss {{ get; }} = new(Kind: {ExperimentFile.Enum(m.Loss.Kind)}, Beta: {Literal(m.Loss.Beta)}, Gamma: {Literal(m.Loss.Gamma)}, Activation: {ExperimentFile.Enum(m.Loss.Activation)});");
        }
        w.Line();
        var name = DslRules.VariantName(m.Lds is not null, m.Fds is not null);
        var configured = new System.Collections.Generic.List<string>();
        if (m.Lds is { } declaredLds)
        {
            // A count clip is named only when [Lds] sets it; Reweighting's default is "no clip".
            var clip = (declaredLds.ClipMin >= 0 ? $", ClipMin: {Literal(declaredLds.ClipMin)}" : "") + (declaredLds.ClipMax >= 0 ? $", ClipMax: {Literal(declaredLds.ClipMax)}" : "");
            configured.Add($"new global::DirDsl.Reweighting(Kind: {ExperimentFile.Enum(declaredLds.Reweight)}, Lds: new(Kernel: {ExperimentFile.Enum(declaredLds.Kernel)}, Size: {Literal(declaredLds.Size)}, Sigma: {Literal(declaredLds.Sigma)}) {{ Window = LdsWindow }}{clip})");
        }
        if (m.Fds is not null) configured.Add("new global::DirDsl.FeatureSmoothing(Options: Fds)");
        w.Line("/// <summary>The variant the attributes describe: its name and its methods.</summary>");
        w.Line($"public static global::DirDsl.DirVariant Configured {{ get; }} = new(Name: {Literal(name)}{string.Concat(configured.Select(c => ", " + c))});");
        w.Line();
        // The declared methods beyond LDS and FDS, each its runtime unit, one per line in the order of their rows.
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
        if (m.Search is { } search) EmitSearch(w, m, search);
        w.Line("/// <summary>Seeds per variant ([Ablation(Seeds)]).</summary>");
        w.Line($"public const int Seeds = {Literal(m.Seeds)};");
        w.Line();
        w.Line("/// <summary>Shot groups from the training counts.</summary>");
        w.Line($"public static global::DirDsl.ShotGroups ShotGroupsFor(global::System.Collections.Generic.IReadOnlyList<int> trainCounts) => global::DirDsl.ShotGroups.FromCounts(trainCounts, manyAbove: {Literal(m.ShotGroups.ManyAbove)}, fewBelow: {Literal(m.ShotGroups.FewBelow)});");
        w.Line();
        w.Line("/// <summary>The explicit shot groups of [ShotGroups], or null when none are given.</summary>");
        if (m.ShotGroups.IsExplicit)
        {
            string List(EquatableArray<int>? bins) => bins is null ? "global::System.Array.Empty<int>()" : $"new[] {{ {string.Join(", ", bins.Value.Select(Literal))} }}";
            w.Line("public static global::DirDsl.ShotGroups? ExplicitShotGroupsFor(global::System.Collections.Generic.IReadOnlyList<int> trainCounts) =>");
            w.Line($"    global::DirDsl.ShotGroups.Explicit(trainCounts, many: {List(m.ShotGroups.Many)}, medium: {List(m.ShotGroups.Medium)}, few: {List(m.ShotGroups.Few)});");
        }
        else
        {
            w.Line("public static global::DirDsl.ShotGroups? ExplicitShotGroupsFor(global::System.Collections.Generic.IReadOnlyList<int> trainCounts) => null;");
        }
        w.Close();
    });

    /// <summary>The FDS settings (search points change some of them) and the grid of [Search].</summary>
    private static void EmitSearch(SourceWriter w, ExperimentModel m, SearchModel search)
    {
        string Axis<T>(EquatableArray<T>? values, string type, System.Func<T, string> literal) where T : System.IEquatable<T> =>
            values is null ? "null" : $"new {type}[] {{ {string.Join(", ", values.Value.Select(literal))} }}";
        var kernels = Axis(search.Kernels, "global::DirDsl.Kernel", k => ExperimentFile.Enum((Kernel)k));
        var axes = new[]
        {
            ("Kernels", kernels), ("Sizes", Axis(search.Sizes, "int", Literal)), ("Sigmas", Axis(search.Sigmas, "double", Literal)),
            ("Momentums", Axis(search.Momentums, "double", Literal)), ("BinCounts", Axis(search.BinCounts, "int", Literal)),
        }.Where(axis => axis.Item2 != "null").Select(axis => $"{axis.Item1}: {axis.Item2}");
        var space = $"new global::DirDsl.SearchSpace({string.Join(", ", axes)})";
        w.Line("/// <summary>The hyperparameter-search points of [Search] (run with --search or --variant NAME; the report selects on validation).</summary>");
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<global::DirDsl.DirVariant> SearchVariants {{ get; }} = global::DirDsl.HyperparameterSearch.Grid(Configured, {space}, Bins);");
        w.Line();
    }
}
