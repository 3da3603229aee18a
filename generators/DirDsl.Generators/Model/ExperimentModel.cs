using System;
using System.Linq;

namespace DirDsl.Generators.Model;

// The generator's model: plain, immutable, value-equatable data. Never a symbol, syntax node,
// location, semantic model or compilation (that would defeat incremental caching).

/// <summary>Everything the emitters need about one [DirExperiment] class.</summary>
internal sealed record ExperimentModel(
    string Namespace,
    string ClassName,
    TrainingModel Training,
    BinsModel Bins,
    LdsModel? Lds,
    FdsModel? Fds,
    LossModel Loss,
    ShotGroupsModel ShotGroups,
    ScheduleModel Schedule,
    bool Ablation,
    int Seeds,
    DataMemberModel Data,
    RecordModel Record,
    EncoderModel Encoder,
    string? RegressorMember,
    SearchModel? Search = null,
    bool UserTrainingStep = false,
    EquatableArray<MethodUnitModel> Units = default)
{
    /// <summary>The ablation's baseline rows Mean and Linear ([Ablation(Baselines)]); false without [Ablation].</summary>
    public bool Baselines { get; init; }

    /// <summary>[CrossValidation(Folds)], or 0 without it.</summary>
    public int Folds { get; init; }

    /// <summary>Namespace-qualified class name, for hint names.</summary>
    public string HintPrefix => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;

    /// <summary>The class as a global:: type name.</summary>
    public string GlobalName => "global::" + HintPrefix;

    /// <summary>Whether a declared method trains with Balanced MSE's loss (the generated step then uses it in those rows).</summary>
    public bool UsesBalancedMseLoss => Units.Any(unit => unit.UsesBalancedMseLoss);
}

internal sealed record TrainingModel(int Epochs, int BatchSize, double LearningRate, double WeightDecay, OptimizerKind Optimizer,
    int Seed, double GradientClipNorm, int Patience, double TargetScale, bool SelectByMse);

internal sealed record BinsModel(double Min, double Max, int Count, bool Integer, BinRule Rule = DslDefaults.BinRule);

internal sealed record LdsModel(Kernel Kernel, int Size, double Sigma, Reweight Reweight, double ClipMin, double ClipMax,
    EquatableArray<double> Window, LdsPadding Padding = DslDefaults.LdsPadding, int StartBin = DslDefaults.StartBin);

internal sealed record FdsModel(double Momentum, int StartEpoch, int StartSmooth, Kernel Kernel, int Size, double Sigma,
    double ClampMin, double ClampMax, EquatableArray<double> Window, FdsStatistics Statistics = DslDefaults.FdsStatisticsSource,
    FdsOrder Order = DslDefaults.FdsOrder, FdsUnseenBins UnseenBins = DslDefaults.FdsUnseenBins, int StartBin = DslDefaults.StartBin);

/// <summary>[Loss]: a built-in kind with its parameters, or the user's loss type (<see cref="CustomType"/>, a global:: name).</summary>
internal sealed record LossModel(LossKind Kind, double Beta, double Gamma, FocalActivation Activation, string? CustomType = null);

internal sealed record ShotGroupsModel(int ManyAbove, int FewBelow, EquatableArray<int>? Many, EquatableArray<int>? Medium, EquatableArray<int>? Few)
{
    public bool IsExplicit => Many is not null || Medium is not null || Few is not null;
}

/// <summary>
/// A method beyond LDS and FDS, a unit of its own: the C# initializer of its runtime IVariantMethod (which names its
/// rows) and what the rules and emitters that look across attributes need to know about it.
/// </summary>
/// <param name="Attribute">The attribute's short name, for diagnostics.</param>
/// <param name="Initializer">The C# expression creating its runtime method.</param>
internal sealed record MethodUnitModel(string Attribute, string Initializer)
{
    /// <summary>The place of its rows in the ablation (<see cref="Methods.MethodUnits.RowOrder"/>).</summary>
    public int Order { get; init; }

    /// <summary>Defined for one scalar target per record only (DIR046 with a vector target).</summary>
    public bool ScalarTargetOnly { get; init; }

    /// <summary>Its rows train with Balanced MSE's loss instead of the configured one.</summary>
    public bool UsesBalancedMseLoss { get; init; }

    /// <summary>The diagnostic and its reason when the method needs [Lds] and the experiment has none; null when it does not need it.</summary>
    public (string Id, string Why)? RequiresLds { get; init; }
}

