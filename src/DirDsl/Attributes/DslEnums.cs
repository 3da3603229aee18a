// Dependency-free: this file is linked into the netstandard2.0 generator, where its types
// must be internal (DIRDSL_GENERATOR), or a project seeing both assemblies hits CS0433.
// The generator reads attribute arguments as these enums' underlying values.
namespace DirDsl;

/// <summary>The symmetric smoothing kernel used by LDS and FDS.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum Kernel
{
    /// <summary>Gaussian, built exactly as the reference: a 1-D Gaussian filter run over a unit impulse.</summary>
    Gaussian,
    /// <summary>Triangular: w(k) = 1 - |k| / (h + 1). Sigma is not used.</summary>
    Triangular,
    /// <summary>Laplace: w(k) = exp(-|k| / sigma) / (2 sigma).</summary>
    Laplace,
}

/// <summary>How per-bin label counts become loss weights.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum Reweight
{
    /// <summary>Unit weights. LDS cannot be combined with this mode (DIR007).</summary>
    None,
    /// <summary>Weight 1 / count (after optional clipping of the counts).</summary>
    Inverse,
    /// <summary>Weight 1 / sqrt(count).</summary>
    SqrtInverse,
}

/// <summary>The regression losses of the paper, each with optional per-sample weights (LDS).</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum LossKind
{
    /// <summary>Squared error.</summary>
    Mse,
    /// <summary>Absolute error.</summary>
    L1,
    /// <summary>Huber (smooth L1): 0.5 d^2 / beta when |d| &lt; beta, else |d| - beta / 2.</summary>
    Huber,
    /// <summary>Focal-R on L1: |d| * f(|d|)^gamma.</summary>
    FocalL1,
    /// <summary>Focal-R on MSE: d^2 * f(|d|)^gamma.</summary>
    FocalMse,
}

/// <summary>The modulating function of Focal-R.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum FocalActivation
{
    /// <summary>f(x) = 2 sigmoid(beta x) - 1 (the reference's default).</summary>
    Sigmoid,
    /// <summary>f(x) = tanh(beta x).</summary>
    Tanh,
}

/// <summary>The optimiser of a generated training loop.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum OptimizerKind
{
    /// <summary>Adam (the paper's choice for every benchmark).</summary>
    Adam,
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
    /// <summary>SGD with momentum 0.9.</summary>
    Sgd,
}

/// <summary>The learning-rate schedule of a generated training loop.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum ScheduleKind
{
    /// <summary>Constant learning rate.</summary>
    Constant,
    /// <summary>Multiply by Gamma at each milestone epoch (the age recipe: x0.1 at 60 and 80).</summary>
    MultiStep,
    /// <summary>Cosine annealing to 0 over the epochs.</summary>
    Cosine,
}

/// <summary>How Balanced MSE approximates the training label distribution's normaliser.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum BalancedMseKind
{
    /// <summary>Batch-based Monte Carlo: the other targets of the batch.</summary>
    Bmc,
    /// <summary>GAI: a Gaussian mixture fitted to the training targets.</summary>
    Gai,
    /// <summary>Bin-based numerical integration: the training label histogram.</summary>
    Bni,
}

/// <summary>The resampling of the training split (Torgo et al. 2013; Branco et al. 2017).</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum ResamplingKind
{
    /// <summary>SMOTER: synthetic rare cases interpolated between a case and one of its nearest neighbours.</summary>
    Smoter,
    /// <summary>SMOGN: SMOTER when the neighbour is close, Gaussian noise around the case otherwise.</summary>
    Smogn,
}

/// <summary>The relevance function that says which targets are rare.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum RelevanceKind
{
    /// <summary>
    /// Ribeiro's automatic relevance: 1 at the box-plot whiskers on a side that has outliers, 0 at the
    /// median, a zero-slope cubic Hermite curve in between (the SMOTER and SMOGN papers' choice).
    /// </summary>
    Extremes,
    /// <summary>The DIR view: 1 - n(bin) / max n over the training label bins, so thin bins are rare.</summary>
    Rarity,
}

