using System.Collections.Generic;
using DirDsl.Generators.Model;

namespace DirDsl.Generators.Parsing;

/// <summary>Where a problem is reported: the class name, an attribute (argument), or a member.</summary>
internal enum ProblemTarget
{
    Class,
    Attribute,
    Member,
    /// <summary>An argument of an attribute on a member of the class ([Encoder(FeatureDim = ...)]).</summary>
    MemberAttribute,
    /// <summary>A member of the record type (or the record type itself when no member is at fault).</summary>
    RecordMember,
    /// <summary>An argument of an attribute on a member of the record type ([Image(Size = ...)]).</summary>
    RecordMemberAttribute,
}

/// <summary>
/// A configuration problem, as plain data: the diagnostic id, what it points at (attribute and
/// argument name, or member name) and the message arguments. The analyzer turns it into a
/// diagnostic at the real syntax location; the generator only needs to know it exists.
/// An empty id marks an argument the compiler already rejects (not reported again).
/// </summary>
internal sealed record Problem(string Id, ProblemTarget Target, string? Attribute, string? Argument, string? Member,
    EquatableArray<string> Args, string? RecordType = null)
{
    public static Problem OnMemberArgument(string id, string member, string attribute, string argument, params string[] args) =>
        new(id, ProblemTarget.MemberAttribute, attribute, argument, member, args.ToEquatableArray());

    /// <summary>On <paramref name="member"/> of the record type (metadata name <paramref name="recordType"/>), or the type when member is null.</summary>
    public static Problem OnRecordMember(string id, string recordType, string? member, params string[] args) =>
        new(id, ProblemTarget.RecordMember, null, null, member, args.ToEquatableArray(), recordType);

    /// <summary>On an argument of <paramref name="attribute"/> on <paramref name="member"/> of the record type.</summary>
    public static Problem OnRecordMemberArgument(string id, string recordType, string member, string attribute, string argument, params string[] args) =>
        new(id, ProblemTarget.RecordMemberAttribute, attribute, argument, member, args.ToEquatableArray(), recordType);

    public static Problem OnClass(string id, params string[] args) =>
        new(id, ProblemTarget.Class, null, null, null, args.ToEquatableArray());

    public static Problem OnArgument(string id, string attribute, string argument, params string[] args) =>
        new(id, ProblemTarget.Attribute, attribute, argument, null, args.ToEquatableArray());

    public static Problem OnMember(string id, string member, params string[] args) =>
        new(id, ProblemTarget.Member, null, null, member, args.ToEquatableArray());
}

/// <summary>An attribute argument as read: its value and whether the user wrote it.</summary>
internal readonly struct Setting<T>
{
    public Setting(T value, bool isExplicit)
    {
        Value = value;
        IsExplicit = isExplicit;
    }

    public T Value { get; }
    public bool IsExplicit { get; }

    public static implicit operator T(Setting<T> setting) => setting.Value;
}

/// <summary>A member carrying [Data], [Encoder] or [Regressor], with what the parser found about its signature.</summary>
internal sealed record MemberFacts(string Name, bool SignatureOk, bool TakesContext, string? RecordProblem, RecordModel? Record,
    string? RecordType = null, string? RecordTypeName = null, string? RecordProblemMember = null, EquatableArray<Problem>? RecordArgumentProblems = null,
    bool TakesInputDim = false);

/// <summary>Everything read from one experiment class, before validation. Plain values only.</summary>
internal sealed class ExperimentDraft
{
    public string Namespace = "";
    public string ClassName = "";
    public bool IsPartial;
    public bool IsNestedOrGeneric;
    public bool HasUnreadableArgument;
    /// <summary>Problems found while reading arguments (an enum value outside its type), reported with the validator's.</summary>
    public readonly System.Collections.Generic.List<Problem> ReadProblems = new();

    public Setting<int> Epochs, BatchSize, Seed, Patience;
    public Setting<double> LearningRate, WeightDecay, GradientClipNorm, TargetScale;
    public Setting<bool> SelectByMse;
    public OptimizerKind Optimizer;

    public bool HasBins;
    public Setting<double> BinMin, BinMax;
    public Setting<int> BinCount;
    public bool IntegerBins;
    public BinRule BinRule;

    public bool HasLds;
    public Kernel LdsKernel;
    public Setting<int> LdsSize;
    public Setting<double> LdsSigma, LdsClipMin, LdsClipMax;
    public Setting<Reweight> LdsReweight;
    public LdsPadding LdsPadding;
    public Setting<int> LdsStartBin;

    public bool HasFds;
    public Setting<double> Momentum, FdsSigma, ClampMin, ClampMax;
    public Setting<int> StartEpoch, StartSmooth, FdsSize;
    public Kernel FdsKernel;
    public FdsStatistics FdsStatistics;
    public FdsOrder FdsOrder;
    public FdsUnseenBins FdsUnseenBins;
    public Setting<int> FdsStartBin;

    public LossKind LossKind = LossKind.Mse;
    public Setting<double> LossBeta = new(double.NaN, false);
    public Setting<double> LossGamma = new(DslDefaults.FocalGamma, false);
    public FocalActivation LossActivation;
    /// <summary>[Loss(typeof(T))]: T as a global:: name; null for a built-in kind.</summary>
    public string? LossType;
    /// <summary>Why [Loss(typeof(T))] cannot be used (T's name and the reason), or null.</summary>
    public (string Type, string Reason)? LossTypeProblem;

    /// <summary>The methods that are units of their own ([Bsam], ...), in declaration order.</summary>
    public List<MethodUnitModel> Units = new();

    /// <summary>The user declared TrainingStep in the partial class (the generator then emits none).</summary>
    public bool UserTrainingStep;
    /// <summary>The user's TrainingStep has another signature than the one the trainer calls.</summary>
    public bool TrainingStepSignatureWrong;

    public Setting<int> ManyAbove = new(DslDefaults.ManyAbove, false);
    public Setting<int> FewBelow = new(DslDefaults.FewBelow, false);
    public int[]? ShotMany, ShotMedium, ShotFew;

    public bool Ablation;
    public Setting<int> Seeds = new(DslDefaults.Seeds, false);
    public bool Baselines = DslDefaults.Baselines;
    public int? Folds;

    public bool HasSearch;
    public Kernel[]? SearchKernels;
    public int[]? SearchSizes, SearchBinCounts;
    public double[]? SearchSigmas, SearchMomentums, SearchLearningRates, SearchWeightDecays;
    public int[]? SearchEpochs, SearchBatchSizes;

    public bool HasSchedule;
    public ScheduleKind ScheduleKind;
    public int[]? Milestones;
    public Setting<double> ScheduleGamma;

    public List<MemberFacts> DataMembers = new();
    public List<MemberFacts> EncoderMembers = new();
    public List<MemberFacts> RegressorMembers = new();
    public Setting<int> FeatureDim;
}

