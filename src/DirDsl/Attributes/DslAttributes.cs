namespace DirDsl;

/// <summary>
/// Marks a <c>partial</c> class as a deep-imbalanced-regression experiment. The DirDsl source
/// generator validates its configuration at compile time and emits the typed training loop,
/// FDS calibration, evaluation and (in an executable) an entry point.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class DirExperimentAttribute : Attribute
{
    /// <summary>Training epochs; at least 1 (DIR010).</summary>
    public int Epochs { get; set; } = DslDefaults.Epochs;
    /// <summary>Mini-batch size; at least 1 (DIR011).</summary>
    public int BatchSize { get; set; } = DslDefaults.BatchSize;
    /// <summary>Learning rate; greater than 0 (DIR012).</summary>
    public double LearningRate { get; set; } = DslDefaults.LearningRate;
    /// <summary>L2 weight decay; 0 or more (DIR024).</summary>
    public double WeightDecay { get; set; } = DslDefaults.WeightDecay;
    /// <summary>The optimiser.</summary>
    public OptimizerKind Optimizer { get; set; } = DslDefaults.Optimizer;
    /// <summary>Seed of torch, the batch shuffler and every .NET Random of the run.</summary>
    public int Seed { get; set; } = DslDefaults.Seed;
    /// <summary>Gradient norm clip; 0 turns it off (STS-B-DIR recipe: 5). 0 or more (DIR024).</summary>
    public double GradientClipNorm { get; set; } = DslDefaults.GradientClipNorm;
    /// <summary>Early stopping: stop after this many epochs without a better validation score; 0 trains every epoch. 0 or more (DIR024).</summary>
    public int Patience { get; set; } = DslDefaults.Patience;
    /// <summary>Targets are divided by this inside the loss and predictions multiplied back (STS-B-DIR: 5). Greater than 0 (DIR024).</summary>
    public double TargetScale { get; set; } = DslDefaults.TargetScale;
    /// <summary>Model selection on the validation split: by MSE (true) or by MAE (false, the age recipe).</summary>
    public bool SelectByMse { get; set; } = DslDefaults.SelectByMse;
}

/// <summary>The label space: <see cref="Count"/> equal bins over [<see cref="Min"/>, <see cref="Max"/>].</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class LabelBinsAttribute : Attribute
{
    /// <summary>Lower bound of the first bin. Below it, targets clip to the first bin.</summary>
    public double Min { get; set; }
    /// <summary>Upper bound of the last bin; greater than Min (DIR008). A target equal to Max is in the last bin.</summary>
    public double Max { get; set; }
    /// <summary>Number of bins; at least 1 (DIR009).</summary>
    public int Count { get; set; }
    /// <summary>Integer labels: width-1 bins starting at Min (Max must then equal Min + Count).</summary>
    public bool Integer { get; set; }
    /// <summary>How a target finds its bin: by float32 edges (Edges, numpy's histogram, the default) or by the float32 product min(int((t - Min) x Count / (Max - Min)), Count - 1) (Truncate, the reference's depth code).</summary>
    public BinRule Rule { get; set; } = DslDefaults.BinRule;
}