/// <summary>Which features feed FDS's per-bin statistics at the end of an epoch.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum FdsStatistics
{
    /// <summary>
    /// The reference's semantics (its <c>train.py</c>): after the epoch, a second forward pass over every training record
    /// without gradients but in training mode, as the reference's training loader gives them: a new shuffle, augmented,
    /// normalisation layers on batch statistics (their running statistics move), and the features as FDS calibrated them.
    /// For an image encoder this pass costs about a third of an epoch.
    /// </summary>
    EpochEndPass,
    /// <summary>
    /// A second pass in evaluation mode over the training records (augmented with the pass's own draws, as the
    /// reference's training loader gives them) on raw, uncalibrated features: normalisation layers use their running
    /// statistics. DirDsl's earlier choice, kept as an option for the ablation (see the README's FDS study).
    /// </summary>
    EvaluationPass,
    /// <summary>
    /// A second pass in training mode over the training records in order, unaugmented, on raw features: the reference's
    /// depth code, whose FDS loader neither shuffles nor augments (resize and centre crop only) and whose smoothing works
    /// on a copy, so the pass sees the features uncalibrated. Normalisation layers use batch statistics and update their
    /// running ones, as in that code. With [Fds]'s subset, over those training records only.
    /// </summary>
    UnaugmentedPass,
}

/// <summary>Which statistics calibrate the batches of an epoch after FDS's epoch-end updates.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum FdsOrder
{
    /// <summary>
    /// The reference's order: at each epoch end the smoothed statistics are taken from the running statistics before
    /// this epoch's update, then the running statistics are updated; whitening uses the updated running statistics
    /// (the reference's "last epoch" buffers alias the running ones). So the first update calibrates nothing and FDS
    /// first acts at epoch max(StartSmooth, StartEpoch + 2).
    /// </summary>
    Reference,
    /// <summary>
    /// One snapshot: the running statistics are updated, then smoothed, and that pair calibrates the next epoch, so FDS
    /// acts from epoch max(StartSmooth, StartEpoch + 1).
    /// </summary>
    Snapshot,
    /// <summary>
    /// One snapshot, one update behind: at each epoch end the running statistics as they stand before this epoch's
    /// update, and their smoothed form, become the calibration of the next epoch; then the running statistics are
    /// updated. This is what the reference's depth code (NYUD2-DIR) does on a GPU, where moving the running statistics
    /// to the host and back for the update gives them new storage, so its "last epoch" buffers keep the old values.
    /// FDS first acts at epoch max(StartSmooth, StartEpoch + 2).
    /// </summary>
    Lagged,
}

/// <summary>What FDS's statistics hold for a label bin no training sample has fallen into yet.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum FdsUnseenBins
{
    /// <summary>Mean 0 and variance 1, their initial values, which enter the smoothing as they are (the reference's age code).</summary>
    Keep,
    /// <summary>Their neighbours' values: the first bin copies the second, the last the one before, others average both (the reference's STS-B code).</summary>
    Fill,
}

/// <summary>What fills a missing value of a nullable [Feature] (fitted on the training split only).</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum Imputation
{
    /// <summary>The median of the training split's observed values (robust to skew; the default).</summary>
    Median,
    /// <summary>The mean of the training split's observed values.</summary>
    Mean,
    /// <summary>Zero, in the member's own unit.</summary>
    Zero,
}

/// <summary>The colour mode an [Image] member is decoded to.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum ImageColor
{
    /// <summary>Three channels, red, green, blue (alpha dropped).</summary>
    Rgb,
    /// <summary>One channel of luma, L = 0.299 R + 0.587 G + 0.114 B (as PIL's "L" mode).</summary>
    Gray,
}

/// <summary>What to do with a record whose input cannot be read (an image missing, damaged or in an unsupported format).</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum BadRecordPolicy
{
    /// <summary>Stop before training with an error naming the split, the record, the member and the file (the default).</summary>
    Error,
    /// <summary>Leave the record out of its split, counted and reported per split with the first few named.</summary>
    Skip,
}

/// <summary>How a target finds its label bin among equal-width bins.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum BinRule
{
    /// <summary>
    /// Against float32 edges j * (Max - Min) / Count + Min, as numpy's histogram edges (the reference's age and STS-B code).
    /// </summary>
    Edges,
    /// <summary>
    /// min(int((target - Min) * (Count / (Max - Min))), Count - 1) in float32 arithmetic, as the reference's depth code
    /// (NYUD2-DIR's <c>get_bin_idx</c>: <c>min(int(x * np.float32(10)), 99)</c>). The two rules differ only for a few
    /// float32 values just below an edge, where the float32 product rounds up to the edge.
    /// </summary>
    Truncate,
}

/// <summary>How LDS's convolution treats the ends of the bin axis.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum LdsPadding
{
    /// <summary>Zeros beyond the ends (scipy's convolve1d mode "constant": the reference's age and STS-B code).</summary>
    Zero,
    /// <summary>The values mirrored at the ends, edge repeated (scipy's mode "reflect": d c b a | a b c d | d c b a; the reference's depth code).</summary>
    Reflect,
}
