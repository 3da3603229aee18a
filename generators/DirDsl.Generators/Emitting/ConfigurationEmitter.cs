using DirDsl.Generators.Configuration;
using DirDsl.Generators.Model;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Emitting;

/// <summary>
/// Emits <c>Configuration</c>: the label space, the kernel windows and every setting, as compile-time values. Each
/// attribute's part is written by its own file (Configuration/, Methods/); this one puts the parts in order.
/// </summary>
internal static class ConfigurationEmitter
{
    public static string Emit(ExperimentModel m) => ExperimentFile.Write(m, w =>
    {
        w.Line("/// <summary>The experiment's configuration, fixed at compile time from its attributes.</summary>");
        w.Line(GeneratedCodeAttribute);
        w.Open("public static class Configuration");
        LabelBinsSettings.EmitConstants(w, m.Bins);
        ExperimentSettings.EmitConstants(w, m.Training);
        w.Line($"/// <summary>Width of the encoder's output features.</summary>");
        w.Line($"public const int FeatureDim = {Literal(m.Encoder.FeatureDim)};");
        w.Line();
        LabelBinsSettings.EmitBins(w, m.Bins);
        if (m.Lds is { } lds) LdsSettings.EmitWindow(w, lds);
        if (m.Fds is { } fds) FdsSettings.Emit(w, fds);
        w.Line();
        w.Line("/// <summary>The training settings the runtime trainer uses.</summary>");
        w.Line("public static global::DirDsl.TrainerSettings Training { get; } = new()");
        w.Line("{");
        ExperimentSettings.EmitTrainerSettings(w, m.Training);
        w.Line("    Bins = Bins,");
        if (m.Baselines) w.Line("    Baselines = true,  // [Ablation]: the rows Mean and Linear");
        CrossValidationSettings.EmitTrainerSettings(w, m.Folds);
        ScheduleSettings.EmitTrainerSettings(w, m.Schedule);
        w.Line("};");
        w.Line();
        LossSettings.Emit(w, m.Loss);
        w.Line();
        var name = DslRules.VariantName(m.Lds is not null, m.Fds is not null);
        var configured = (m.Lds is { } declaredLds ? ", " + LdsSettings.Initializer(declaredLds) : "") + (m.Fds is not null ? ", " + FdsSettings.Initializer : "");
        w.Line("/// <summary>The variant the attributes describe: its name and its methods.</summary>");
        w.Line($"public static global::DirDsl.DirVariant Configured {{ get; }} = new(Name: {Literal(name)}{configured});");
        w.Line();
        AblationSettings.EmitVariants(w, m);
        if (m.Search is { } search) SearchSettings.Emit(w, search);
        AblationSettings.EmitSeeds(w, m);
        w.Line();
        ShotGroupsSettings.Emit(w, m.ShotGroups);
        w.Close();
    });
}
