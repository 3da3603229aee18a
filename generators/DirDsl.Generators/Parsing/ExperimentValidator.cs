using DirDsl.Generators.Diagnostics;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DirDsl.Generators.Parsing;

/// <summary>
/// The one set of configuration rules, shared by the generator (which emits nothing when an
/// error is found) and the analyzer (which reports each problem at its argument or member).
/// Pure: plain draft in, plain problems out.
/// </summary>
internal static class ExperimentValidator
{
    private const string Experiment = "DirExperiment";
    private const string Bins = "LabelBins";
    private const string Lds = "Lds";
    private const string Fds = "Fds";
    private const string Loss = "Loss";
    private const string Shots = "ShotGroups";
    private const string Schedule = "LrSchedule";

    public static List<Problem> Validate(ExperimentDraft d)
    {
        var problems = new List<Problem>();
        if (!d.IsPartial) problems.Add(Problem.OnClass(DiagnosticIds.NotPartial, d.ClassName));
        if (d.IsNestedOrGeneric) problems.Add(Problem.OnClass(DiagnosticIds.ClassShape, d.ClassName));

        if (d.Epochs < 1) problems.Add(Problem.OnArgument(DiagnosticIds.Epochs, Experiment, "Epochs", Text(d.Epochs)));
        if (d.BatchSize < 1) problems.Add(Problem.OnArgument(DiagnosticIds.BatchSize, Experiment, "BatchSize", Text(d.BatchSize)));
        if (!(d.LearningRate > 0) || double.IsInfinity(d.LearningRate)) problems.Add(Problem.OnArgument(DiagnosticIds.LearningRate, Experiment, "LearningRate", Text(d.LearningRate)));
        if (!(d.WeightDecay >= 0)) problems.Add(Problem.OnArgument(DiagnosticIds.NonNegative, Experiment, "WeightDecay", "WeightDecay", "0 or more", Text(d.WeightDecay)));
        if (!(d.GradientClipNorm >= 0)) problems.Add(Problem.OnArgument(DiagnosticIds.NonNegative, Experiment, "GradientClipNorm", "GradientClipNorm", "0 or more", Text(d.GradientClipNorm)));
        if (d.Patience < 0) problems.Add(Problem.OnArgument(DiagnosticIds.NonNegative, Experiment, "Patience", "Patience", "0 or more", Text(d.Patience)));
        if (!(d.TargetScale > 0) || double.IsInfinity(d.TargetScale)) problems.Add(Problem.OnArgument(DiagnosticIds.NonNegative, Experiment, "TargetScale", "TargetScale", "a finite number greater than 0", Text(d.TargetScale)));

        if (!d.HasBins) problems.Add(Problem.OnClass(DiagnosticIds.NoBins, d.ClassName));
        else
        {
            if (d.BinCount < 1) problems.Add(Problem.OnArgument(DiagnosticIds.BinsCount, Bins, "Count", Text(d.BinCount)));
            if (!(d.BinMax > d.BinMin) || double.IsInfinity(d.BinMax) || double.IsInfinity(d.BinMin))
                problems.Add(Problem.OnArgument(DiagnosticIds.BinsRange, Bins, "Max", Text(d.BinMax), Text(d.BinMin)));
            else if (d.IntegerBins && d.BinCount >= 1 && (d.BinMin != System.Math.Floor(d.BinMin) || d.BinMax != d.BinMin + d.BinCount))
                problems.Add(Problem.OnArgument(DiagnosticIds.IntegerBins, Bins, "Integer", Text(d.BinMin), Text(d.BinMax), Text(d.BinCount)));
        }

        if (d.HasLds)
        {
            CheckKernel(problems, Lds, d.LdsSize, d.LdsSigma);
            if (d.LdsReweight.Value == Reweight.None) problems.Add(Problem.OnArgument(DiagnosticIds.LdsWithoutReweight, Lds, "Reweight"));
            if (!DslRules.IsValidCountClip(d.LdsClipMin, d.LdsClipMax))
                problems.Add(Problem.OnArgument(DiagnosticIds.CountClip, Lds, "ClipMin", Text(d.LdsClipMin), Text(d.LdsClipMax)));
            if (d.HasBins && d.BinCount >= 1 && d.LdsSize > d.BinCount)
                problems.Add(Problem.OnArgument(DiagnosticIds.LdsKernelWide, Lds, "Size", Text(d.LdsSize), Text(d.BinCount)));
        }

        if (d.HasFds)
        {
            CheckKernel(problems, Fds, d.FdsSize, d.FdsSigma);
            if (!DslRules.IsValidMomentum(d.Momentum)) problems.Add(Problem.OnArgument(DiagnosticIds.Momentum, Fds, "Momentum", Text(d.Momentum)));
            if (d.StartEpoch < 0) problems.Add(Problem.OnArgument(DiagnosticIds.StartEpoch, Fds, "StartEpoch", Text(d.StartEpoch)));
            if (!DslRules.IsValidStartSmooth(d.StartEpoch, d.StartSmooth)) problems.Add(Problem.OnArgument(DiagnosticIds.StartSmooth, Fds, "StartSmooth", Text(d.StartSmooth), Text(d.StartEpoch)));
            else if (d.Epochs >= 1 && d.StartSmooth >= d.Epochs) problems.Add(Problem.OnArgument(DiagnosticIds.SmoothAfterTraining, Fds, "StartSmooth", Text(d.StartSmooth), Text(d.Epochs)));
            if (!DslRules.IsValidClamp(d.ClampMin, d.ClampMax))
                problems.Add(Problem.OnArgument(DiagnosticIds.Clamp, Fds, d.ClampMin.IsExplicit || !d.ClampMax.IsExplicit ? "ClampMin" : "ClampMax", Text(d.ClampMin), Text(d.ClampMax)));
            if (d.HasBins && d.BinCount >= 1 && d.FdsSize >= 3 && !DslRules.HasEnoughBinsForFds(d.BinCount, d.FdsSize))
                problems.Add(Problem.OnArgument(DiagnosticIds.FdsKernelTooWide, Fds, "Size", Text(d.FdsSize), Text(DslRules.FdsPadding(d.FdsSize)), Text(d.BinCount)));
        }

        if (d.LossTypeProblem is { } lossType)
            problems.Add(Problem.OnArgument(DiagnosticIds.LossType, Loss, "type", lossType.Type, lossType.Reason));
        if (d.TrainingStepSignatureWrong)
            problems.Add(Problem.OnMember(DiagnosticIds.TrainingStepSignature, ExperimentParser.TrainingStepName, d.ClassName));

        if (d.LossType is null && d.LossKind is LossKind.Huber or LossKind.FocalL1 or LossKind.FocalMse)
        {
            if (d.LossBeta.IsExplicit && (!(d.LossBeta > 0) || double.IsInfinity(d.LossBeta)))
                problems.Add(Problem.OnArgument(DiagnosticIds.LossParameter, Loss, "Beta", "Beta", Text(d.LossBeta)));
            if (d.LossKind != LossKind.Huber && (!(d.LossGamma > 0) || double.IsInfinity(d.LossGamma)))
                problems.Add(Problem.OnArgument(DiagnosticIds.LossParameter, Loss, "Gamma", "Gamma", Text(d.LossGamma)));
        }

        CheckShotGroups(problems, d);
        if (!DslRules.IsValidShotThresholds(d.ManyAbove, d.FewBelow))
            problems.Add(Problem.OnArgument(DiagnosticIds.ShotThresholds, "ShotGroups", d.FewBelow.IsExplicit || !d.ManyAbove.IsExplicit ? "FewBelow" : "ManyAbove",
                Text(d.FewBelow), Text(d.ManyAbove + 1)));
        // More bins than any data set fills: most are empty and every per-bin method degenerates.
        if (d.HasBins && d.BinCount > MaxSensibleBins)
            problems.Add(Problem.OnArgument(DiagnosticIds.ManyBins, Bins, "Count", Text(d.BinCount), Text(d.BinMin), Text(d.BinMax)));
        CheckIneffectiveSettings(problems, d);

        if (d.HasSchedule && d.ScheduleKind == ScheduleKind.MultiStep)
        {
            if (d.Milestones is null || d.Milestones.Length == 0)
                problems.Add(Problem.OnArgument(DiagnosticIds.Schedule, Schedule, "Milestones", "MultiStep needs at least one milestone epoch"));
            else if (d.Milestones.Any(m => m < 0))
                problems.Add(Problem.OnArgument(DiagnosticIds.Schedule, Schedule, "Milestones", "milestones must be epochs of 0 or more"));
            if (!(d.ScheduleGamma > 0)) problems.Add(Problem.OnArgument(DiagnosticIds.Schedule, Schedule, "Gamma", $"Gamma must be greater than 0, not {Text(d.ScheduleGamma)}"));
        }

        if (d.Ablation && !d.HasLds && !d.HasFds && d.Units.Count == 0) problems.Add(Problem.OnClass(DiagnosticIds.AblationWithoutMethods));
        if (d.Seeds < 1) problems.Add(Problem.OnArgument(DiagnosticIds.Seeds, "Ablation", "Seeds", Text(d.Seeds)));
        // Each method's own arguments were checked by its reader (Methods/); what looks across attributes is here.
        foreach (var unit in d.Units)
            if (unit.RequiresLds is { } requirement && !d.HasLds) problems.Add(Problem.OnArgument(requirement.Id, unit.Attribute, "", requirement.Why));
        if (d.HasSearch) CheckSearch(problems, d);

        if (d.DataMembers.Count == 0) problems.Add(Problem.OnClass(DiagnosticIds.NoData, d.ClassName));
        foreach (var extra in d.DataMembers.Skip(1)) problems.Add(Problem.OnMember(DiagnosticIds.ManyData, extra.Name, extra.Name));
        foreach (var data in d.DataMembers.Take(1))
        {
            if (!data.SignatureOk) problems.Add(Problem.OnMember(DiagnosticIds.DataSignature, data.Name, data.Name));
            else if (data.RecordProblem is not null)
                problems.Add(Problem.OnRecordMember(DiagnosticIds.RecordShape, data.RecordType!, data.RecordProblemMember, data.RecordTypeName!, data.RecordProblem));
            if (data.RecordArgumentProblems is { } argumentProblems) problems.AddRange(argumentProblems);
            if (data.Record is { IsVectorTarget: true } record)
            {
                // The methods whose runtime unit takes one scalar target (IVariantMethod.Unsupported): caught here, before a run.
                var scalarOnly = new[] { (d.HasFds, Fds) }.Concat(d.Units.Select(unit => (unit.ScalarTargetOnly, unit.Attribute)));
                string elements = record.TargetLength > 0 ? $"{record.Target}, {record.TargetLength} elements" : string.Join(", ", record.Targets);
                foreach (var (declared, attribute) in scalarOnly)
                    if (declared) problems.Add(Problem.OnArgument(DiagnosticIds.ScalarTargetMethod, attribute, "", attribute, data.RecordTypeName ?? record.GlobalName, elements));
            }
        }

        if (d.EncoderMembers.Count == 0) problems.Add(Problem.OnClass(DiagnosticIds.NoEncoder, d.ClassName));
        else if (d.FeatureDim < 1)
            problems.Add(Problem.OnMemberArgument(DiagnosticIds.EncoderFeatureDim, d.EncoderMembers[0].Name, "Encoder", "FeatureDim", Text(d.FeatureDim)));
        foreach (var encoder in d.EncoderMembers.Where(e => !e.SignatureOk)) problems.Add(Problem.OnMember(DiagnosticIds.EncoderSignature, encoder.Name, encoder.Name));
        foreach (var encoder in d.EncoderMembers.Skip(1)) problems.Add(Problem.OnMember(DiagnosticIds.EncoderSignature, encoder.Name, encoder.Name));
        foreach (var regressor in d.RegressorMembers.Where(r => !r.SignatureOk)) problems.Add(Problem.OnMember(DiagnosticIds.RegressorSignature, regressor.Name, regressor.Name));
        foreach (var regressor in d.RegressorMembers.Skip(1)) problems.Add(Problem.OnMember(DiagnosticIds.RegressorSignature, regressor.Name, regressor.Name));
        return problems;
    }