/// <summary>Label distribution smoothing with re-weighting.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class LdsAttribute : Attribute
{
    /// <summary>LDS with a Gaussian kernel.</summary>
    public LdsAttribute() : this(Kernel.Gaussian) { }

    /// <summary>LDS with the given kernel.</summary>
    public LdsAttribute(Kernel kernel) => Kernel = kernel;

    /// <summary>The kernel shape.</summary>
    public Kernel Kernel { get; }
    /// <summary>Odd window size, at least 3 (DIR002).</summary>
    public int Size { get; set; } = DslDefaults.KernelSize;
    /// <summary>Kernel width, greater than 0 (DIR003).</summary>
    public double Sigma { get; set; } = DslDefaults.KernelSigma;
    /// <summary>The re-weighting LDS smooths; not None (DIR007).</summary>
    public Reweight Reweight { get; set; } = DslDefaults.LdsReweight;
    /// <summary>Clip per-bin counts below to this before re-weighting (age recipe with Inverse: 5); negative = off.</summary>
    public double ClipMin { get; set; } = DslDefaults.CountClipOff;
    /// <summary>Clip per-bin counts above to this (age recipe with Inverse: 1000); negative = off.</summary>
    public double ClipMax { get; set; } = DslDefaults.CountClipOff;
    /// <summary>Padding of the smoothing at the ends of the bin axis: zeros (the age code, the default) or the reflected values (the depth code).</summary>
    public LdsPadding Padding { get; set; } = DslDefaults.LdsPadding;
    /// <summary>First bin smoothed; the bins below it take its weight (the depth code: 7). 0 to Count - 1 (DIR049).</summary>
    public int StartBin { get; set; } = DslDefaults.StartBin;
}

/// <summary>Feature distribution smoothing on the encoder's output features.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FdsAttribute : Attribute
{
    /// <summary>Weight of the previous statistics; in [0, 1) (DIR004).</summary>
    public double Momentum { get; set; } = DslDefaults.Momentum;
    /// <summary>First epoch whose end updates the statistics; 0 or more (DIR005).</summary>
    public int StartEpoch { get; set; } = DslDefaults.StartEpoch;
    /// <summary>First epoch whose batches are calibrated; greater than StartEpoch (DIR006).</summary>
    public int StartSmooth { get; set; } = DslDefaults.StartSmooth;
    /// <summary>Kernel over the bin axis.</summary>
    public Kernel Kernel { get; set; } = DslDefaults.FdsKernel;
    /// <summary>Odd window size, at least 3 (DIR002); fewer than 2 x bins (DIR026).</summary>
    public int Size { get; set; } = DslDefaults.KernelSize;
    /// <summary>Kernel width, greater than 0 (DIR003).</summary>
    public double Sigma { get; set; } = DslDefaults.KernelSigma;
    /// <summary>Lower clamp of var_s / var: 0.1 in the age code, 0.5 for STS-B-DIR. 0 &lt; ClampMin &lt;= ClampMax (DIR025).</summary>
    public double ClampMin { get; set; } = DslDefaults.ClampMin;
    /// <summary>Upper clamp of var_s / var: 10 in the age code, 2 for STS-B-DIR.</summary>
    public double ClampMax { get; set; } = DslDefaults.ClampMax;
    /// <summary>
    /// Which features feed the per-bin statistics: a second pass after each epoch (the reference's semantics, the default)
    /// or the training steps' own features (no second pass; see <see cref="FdsStatistics"/>).
    /// </summary>
    public FdsStatistics Statistics { get; set; } = DslDefaults.FdsStatisticsSource;
    /// <summary>
    /// Which statistics calibrate an epoch's batches: the reference's order (smoothed statistics one update behind the
    /// running ones, the default) or one snapshot (see <see cref="FdsOrder"/>).
    /// </summary>
    public FdsOrder Order { get; set; } = DslDefaults.FdsOrder;
    /// <summary>What bins no training sample has fallen into hold: mean 0 and variance 1 (the age code, the default) or their neighbours' values (the STS-B code).</summary>
    public FdsUnseenBins UnseenBins { get; set; } = DslDefaults.FdsUnseenBins;
    /// <summary>First bin with statistics; features of the bins below it are calibrated with its statistics (the depth code: 7). 0 to Count - 1 (DIR049).</summary>
    public int StartBin { get; set; } = DslDefaults.StartBin;
}

