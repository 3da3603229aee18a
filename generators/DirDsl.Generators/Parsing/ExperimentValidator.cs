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
    public static List<Problem> Validate(ExperimentDraft d)
    {
        var problems = new List<Problem>();
        if (!d.IsPartial) problems.Add(Problem.OnClass(DiagnosticIds.NotPartial, d.ClassName));
        if (d.IsNestedOrGeneric) problems.Add(Problem.OnClass(DiagnosticIds.ClassShape, d.ClassName));

        // Each configuration attribute's own rules live in its file (Configuration/); what follows looks across attributes and members.
        Configuration.ConfigurationAttributes.Check(d, problems);
        if (d.TrainingStepSignatureWrong)
            problems.Add(Problem.OnMember(DiagnosticIds.TrainingStepSignature, ExperimentParser.TrainingStepName, d.ClassName));
        // Each method's own arguments were checked by its reader (Methods/).
        foreach (var unit in d.Units)
            if (unit.RequiresLds is { } requirement && !d.HasLds) problems.Add(Problem.OnArgument(requirement.Id, unit.Attribute, "", requirement.Why));

        if (d.DataMembers.Count == 0) problems.Add(Problem.OnClass(DiagnosticIds.NoData, d.ClassName));
        foreach (var extra in d.DataMembers.Skip(1)) problems.Add(Problem.OnMember(DiagnosticIds.ManyData, extra.Name, extra.Name));
        foreach (var data in d.DataMembers.Take(1))
        {
            if (!data.SignatureOk) problems.Add(Problem.OnMember(DiagnosticIds.DataSignature, data.Name, data.Name));
            else if (data.RecordProblem is not null)
                problems.Add(Problem.OnRecordMember(DiagnosticIds.RecordShape, data.RecordType!, data.RecordProblemMember, data.RecordTypeName!, data.RecordProblem));
            if (data.RecordArgumentProblems is { } argumentProblems) problems.AddRange(argumentProblems);
            if (data.Record is { } record && (record.IsVectorTarget || record.DepthMap is not null))
            {
                // The methods whose runtime unit takes one scalar target (IVariantMethod.Unsupported): caught here, before a run.
                // FDS also calibrates a map pixel by pixel (by each pixel's bin); the others stay scalar-only.
                var scalarOnly = new[] { (d.HasFds && record.DepthMap is null, Configuration.FdsSettings.Attribute) }.Concat(d.Units.Select(unit => (unit.ScalarTargetOnly, unit.Attribute)));
                string elements = record.DepthMap is { } map ? $"{record.Target}, a {map.Height} x {map.Width} map"
                    : record.TargetLength > 0 ? $"{record.Target}, {record.TargetLength} elements" : string.Join(", ", record.Targets);
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

    /// <summary>An LDS or FDS kernel (<paramref name="label"/>): an odd size of at least 3 and a positive finite sigma.</summary>
    internal static void CheckKernel(List<Problem> problems, string attribute, string label, int size, double sigma)
    {
        if (!DslRules.IsValidKernelSize(size)) problems.Add(Problem.OnArgument(DiagnosticIds.KernelSize, attribute, "Size", label, Text(size)));
        if (!DslRules.IsValidSigma(sigma)) problems.Add(Problem.OnArgument(DiagnosticIds.KernelSigma, attribute, "Sigma", label, Text(sigma)));
    }

    /// <summary>An LDS or FDS StartBin (<paramref name="label"/>): a bin of [LabelBins] (when the bins are valid).</summary>
    internal static void CheckStartBin(List<Problem> problems, string attribute, string label, ExperimentDraft d, int startBin)
    {
        if (d.HasBins && d.BinCount >= 1 && !DslRules.IsValidStartBin(startBin, d.BinCount))
            problems.Add(Problem.OnArgument(DiagnosticIds.StartBin, attribute, "StartBin", label, Text(d.BinCount - 1), Text(startBin)));
        else if (startBin < 0)
            problems.Add(Problem.OnArgument(DiagnosticIds.StartBin, attribute, "StartBin", label, "Count - 1", Text(startBin)));
    }

    internal static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