    /// <summary>[Search]: every axis non-empty, without repeats, with valid values; something to search; a grid of at most 1000 points.</summary>
    private static void CheckSearch(List<Problem> problems, ExperimentDraft d)
    {
        const string Search = "Search";
        if (!d.HasLds && !d.HasFds)
        {
            problems.Add(Problem.OnArgument(DiagnosticIds.SearchTarget, Search, "", "[Search] varies LDS and FDS settings: add [Lds] or [Fds]"));
            return;
        }
        if (d.SearchMomentums is not null && !d.HasFds)
            problems.Add(Problem.OnArgument(DiagnosticIds.SearchTarget, Search, "Momentums", "Momentums are FDS settings: add [Fds] or remove Momentums"));
        void Axis<T>(string name, T[]? values, System.Func<T, string?> check, System.Func<T, string> text)
        {
            if (values is null) return;
            if (values.Length == 0) { problems.Add(Problem.OnArgument(DiagnosticIds.SearchValue, Search, name, name, "is empty; leave it out to keep the attribute's value")); return; }
            if (values.Distinct().Count() != values.Length) { problems.Add(Problem.OnArgument(DiagnosticIds.SearchValue, Search, name, name, "repeats a value")); return; }
            foreach (var value in values)
            {
                if (check(value) is { } error) { problems.Add(Problem.OnArgument(DiagnosticIds.SearchValue, Search, name, name, $"has {text(value)}: {error}")); return; }
            }
        }
        Axis("Kernels", d.SearchKernels, _ => null, k => k.ToString());
        Axis("Sizes", d.SearchSizes, s => DslRules.IsValidKernelSize(s) ? null : "a size must be odd and at least 3", Text);
        Axis("Sigmas", d.SearchSigmas, s => DslRules.IsValidSigma(s) ? null : "a sigma must be a finite number greater than 0", Text);
        Axis("Momentums", d.SearchMomentums, m => DslRules.IsValidMomentum(m) ? null : "a momentum must lie in [0, 1)", Text);
        Axis("BinCounts", d.SearchBinCounts, b => b >= 1 ? null : "a bin count must be at least 1", Text);
        if (d.HasFds && d.SearchBinCounts is { Length: > 0 } counts)
        {
            // FDS pads the bin axis by half its window on each side (reflect): it needs more bins than that.
            int widest = (d.SearchSizes is { Length: > 0 } sizes ? sizes.Max() : (int)d.FdsSize);
            int fewest = counts.Min();
            if (!DslRules.HasEnoughBinsForFds(fewest, widest))
                problems.Add(Problem.OnArgument(DiagnosticIds.SearchValue, Search, "BinCounts", "BinCounts", $"has {Text(fewest)}: FDS with size {Text(widest)} needs more than {Text(DslRules.FdsPadding(widest))} bins"));
        }
        long points = new[] { d.SearchKernels?.Length, d.SearchSizes?.Length, d.SearchSigmas?.Length, d.SearchMomentums?.Length, d.SearchBinCounts?.Length }
            .Aggregate(1L, (product, n) => product * System.Math.Max(1, n ?? 1));
        if (points > 1000) problems.Add(Problem.OnArgument(DiagnosticIds.SearchValue, Search, "", "the grid", $"has {points} points; keep it to at most 1000"));
    }