/// <summary>
/// The training loss: a built-in kind (<c>[Loss(LossKind.L1)]</c>) or your own type (<c>[Loss(typeof(MyLoss))]</c>, a public
/// class implementing <c>IRegressionLoss</c> with a public parameterless constructor; DIR042 otherwise). Either way the
/// runtime applies the variant's sample weights and takes the mean.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class LossAttribute : Attribute
{
    /// <summary>The given built-in loss.</summary>
    public LossAttribute(LossKind kind) => Kind = kind;

    /// <summary>Your own loss: a type implementing <c>IRegressionLoss</c>, created once with its parameterless constructor.</summary>
    public LossAttribute(Type type) => Type = type;

    /// <summary>Which built-in loss (ignored when <see cref="Type"/> is given).</summary>
    public LossKind Kind { get; }
    /// <summary>Your own loss type, or null for a built-in <see cref="Kind"/>.</summary>
    public Type? Type { get; }
    /// <summary>Huber threshold (default 1) or Focal-R scale (default 0.2); greater than 0 (DIR018). NaN means the kind's default.</summary>
    public double Beta { get; set; } = double.NaN;
    /// <summary>Focal-R exponent (default 1); greater than 0 (DIR018).</summary>
    public double Gamma { get; set; } = DslDefaults.FocalGamma;
    /// <summary>Focal-R modulating function.</summary>
    public FocalActivation Activation { get; set; } = DslDefaults.FocalActivation;
}

/// <summary>
/// Shot groups of the evaluation: by training count (thresholds), or explicit bin lists
/// (to compare with a paper's table). With explicit lists, both are reported.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ShotGroupsAttribute : Attribute
{
    /// <summary>Many-shot: more training samples than this.</summary>
    public int ManyAbove { get; set; } = DslDefaults.ManyAbove;
    /// <summary>Few-shot: fewer training samples than this.</summary>
    public int FewBelow { get; set; } = DslDefaults.FewBelow;
    /// <summary>Explicit many-shot bins. With Medium and Few, every bin exactly once (DIR019, DIR020).</summary>
    public int[]? Many { get; set; }
    /// <summary>Explicit medium-shot bins.</summary>
    public int[]? Medium { get; set; }
    /// <summary>Explicit few-shot bins.</summary>
    public int[]? Few { get; set; }
}

/// <summary>Also run the ablation: Vanilla, re-weighting only, LDS, FDS, LDS+FDS, same seed and data.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AblationAttribute : Attribute
{
    /// <summary>
    /// Run every variant with this many seeds (Seed, Seed + 1, ...): tables then show the mean and a
    /// 95% interval per cell and mark differences from Vanilla beyond seed noise. At least 1 (DIR032).
    /// </summary>
    public int Seeds { get; set; } = DslDefaults.Seeds;

    /// <summary>
    /// Add the baseline rows "Mean" (the training targets' mean) and "Linear" (ridge regression on the same mapped inputs,
    /// closed form, its penalty selected on validation) to the table, to show what the deep model adds (default true;
    /// --no-baselines turns them off for one run).
    /// </summary>
    public bool Baselines { get; set; } = DslDefaults.Baselines;
}

/// <summary>
/// DenseWeight (Steininger et al. 2021): also train with KDE-based sample weights
/// w = max(1 - alpha p'(y), 1e-6), as rows "DenseWeight" (and "DenseWeight+FDS" with [Fds]).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class DenseWeightAttribute : Attribute
{
    /// <summary>Strength; greater than 0 (DIR033). 1 is the paper's usual choice.</summary>
    public double Alpha { get; set; } = DslDefaults.DenseAlpha;
}

/// <summary>
/// RRT, the two-stage baseline of the DIR paper (after Kang et al. 2020): also add a row "RRT" whose
/// first stage trains the model without re-weighting and whose second stage keeps that encoder,
/// frozen, and retrains a freshly initialised regressor with the configured LDS weights. Needs [Lds] (DIR035).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RrtAttribute : Attribute
{
    /// <summary>Epochs of the second stage; at least 1 (DIR035).</summary>
    public int Epochs { get; set; } = DslDefaults.RrtEpochs;
    /// <summary>Learning rate of the second stage; greater than 0 (DIR035).</summary>
    public double LearningRate { get; set; } = DslDefaults.LearningRate;
}

