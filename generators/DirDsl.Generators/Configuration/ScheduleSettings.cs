using System;
using System.Collections.Generic;
using System.Linq;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;
using static DirDsl.Generators.Parsing.ExperimentValidator;

namespace DirDsl.Generators.Configuration;

/// <summary>[LrSchedule(kind, Milestones, Gamma)]: the learning-rate schedule (constant when the attribute is absent).</summary>
internal static class ScheduleSettings
{
    public const string AttributeName = AttributeNames.LrSchedule;
    private const string Attribute = "LrSchedule";

    public static void Read(ExperimentParser.ArgumentReader args, ExperimentDraft draft)
    {
        draft.HasSchedule = true;
        draft.ScheduleKind = args.CtorEnum(0, ScheduleKind.Constant);
        draft.Milestones = args.NamedArray("Milestones");
        draft.ScheduleGamma = args.Named("Gamma", DslDefaults.ScheduleGamma);
    }

    public static void Check(ExperimentDraft d, List<Problem> problems)
    {
        if (!d.HasSchedule || d.ScheduleKind != ScheduleKind.MultiStep) return;
        if (d.Milestones is null || d.Milestones.Length == 0)
            problems.Add(Problem.OnArgument(DiagnosticIds.Schedule, Attribute, "Milestones", "MultiStep needs at least one milestone epoch"));
        else if (d.Milestones.Any(m => m < 0))
            problems.Add(Problem.OnArgument(DiagnosticIds.Schedule, Attribute, "Milestones", "milestones must be epochs of 0 or more"));
        if (!(d.ScheduleGamma > 0)) problems.Add(Problem.OnArgument(DiagnosticIds.Schedule, Attribute, "Gamma", $"Gamma must be greater than 0, not {Text(d.ScheduleGamma)}"));
        // Legal but ineffective (DIR105): a milestone the training never reaches.
        if (d.Milestones is { Length: > 0 } milestones && d.Epochs >= 1 && milestones.Any(m => m >= d.Epochs))
            problems.Add(Problem.OnArgument(DiagnosticIds.IneffectiveSetting, Attribute, "Milestones", "Milestones",
                $"milestone {Text(milestones.First(m => m >= d.Epochs))} is not below Epochs ({Text(d.Epochs)}), so the learning rate never changes there"));
    }

    public static ScheduleModel Build(ExperimentDraft d) =>
        new(d.HasSchedule ? d.ScheduleKind : ScheduleKind.Constant, (d.Milestones ?? Array.Empty<int>()).ToEquatableArray(),
            d.HasSchedule ? d.ScheduleGamma : DslDefaults.ScheduleGamma);

    /// <summary>The lines of the <c>TrainerSettings</c> initializer this attribute decides.</summary>
    public static void EmitTrainerSettings(SourceWriter w, ScheduleModel schedule)
    {
        w.Line($"    Schedule = {ExperimentFile.Enum(schedule.Kind)},");
        if (schedule.Milestones.Count > 0) w.Line($"    Milestones = new[] {{ {string.Join(", ", schedule.Milestones.Select(Literal))} }},");
        w.Line($"    ScheduleGamma = {Literal(schedule.Gamma)},");
    }
}