    private static void CheckKernel(List<Problem> problems, string attribute, int size, double sigma)
    {
        if (!DslRules.IsValidKernelSize(size)) problems.Add(Problem.OnArgument(DiagnosticIds.KernelSize, attribute, "Size", attribute == Lds ? "LDS" : "FDS", Text(size)));
        if (!DslRules.IsValidSigma(sigma)) problems.Add(Problem.OnArgument(DiagnosticIds.KernelSigma, attribute, "Sigma", attribute == Lds ? "LDS" : "FDS", Text(sigma)));
    }

    /// <summary>More label bins than this draws DIR104: far more than the paper's 100 (ages) or 50 (STS-B scores).</summary>
    public const int MaxSensibleBins = 10_000;

    /// <summary>Legal settings that change nothing in this configuration (DIR105).</summary>
    private static void CheckIneffectiveSettings(List<Problem> problems, ExperimentDraft d)
    {
        if (d.LossType is not null || d.LossTypeProblem is not null)
        {
            foreach (var (argument, explicitly) in new[] { ("Beta", d.LossBeta.IsExplicit), ("Gamma", d.LossGamma.IsExplicit) })
                if (explicitly)
                    problems.Add(Problem.OnArgument(DiagnosticIds.IneffectiveSetting, Loss, argument, argument, "a loss type of your own takes its settings from its own properties"));
        }
        else if (d.LossBeta.IsExplicit && d.LossKind is LossKind.L1 or LossKind.Mse)
            problems.Add(Problem.OnArgument(DiagnosticIds.IneffectiveSetting, Loss, "Beta", "Beta", $"the {d.LossKind} loss has no beta; only Huber and Focal-R use it"));
        if (d.LossType is null && d.LossTypeProblem is null && d.LossGamma.IsExplicit && d.LossKind is not (LossKind.FocalL1 or LossKind.FocalMse))
            problems.Add(Problem.OnArgument(DiagnosticIds.IneffectiveSetting, Loss, "Gamma", "Gamma", $"the {d.LossKind} loss has no gamma; only Focal-R uses it"));
        if (d.Patience > 0 && d.Epochs >= 1 && d.Patience >= d.Epochs)
            problems.Add(Problem.OnArgument(DiagnosticIds.IneffectiveSetting, Experiment, "Patience", "Patience",
                $"Patience ({Text(d.Patience)}) is not below Epochs ({Text(d.Epochs)}), so early stopping can never end training"));
        if (d.HasSchedule && d.ScheduleKind == ScheduleKind.MultiStep && d.Milestones is { Length: > 0 } milestones && d.Epochs >= 1
            && milestones.FirstOrDefault(m => m >= d.Epochs) is var late && milestones.Any(m => m >= d.Epochs))
            problems.Add(Problem.OnArgument(DiagnosticIds.IneffectiveSetting, Schedule, "Milestones", "Milestones",
                $"milestone {Text(late)} is not below Epochs ({Text(d.Epochs)}), so the learning rate never changes there"));
    }