internal sealed record ScheduleModel(ScheduleKind Kind, EquatableArray<int> Milestones, double Gamma);

internal sealed record DataMemberModel(string Name, bool TakesContext);

internal enum FeatureKind
{
    Number,
    Boolean,
    Category,
    EnumCategory,
    FloatVector,
    DoubleVector,
    NullableNumber,
    NullableBoolean,
}

/// <summary>A [Feature] member: its name, how it is encoded, and what fills a missing value (nullable kinds only).</summary>
internal sealed record FeatureModel(string Name, FeatureKind Kind, Imputation Impute = Imputation.Median);

/// <summary>
/// The record type of the splits: its global:: name, [Feature] members (none with an image), [Target] members and [Image]
/// member. One number member is a scalar target; several number members form a vector target in declaration order; one
/// float[] / double[] member with [Target(Length = N)] is a vector of N (<paramref name="TargetLength"/>; 0 otherwise).
/// A [DepthMap] member (<paramref name="DepthMap"/>) is the target of an image record: <see cref="Targets"/> holds its name alone.
/// </summary>
internal sealed record RecordModel(string GlobalName, EquatableArray<FeatureModel> Features, EquatableArray<string> Targets, ImageModel? Image = null,
    int TargetLength = 0, DepthMapModel? DepthMap = null)
{
    /// <summary>The first (for a scalar, the only) [Target] member.</summary>
    public string Target => Targets[0];

    /// <summary>Whether the target has more than one element (a vector).</summary>
    public bool IsVectorTarget => Targets.Count > 1 || TargetLength > 0;

    /// <summary>How a record is built from a row of a file to predict (--predict).</summary>
    public RecordReaderModel Reader { get; init; } = RecordReaderModel.None("it was not analysed");
}

/// <summary>
/// One value a record reader passes: to constructor parameter or member <paramref name="Name"/>, the column named like
/// record member <paramref name="Member"/> read as <paramref name="Type"/> (a global:: type), or default when
/// <paramref name="Type"/> is null (the target, not read to predict).
/// </summary>
internal sealed record ReaderArgument(string Name, string Member, string? Type);

/// <summary>
/// How the generated ReadRecords builds a record from a row: by a constructor (named arguments) or by an object
/// initializer; <paramref name="Problem"/> says why it cannot (then --predict says so and points to LoadTrained).
/// </summary>
internal sealed record RecordReaderModel(bool Initializer, EquatableArray<ReaderArgument> Arguments, string? Problem)
{
    public static RecordReaderModel None(string problem) => new(false, EquatableArray<ReaderArgument>.Empty, problem);
}

/// <summary>How an [Image] member holds its image.</summary>
internal enum ImageSourceKind
{
    File,
    Encoded,
    Pixels,
}

/// <summary>An [Image] member and its settings.</summary>
internal sealed record ImageModel(string Name, ImageSourceKind Source, int Size, ImageColor Color, double Mean, double Std, bool Augment, int Padding,
    bool Flip, BadRecordPolicy BadImages, int Height = 0)
{
    /// <summary>Rows after resizing: Height, or Size for a square image.</summary>
    public int Rows => Height > 0 ? Height : Size;
}

/// <summary>The [DepthMap] member: a dense target map read from a file (a path) or held in memory (a float[] of Height x Width).</summary>
internal sealed record DepthMapModel(string Name, bool InMemory, int Height, int Width, double Scale, double Min, double Max, double MissingValue);

/// <summary>The [Encoder] member: its name, its FeatureDim, and whether it takes the input width (a parameterless factory does not).</summary>
internal sealed record EncoderModel(string Name, int FeatureDim, bool TakesInputDim = true);


/// <summary>The axes of [Search]; a null axis keeps the attribute's value. Kernels are Kernel values as ints (enums are not IEquatable).</summary>
internal sealed record SearchModel(EquatableArray<int>? Kernels, EquatableArray<int>? Sizes, EquatableArray<double>? Sigmas,
    EquatableArray<double>? Momentums, EquatableArray<int>? BinCounts)
{
    /// <summary>The training's axes: base learning rates, weight decays, epochs, batch sizes.</summary>
    public EquatableArray<double>? LearningRates { get; init; }
    public EquatableArray<double>? WeightDecays { get; init; }
    public EquatableArray<int>? Epochs { get; init; }
    public EquatableArray<int>? BatchSizes { get; init; }
}