/// <summary>
/// Balanced MSE (Ren et al. 2022): also train with the balanced loss and a trained noise scale,
/// as rows "BMSE-BMC" / "BMSE-GAI" / "BMSE-BNI" (and "+FDS" with [Fds]). Not re-weighted.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BalancedMseAttribute : Attribute
{
    /// <summary>The given estimate of the normaliser.</summary>
    public BalancedMseAttribute(BalancedMseKind kind) => Kind = kind;

    /// <summary>BMC, GAI or BNI.</summary>
    public BalancedMseKind Kind { get; }
    /// <summary>Initial noise scale in the loss's target unit (after TargetScale); greater than 0 (DIR034).</summary>
    public double InitNoiseSigma { get; set; } = DslDefaults.NoiseSigma;
    /// <summary>GAI mixture components; at least 1 (DIR034).</summary>
    public int Components { get; set; } = DslDefaults.MixtureComponents;
}

/// <summary>
/// SMOTER (Torgo et al. 2013): also add a row "SMOTER" trained on a resampled training split: rare targets
/// (relevance at or above Threshold) get synthetic records interpolated towards one of their K nearest
/// neighbours, normal ones are under-sampled, so every bump of rare or normal targets ends the same size.
/// Validation and test are never resampled.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SmoterAttribute : ResamplingAttribute
{
}

/// <summary>
/// SMOGN (Branco et al. 2017): also add a row "SMOGN": as SMOTER, but a synthetic record interpolates only
/// towards a neighbour closer than half the median distance to the K neighbours, and otherwise is the rare
/// record plus Gaussian noise of Perturbation times each column's standard deviation (target included).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SmognAttribute : ResamplingAttribute
{
    /// <summary>Noise as a fraction of each column's standard deviation in the bump; greater than 0 (DIR036).</summary>
    public double Perturbation { get; set; } = DslDefaults.Perturbation;
}

/// <summary>The settings SMOTER and SMOGN share.</summary>
public abstract class ResamplingAttribute : Attribute
{
    /// <summary>Nearest neighbours within a bump of rare targets; at least 1 (DIR036).</summary>
    public int Neighbours { get; set; } = DslDefaults.Neighbours;
    /// <summary>Relevance from which a target is rare; in (0, 1] (DIR036).</summary>
    public double Threshold { get; set; } = DslDefaults.RelevanceThreshold;
    /// <summary>Under-sample the normal bumps to the balanced size; false keeps every original record.</summary>
    public bool Undersample { get; set; } = DslDefaults.Undersample;
    /// <summary>How relevance is derived: the papers' box-plot extremes, or the DIR view of thin label bins.</summary>
    public RelevanceKind Relevance { get; set; } = DslDefaults.Relevance;
}

/// <summary>
/// Hyperparameter search of LDS and FDS: a grid of variants around the configured one (LDS, FDS or LDS+FDS),
/// one per combination of the given values, named like "LDS+FDS@kernel=laplace,size=9". They run with
/// <c>--search</c> (all) or <c>--variant NAME</c> (one job each, see <c>--list</c>), and the report selects
/// the point with the best validation score; test numbers are shown for the selected point only.
/// An axis left null keeps the attribute's value. Needs [Lds] or [Fds] (DIR038).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SearchAttribute : Attribute
{
    /// <summary>Kernel shapes for LDS and FDS.</summary>
    public Kernel[]? Kernels { get; set; }
    /// <summary>Window sizes for LDS and FDS: odd, at least 3 (DIR037).</summary>
    public int[]? Sizes { get; set; }
    /// <summary>Kernel widths for LDS and FDS: greater than 0 (DIR037).</summary>
    public double[]? Sigmas { get; set; }
    /// <summary>FDS momentum values in [0, 1) (DIR037); needs [Fds] (DIR038).</summary>
    public double[]? Momentums { get; set; }
    /// <summary>Numbers of equal-width label bins for LDS and FDS over [LabelBins(Min, Max)]: at least 1 (DIR037). Evaluation keeps [LabelBins].</summary>
    public int[]? BinCounts { get; set; }
    /// <summary>Base learning rates: finite, greater than 0 (DIR037).</summary>
    public double[]? LearningRates { get; set; }
    /// <summary>L2 weight decays: finite, 0 or more (DIR037).</summary>
    public double[]? WeightDecays { get; set; }
    /// <summary>Training epochs: at least 1 (DIR037). A point's epochs are its own (--epochs does not change them).</summary>
    public int[]? Epochs { get; set; }
    /// <summary>Mini-batch sizes: at least 1 (DIR037).</summary>
    public int[]? BatchSizes { get; set; }
}

