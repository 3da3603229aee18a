namespace DirDsl.Generators.Diagnostics;

/// <summary>
/// Every DIRnnn id, once: the descriptors, the validator and the parser refer to these constants. Errors are
/// DIR001-DIR099, warnings DIR100 and up; whether a problem blocks code generation comes from its descriptor's severity.
/// </summary>
internal static class DiagnosticIds
{
    public const string NotPartial = "DIR001";
    public const string KernelSize = "DIR002";
    public const string KernelSigma = "DIR003";
    public const string Momentum = "DIR004";
    public const string StartEpoch = "DIR005";
    public const string StartSmooth = "DIR006";
    public const string LdsWithoutReweight = "DIR007";
    public const string BinsRange = "DIR008";
    public const string BinsCount = "DIR009";
    public const string Epochs = "DIR010";
    public const string BatchSize = "DIR011";
    public const string LearningRate = "DIR012";
    public const string EncoderFeatureDim = "DIR013";
    public const string NoData = "DIR014";
    public const string ManyData = "DIR015";
    public const string DataSignature = "DIR016";
    public const string EncoderSignature = "DIR017";
    public const string LossParameter = "DIR018";
    public const string ShotOverlap = "DIR019";
    public const string ShotGaps = "DIR020";
    public const string NoBins = "DIR021";
    public const string RecordShape = "DIR022";
    public const string NoEncoder = "DIR023";
    public const string NonNegative = "DIR024";
    public const string Clamp = "DIR025";
    public const string FdsKernelTooWide = "DIR026";
    public const string ClassShape = "DIR027";
    public const string RegressorSignature = "DIR028";
    public const string IntegerBins = "DIR029";
    public const string CountClip = "DIR030";
    public const string Schedule = "DIR031";
    public const string Seeds = "DIR032";
    public const string DenseAlpha = "DIR033";
    public const string BalancedMseSetting = "DIR034";
    public const string Rrt = "DIR035";
    public const string Resampling = "DIR036";
    public const string SearchValue = "DIR037";
    public const string SearchTarget = "DIR038";
    public const string LdsKernelWide = "DIR100";
    public const string AblationWithoutMethods = "DIR101";
    public const string SmoothAfterTraining = "DIR102";
    public const string NoEntryPoint = "DIR103";
    public const string UndefinedEnumValue = "DIR039";
    public const string ShotThresholds = "DIR040";
    public const string ManyBins = "DIR104";
    public const string IneffectiveSetting = "DIR105";
    public const string EntryPointIgnoresExperiment = "DIR106";
    public const string ImageSetting = "DIR041";
    public const string LossType = "DIR042";
    public const string TrainingStepSignature = "DIR043";
    public const string MethodSetting = "DIR044";
    public const string TargetShape = "DIR045";
    public const string ScalarTargetMethod = "DIR046";
    public const string CrossValidation = "DIR047";
    public const string DepthMapSetting = "DIR048";
    public const string StartBin = "DIR049";
}
