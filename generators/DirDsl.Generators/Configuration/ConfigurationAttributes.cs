using System.Collections.Generic;
using System.Linq;
using DirDsl.Generators.Parsing;

namespace DirDsl.Generators.Configuration;

/// <summary>
/// The attributes that configure an experiment (as <see cref="Methods.MethodUnits"/> lists the methods): each has a file
/// here that reads its arguments into the draft, checks them with <c>DslRules</c> (a DIRnnn on the argument), builds its
/// part of the model and emits its part of <c>Configuration</c>. The parser and the validator only walk these tables.
/// </summary>
internal static class ConfigurationAttributes
{
    /// <summary>Reads one configuration attribute into the draft through the parser's reader (which marks an unreadable argument).</summary>
    public delegate void Reader(ExperimentParser.ArgumentReader args, ExperimentDraft draft);

    /// <summary>Checks what an attribute read (and what it needs of the others), adding its problems.</summary>
    public delegate void Checker(ExperimentDraft draft, List<Problem> problems);

    /// <summary>Each attribute's reader and checker, in the order its problems are reported.</summary>
    private static readonly (string Attribute, Reader Read, Checker Check)[] Ordered =
    {
        (ExperimentSettings.AttributeName, ExperimentSettings.Read, ExperimentSettings.Check),
        (LabelBinsSettings.AttributeName, LabelBinsSettings.Read, LabelBinsSettings.Check),
        (LdsSettings.AttributeName, LdsSettings.Read, LdsSettings.Check),
        (FdsSettings.AttributeName, FdsSettings.Read, FdsSettings.Check),
        (LossSettings.AttributeName, LossSettings.Read, LossSettings.Check),
        (ShotGroupsSettings.AttributeName, ShotGroupsSettings.Read, ShotGroupsSettings.Check),
        (ScheduleSettings.AttributeName, ScheduleSettings.Read, ScheduleSettings.Check),
        (AblationSettings.AttributeName, AblationSettings.Read, AblationSettings.Check),
        (SearchSettings.AttributeName, SearchSettings.Read, SearchSettings.Check),
        (CrossValidationSettings.AttributeName, CrossValidationSettings.Read, CrossValidationSettings.Check),
    };

    /// <summary>The reader of each configuration attribute, by its full name.</summary>
    public static readonly IReadOnlyDictionary<string, Reader> Readers = Ordered.ToDictionary(entry => entry.Attribute, entry => entry.Read);

    /// <summary>Runs every attribute's checks (also of an absent attribute: [LabelBins] is required, shot thresholds have defaults).</summary>
    public static void Check(ExperimentDraft draft, List<Problem> problems)
    {
        foreach (var entry in Ordered) entry.Check(draft, problems);
    }
}
