using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace DirDsl.Generators.Diagnostics;

/// <summary>Every DIRnnn diagnostic. Errors are DIR001-DIR099, warnings DIR100 and up.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "DirDsl";

    private static DiagnosticDescriptor Error(string id, string title, string message, string description) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, description,
            helpLinkUri: $"docs/diagnostics/{id}.md");

    private static DiagnosticDescriptor Warning(string id, string title, string message, string description) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, description,
            helpLinkUri: $"docs/diagnostics/{id}.md");

    public static readonly DiagnosticDescriptor NotPartial = Error(DiagnosticIds.NotPartial, "Experiment class must be partial",
        "Experiment class '{0}' must be declared partial so DirDsl can add the generated training code (until it is, the members DirDsl generates, such as Run and Configuration, do not exist)",
        "The generator adds members to the experiment class; add the partial modifier.");

    public static readonly DiagnosticDescriptor KernelSize = Error(DiagnosticIds.KernelSize, "Kernel size must be odd and at least 3",
        "{0} kernel Size must be an odd number of at least 3, not {1}",
        "LDS and FDS kernels are symmetric windows of odd size (3, 5, 7, ...).");

    public static readonly DiagnosticDescriptor KernelSigma = Error(DiagnosticIds.KernelSigma, "Kernel sigma must be greater than 0",
        "{0} kernel Sigma must be a finite number greater than 0, not {1}",
        "Sigma is the width of the Gaussian or Laplace kernel.");

    public static readonly DiagnosticDescriptor Momentum = Error(DiagnosticIds.Momentum, "FDS momentum must lie in [0, 1)",
        "FDS Momentum must lie in [0, 1), not {0}", "Momentum weights the previous statistics; 1 would never update them.");

    public static readonly DiagnosticDescriptor StartEpoch = Error(DiagnosticIds.StartEpoch, "FDS StartEpoch must be 0 or more",
        "FDS StartEpoch must be 0 or more, not {0}", "Epochs count from 0.");

    public static readonly DiagnosticDescriptor StartSmooth = Error(DiagnosticIds.StartSmooth, "FDS StartSmooth must come after StartEpoch",
        "FDS StartSmooth ({0}) must be greater than StartEpoch ({1}): calibration in epoch e uses the statistics from the end of epoch e - 1",
        "Calibration needs statistics, which exist from the end of StartEpoch on.");

    public static readonly DiagnosticDescriptor LdsWithoutReweight = Error(DiagnosticIds.LdsWithoutReweight, "LDS needs a re-weighting mode",
        "LDS smooths the re-weighting, so Reweight must be Inverse or SqrtInverse, not None",
        "Label distribution smoothing acts on the per-bin values that re-weighting inverts.");

    public static readonly DiagnosticDescriptor BinsRange = Error(DiagnosticIds.BinsRange, "LabelBins Max must exceed Min",
        "LabelBins Max ({0}) must be greater than Min ({1})", "The label space is [Min, Max].");

    public static readonly DiagnosticDescriptor BinsCount = Error(DiagnosticIds.BinsCount, "LabelBins Count must be at least 1",
        "LabelBins Count must be at least 1, not {0}", "The label space needs at least one bin.");

    public static readonly DiagnosticDescriptor Epochs = Error(DiagnosticIds.Epochs, "Epochs must be at least 1",
        "DirExperiment Epochs must be at least 1, not {0}", "Training runs for at least one epoch.");

    public static readonly DiagnosticDescriptor BatchSize = Error(DiagnosticIds.BatchSize, "BatchSize must be at least 1",
        "DirExperiment BatchSize must be at least 1, not {0}", "A mini-batch holds at least one sample.");

    public static readonly DiagnosticDescriptor LearningRate = Error(DiagnosticIds.LearningRate, "LearningRate must be greater than 0",
        "DirExperiment LearningRate must be a finite number greater than 0, not {0}", "The optimiser's step size.");

    public static readonly DiagnosticDescriptor EncoderFeatureDim = Error(DiagnosticIds.EncoderFeatureDim, "Encoder needs FeatureDim",
        "[Encoder] needs FeatureDim, the width of the encoder's output features, of at least 1 (found {0})",
        "The regressor (and FDS, when declared) read the encoder's features; their width must be known at compile time.");

    public static readonly DiagnosticDescriptor NoData = Error(DiagnosticIds.NoData, "Experiment has no [Data] member",
        "Experiment '{0}' needs a static [Data] method returning DirSplits<TRecord>", "The data member gives the train, validation and test splits.");

    public static readonly DiagnosticDescriptor ManyData = Error(DiagnosticIds.ManyData, "Experiment has more than one [Data] member",
        "Experiment has more than one [Data] member; '{0}' is extra", "Exactly one [Data] member gives the splits.");

    public static readonly DiagnosticDescriptor DataSignature = Error(DiagnosticIds.DataSignature, "[Data] member has the wrong signature",
        "[Data] member '{0}' must be 'static DirSplits<TRecord> {0}(DataContext context)' or take no parameter",
        "The generated loop calls the data member with a DataContext.");

    public static readonly DiagnosticDescriptor EncoderSignature = Error(DiagnosticIds.EncoderSignature, "[Encoder] member has the wrong signature",
        "[Encoder] member '{0}' must be 'static Module<Tensor, Tensor> {0}(int inputDim)'",
        "The generated model calls the encoder factory with the width of an input row.");

    public static readonly DiagnosticDescriptor LossParameter = Error(DiagnosticIds.LossParameter, "Loss parameter must be greater than 0",
        "Loss {0} must be a finite number greater than 0, not {1}", "Huber's beta and Focal-R's beta and gamma are positive.");

    public static readonly DiagnosticDescriptor ShotOverlap = Error(DiagnosticIds.ShotOverlap, "Explicit shot groups overlap",
        "Bin {0} is in both the {1} and the {2} shot groups", "Each bin belongs to exactly one shot group.");

    public static readonly DiagnosticDescriptor ShotGaps = Error(DiagnosticIds.ShotGaps, "Explicit shot groups leave bins out",
        "Explicit shot groups must name every bin 0..{0} exactly once; {1}", "Give Many, Medium and Few together, covering every bin.");

    public static readonly DiagnosticDescriptor NoBins = Error(DiagnosticIds.NoBins, "Experiment has no [LabelBins]",
        "Experiment '{0}' needs [LabelBins(Min = ..., Max = ..., Count = ...)]", "LDS, FDS and the shot groups all work on label bins.");

    public static readonly DiagnosticDescriptor RecordShape = Error(DiagnosticIds.RecordShape, "Record type cannot be mapped",
        "Record type '{0}': {1}", "The record needs one numeric [Target] and at least one [Feature] of a supported type (number, bool, string, enum, float[], double[], or a nullable number or bool).");

    public static readonly DiagnosticDescriptor NoEncoder = Error(DiagnosticIds.NoEncoder, "Experiment has no [Encoder] member",
        "Experiment '{0}' needs a static [Encoder(FeatureDim = N)] method returning Module<Tensor, Tensor>", "The encoder maps input rows to the features FDS acts on.");

    public static readonly DiagnosticDescriptor NonNegative = Error(DiagnosticIds.NonNegative, "Training setting out of range",
        "DirExperiment {0} must be {1}, not {2}", "WeightDecay, GradientClipNorm and Patience are 0 or more; TargetScale is greater than 0.");

    public static readonly DiagnosticDescriptor Clamp = Error(DiagnosticIds.Clamp, "FDS clamp bounds are invalid",
        "FDS clamp bounds must satisfy 0 < ClampMin <= ClampMax < infinity, not [{0}, {1}]", "The variance ratio var_s / var is clamped to [ClampMin, ClampMax].");

    public static readonly DiagnosticDescriptor FdsKernelTooWide = Error(DiagnosticIds.FdsKernelTooWide, "FDS kernel too wide for the bins",
        "FDS kernel Size {0} needs more than {1} bins for reflect padding; the label space has {2}", "FDS smooths along the bins with reflect padding of (Size - 1) / 2 bins.");

    public static readonly DiagnosticDescriptor ClassShape = Error(DiagnosticIds.ClassShape, "Experiment class must be top-level and non-generic",
        "Experiment class '{0}' must be a non-generic class declared directly in a namespace", "The generator emits nested types into the experiment class.");

    public static readonly DiagnosticDescriptor RegressorSignature = Error(DiagnosticIds.RegressorSignature, "[Regressor] member has the wrong signature",
        "[Regressor] member '{0}' must be 'static Module<Tensor, Tensor> {0}(int featureDim)'", "The regressor head maps FeatureDim features to one output.");

    public static readonly DiagnosticDescriptor IntegerBins = Error(DiagnosticIds.IntegerBins, "Integer bins need whole bounds",
        "Integer LabelBins need a whole Min and Max = Min + Count (Min {0}, Max {1}, Count {2})", "Integer bins have width 1.");

    public static readonly DiagnosticDescriptor CountClip = Error(DiagnosticIds.CountClip, "LDS count clip bounds are invalid",
        "LDS ClipMin ({0}) must not exceed ClipMax ({1})", "Counts are clipped to [ClipMin, ClipMax] before re-weighting.");

    public static readonly DiagnosticDescriptor Schedule = Error(DiagnosticIds.Schedule, "Learning-rate schedule is invalid",
        "LrSchedule: {0}", "MultiStep needs milestones of 0 or more and a Gamma greater than 0.");

    public static readonly DiagnosticDescriptor Seeds = Error(DiagnosticIds.Seeds, "Ablation needs at least one seed",
        "Ablation Seeds must be at least 1, not {0}", "Every variant runs once per seed; means and intervals need at least one (two for an interval).");

    public static readonly DiagnosticDescriptor CrossValidation = Error(DiagnosticIds.CrossValidation, "Cross-validation needs at least three folds",
        "CrossValidation Folds must be at least 3, not {0}", "Each fold is the test split once and the next one validates while the others train; fewer than three leaves nothing to train on.");

    public static readonly DiagnosticDescriptor DenseAlpha = Error(DiagnosticIds.DenseAlpha, "DenseWeight alpha must be greater than 0",
        "DenseWeight Alpha must be a finite number greater than 0, not {0}", "Alpha 0 gives unit weights: the row would repeat Vanilla.");

    public static readonly DiagnosticDescriptor BalancedMseSetting = Error(DiagnosticIds.BalancedMseSetting, "Balanced MSE setting out of range",
        "BalancedMse: {0}", "The initial noise scale is positive and GAI needs at least one mixture component.");

    public static readonly DiagnosticDescriptor Rrt = Error(DiagnosticIds.Rrt, "RRT setting invalid",
        "Rrt: {0}", "RRT's second stage retrains the regressor with the LDS weights for Epochs at LearningRate.");

    public static readonly DiagnosticDescriptor Resampling = Error(DiagnosticIds.Resampling, "SMOTER / SMOGN setting out of range",
        "{0}: {1}", "Resampling needs at least one neighbour, a relevance threshold in (0, 1] and (SMOGN) a positive perturbation.");

    public static readonly DiagnosticDescriptor SearchValue = Error(DiagnosticIds.SearchValue, "Search value invalid",
        "Search: {0} {1}", "Each [Search] axis lists distinct valid values (sizes odd and at least 3, sigmas positive, momentums in [0, 1), bin counts at least 1); the grid has at most 1000 points.");

    public static readonly DiagnosticDescriptor SearchTarget = Error(DiagnosticIds.SearchTarget, "Search has nothing to vary",
        "Search: {0}", "[Search] varies the settings of [Lds] and [Fds]; momentum exists only with [Fds].");

    public static readonly DiagnosticDescriptor LdsKernelWide = Warning(DiagnosticIds.LdsKernelWide, "LDS kernel wider than the label space",
        "LDS kernel Size {0} is wider than the {1} label bins; every bin's weight will be nearly the same",
        "A kernel wider than the label space smooths the distribution almost flat.");

    public static readonly DiagnosticDescriptor AblationWithoutMethods = Warning(DiagnosticIds.AblationWithoutMethods, "Ablation has nothing to compare",
        "[Ablation] without [Lds], [Fds], [DenseWeight] or [BalancedMse] runs only the Vanilla model", "Add a method to compare with the Vanilla model.");

    public static readonly DiagnosticDescriptor SmoothAfterTraining = Warning(DiagnosticIds.SmoothAfterTraining, "FDS never calibrates",
        "FDS StartSmooth ({0}) is not below Epochs ({1}); features are never calibrated", "Calibration starts at epoch StartSmooth.");

    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error(DiagnosticIds.UndefinedEnumValue, "Not a value of the enum",
        "{0} = {1} is not a value of {2}; use one of {3}",
        "A cast such as (Kernel)7 compiles but names no setting the DSL knows.");

    public static readonly DiagnosticDescriptor ShotThresholds = Error(DiagnosticIds.ShotThresholds, "Shot-group thresholds overlap",
        "FewBelow ({0}) must be at most ManyAbove + 1 ({1}): a bin cannot be both many-shot and few-shot",
        "Many-shot bins have more than ManyAbove training samples, few-shot bins fewer than FewBelow, medium-shot the rest.");

    public static readonly DiagnosticDescriptor ImageSetting = Error(DiagnosticIds.ImageSetting, "Invalid image setting",
        "[Image] on '{0}': {1}",
        "Size (and Height, for an image that is not square) is 1 to 4096 pixels, Mean finite, Std positive and finite, Padding 0 to the shorter side.");

    public static readonly DiagnosticDescriptor LossType = Error(DiagnosticIds.LossType, "Loss type cannot be used",
        "[Loss(typeof({0}))]: {1}",
        "A loss of your own is a public class or struct implementing DirDsl.IRegressionLoss, with a public parameterless constructor; it returns one loss per element and the runtime weights and averages them.");

    public static readonly DiagnosticDescriptor TrainingStepSignature = Error(DiagnosticIds.TrainingStepSignature, "TrainingStep has the wrong signature",
        "'{0}.TrainingStep' must be 'public static Tensor TrainingStep(Model model, TrainingBatch batch)' to replace the generated step",
        "Declaring TrainingStep in the experiment class replaces the generated training step: it gets the generated Model and one batch and returns the batch's loss, on which the trainer calls backward.");

    public static readonly DiagnosticDescriptor MethodSetting = Error(DiagnosticIds.MethodSetting, "Invalid method setting",
        "[{0}({1})] must be {2}",
        "A method attribute's argument is outside the range its method accepts (the rules are DslRules').");

    public static readonly DiagnosticDescriptor TargetShape = Error(DiagnosticIds.TargetShape, "Invalid target shape",
        "[Target] on '{0}': {1}",
        "A number member is a scalar target (several of them form a vector); a float[] or double[] member needs [Target(Length = N)] with N at least 1; Length is for arrays only.");

    public static readonly DiagnosticDescriptor ScalarTargetMethod = Error(DiagnosticIds.ScalarTargetMethod, "Method needs a scalar target",
        "[{0}] needs one scalar target per record, and the target of '{1}' is a vector ({2})",
        "FDS calibrates a record's features by the bin of its one target; Balanced MSE and SMOTER / SMOGN are defined for one target. LDS, the re-weightings, DenseWeight, RRT and BSAM work per target element.");

    public static readonly DiagnosticDescriptor DepthMapSetting = Error(DiagnosticIds.DepthMapSetting, "Invalid depth map setting",
        "[DepthMap] on '{0}': {1}",
        "Height and Width are 1 to 4096 pixels, Scale finite and above 0, Min finite with Max above it, MissingValue finite or NaN (none); the member is a string path or a float[] of Height x Width values, the record's target, with an [Image] member and no [Target].");

    public static readonly DiagnosticDescriptor StartBin = Error(DiagnosticIds.StartBin, "Start bin outside the label bins",
        "{0} StartBin must be a label bin, 0 to {1}, not {2}",
        "StartBin is the first bin smoothed (LDS) or with statistics (FDS); the bins below it take its values. The depth code uses 7 of its 100 bins.");

    public static readonly DiagnosticDescriptor ManyBins = Warning(DiagnosticIds.ManyBins, "Very many label bins",
        "{0} label bins over [{1}, {2}]: most will hold no training sample, so LDS, FDS and the shot groups lose their meaning",
        "Bins should be wide enough to hold several training samples each; the paper uses 100 for ages and 50 for STS-B scores.");

    public static readonly DiagnosticDescriptor IneffectiveSetting = Warning(DiagnosticIds.IneffectiveSetting, "Setting has no effect",
        "{0} has no effect: {1}",
        "The setting is legal but changes nothing in this configuration; remove it or change what it depends on.");

    public static readonly DiagnosticDescriptor EntryPointIgnoresExperiment = Warning(DiagnosticIds.EntryPointIgnoresExperiment, "The program's own entry point never runs the experiment",
        "'{0}' never runs: {1} has the program's entry point, which replaces the generated one, and no code of the program names '{0}'",
        "A console template's Program.cs ('Hello, World!') wins over the generated Main: delete it to get the generated entry point and its command line, or call {0}.Run / DirCommandLine.Run from it.");

    public static readonly DiagnosticDescriptor NoEntryPoint = Warning(DiagnosticIds.NoEntryPoint, "No entry point without DirDsl.Hosting",
        "'{0}' is in an executable without a Main, and the program does not reference DirDsl.Hosting, which provides the generated entry point",
        "Reference the DirDsl.Hosting package (or project) to get the generated Main with its command line, or write a Main that calls Run.");

    public static readonly ImmutableArray<DiagnosticDescriptor> All = typeof(DiagnosticDescriptors)
        .GetFields()
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToImmutableArray();

    private static readonly System.Collections.Generic.Dictionary<string, DiagnosticDescriptor> Index = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => Index[id];
}