    private static void CheckShotGroups(List<Problem> problems, ExperimentDraft d)
    {
        var lists = new[] { ("Many", d.ShotMany), ("Medium", d.ShotMedium), ("Few", d.ShotFew) };
        if (lists.All(l => l.Item2 is null) || !d.HasBins || d.BinCount < 1) return;
        var owner = new Dictionary<int, string>();
        var outOfRange = new List<int>();
        foreach (var (name, bins) in lists)
        {
            foreach (var bin in bins ?? new int[0])
            {
                if (bin < 0 || bin >= d.BinCount) outOfRange.Add(bin);
                else if (owner.TryGetValue(bin, out var first))
                {
                    problems.Add(Problem.OnArgument(DiagnosticIds.ShotOverlap, Shots, name, Text(bin), first, name));
                    return;
                }
                else owner[bin] = name;
            }
        }
        var missing = Enumerable.Range(0, d.BinCount).Where(b => !owner.ContainsKey(b)).ToList();
        if (outOfRange.Count > 0 || missing.Count > 0)
        {
            var what = outOfRange.Count > 0
                ? $"bins {string.Join(", ", outOfRange)} are outside the label space"
                : $"missing: {string.Join(", ", missing.Take(12))}{(missing.Count > 12 ? ", ..." : "")}";
            var argument = lists.LastOrDefault(l => l.Item2 is not null).Item1;
            problems.Add(Problem.OnArgument(DiagnosticIds.ShotGaps, Shots, argument, Text(d.BinCount - 1), what));
        }
    }

    internal static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
