using System.Collections.Generic;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;
using static DirDsl.Generators.Parsing.ExperimentValidator;

namespace DirDsl.Generators.Configuration;

/// <summary>
/// [DirExperiment(Epochs, BatchSize, LearningRate, WeightDecay, Optimizer, Seed, GradientClipNorm, Patience, TargetScale,
/// SelectByMse)]: the training settings, read, checked, modelled and emitted as the constants of <c>Configuration</c>.
/// </summary>
internal static class ExperimentSettings
{
    public const string AttributeName = AttributeNames.Experiment;
    private const string Attribute = "DirExperiment";

    public static void Read(ExperimentParser.ArgumentReader args, ExperimentDraft draft)
    {
        draft.Epochs = args.Named("Epochs", DslDefaults.Epochs);
        draft.BatchSize = args.Named("BatchSize", DslDefaults.BatchSize);
        draft.LearningRate = args.Named("LearningRate", DslDefaults.LearningRate);
        draft.WeightDecay = args.Named("WeightDecay", DslDefaults.WeightDecay);
        draft.Optimizer = args.NamedEnum("Optimizer", DslDefaults.Optimizer);
        draft.Seed = args.Named("Seed", DslDefaults.Seed);
        draft.GradientClipNorm = args.Named("GradientClipNorm", DslDefaults.GradientClipNorm);
        draft.Patience = args.Named("Patience", DslDefaults.Patience);
        draft.TargetScale = args.Named("TargetScale", DslDefaults.TargetScale);
        draft.SelectByMse = args.Named("SelectByMse", DslDefaults.SelectByMse);
    }

    public static void Check(ExperimentDraft d, List<Problem> problems)
    {
        if (d.Epochs < 1) problems.Add(Problem.OnArgument(DiagnosticIds.Epochs, Attribute, "Epochs", Text(d.Epochs)));
        if (d.BatchSize < 1) problems.Add(Problem.OnArgument(DiagnosticIds.BatchSize, Attribute, "BatchSize", Text(d.BatchSize)));
        if (!DslRules.IsValidLearningRate(d.LearningRate)) problems.Add(Problem.OnArgument(DiagnosticIds.LearningRate, Attribute, "LearningRate", Text(d.LearningRate)));
        if (!DslRules.IsValidWeightDecay(d.WeightDecay)) problems.Add(Problem.OnArgument(DiagnosticIds.NonNegative, Attribute, "WeightDecay", "WeightDecay", "0 or more", Text(d.WeightDecay)));
        if (!(d.GradientClipNorm >= 0)) problems.Add(Problem.OnArgument(DiagnosticIds.NonNegative, Attribute, "GradientClipNorm", "GradientClipNorm", "0 or more", Text(d.GradientClipNorm)));
        if (d.Patience < 0) problems.Add(Problem.OnArgument(DiagnosticIds.NonNegative, Attribute, "Patience", "Patience", "0 or more", Text(d.Patience)));
        if (!(d.TargetScale > 0) || double.IsInfinity(d.TargetScale)) problems.Add(Problem.OnArgument(DiagnosticIds.NonNegative, Attribute, "TargetScale", "TargetScale", "a finite number greater than 0", Text(d.TargetScale)));
        // Legal but ineffective (DIR105): early stopping that can never end training.
        if (d.Patience > 0 && d.Epochs >= 1 && d.Patience >= d.Epochs)
            problems.Add(Problem.OnArgument(DiagnosticIds.IneffectiveSetting, Attribute, "Patience", "Patience",
                $"Patience ({Text(d.Patience)}) is not below Epochs ({Text(d.Epochs)}), so early stopping can never end training"));
    }

    public static TrainingModel Build(ExperimentDraft d) =>
        new(d.Epochs, d.BatchSize, d.LearningRate, d.WeightDecay, d.Optimizer, d.Seed, d.GradientClipNorm, d.Patience, d.TargetScale, d.SelectByMse);

    /// <summary>The settings as named constants of <c>Configuration</c>.</summary>
    public static void EmitConstants(SourceWriter w, TrainingModel t)
    {
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
    }

    /// <summary>The lines of the <c>TrainerSettings</c> initializer this attribute decides.</summary>
    public static void EmitTrainerSettings(SourceWriter w, TrainingModel t)
    {
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
    }
}