/// <summary>
/// k-fold cross-validation for records held in memory (small tables): the [Data] member's splits are pooled and cut into
/// <see cref="Folds"/> folds stratified by label bin (seeded by the split seed); each fold is the test split once, the
/// next fold validates and the others train. Every variant and seed trains per fold; the table reports each cell as the
/// mean and 95% interval over the folds. At least 3 folds (DIR047).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CrossValidationAttribute : Attribute
{
    /// <summary>Number of folds (default 5).</summary>
    public int Folds { get; set; } = DslDefaults.Folds;
}

/// <summary>The learning-rate schedule.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class LrScheduleAttribute : Attribute
{
    /// <summary>The given schedule.</summary>
    public LrScheduleAttribute(ScheduleKind kind) => Kind = kind;

    /// <summary>Which schedule.</summary>
    public ScheduleKind Kind { get; }
    /// <summary>Epochs at which MultiStep multiplies the rate by Gamma.</summary>
    public int[]? Milestones { get; set; }
    /// <summary>MultiStep factor.</summary>
    public double Gamma { get; set; } = DslDefaults.ScheduleGamma;
}

/// <summary>
/// The data member: <c>static DirSplits&lt;TRecord&gt; Name(DataContext context)</c> (or without the
/// parameter). TRecord's properties carry <see cref="FeatureAttribute"/> and one <see cref="TargetAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class DataAttribute : Attribute
{
}

/// <summary>
/// The encoder member: <c>static Module&lt;Tensor, Tensor&gt; Name(int inputDim)</c>, mapping the
/// standardised input row to <see cref="FeatureDim"/> features (FDS acts on them).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class EncoderAttribute : Attribute
{
    /// <summary>Width of the encoder's output; at least 1 (DIR013).</summary>
    public int FeatureDim { get; set; }
}

/// <summary>
/// Optional regressor head: <c>static Module&lt;Tensor, Tensor&gt; Name(int featureDim)</c> returning
/// one output per row. Default: a linear layer.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RegressorAttribute : Attribute
{
}

/// <summary>
/// An input of the model. Numbers and bools are standardised on the training split; strings and
/// enums are one-hot encoded with the training split's vocabulary; float[] and double[] are
/// standardised per component and must have the same length in every record.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class FeatureAttribute : Attribute
{
    /// <summary>
    /// For a nullable number or bool (<c>double?</c>, <c>float?</c>, <c>int?</c>, <c>bool?</c>, ...): what fills a missing
    /// value, fitted on the training split only (default the median). The member then takes two input columns: the
    /// standardised value and a 0/1 indicator of a missing one. Ignored for other types.
    /// </summary>
    public Imputation Impute { get; set; } = DslDefaults.Imputation;
}

/// <summary>
/// The continuous target. One number member is the usual scalar target; several number members form one vector target (its
/// elements in declaration order, each evaluated on its own as well); a float[] or double[] member with
/// <see cref="Length"/> is a vector of that many elements, NaN marking an element that is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class TargetAttribute : Attribute
{
    /// <summary>The number of elements of a float[] or double[] target (every record has exactly this many); unset for a number.</summary>
    public int Length { get; set; }
}

