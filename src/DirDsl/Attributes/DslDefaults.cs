// Dependency-free: linked into the generator so the defaults it assumes for an omitted
// attribute argument are, by construction, the ones the attribute classes declare.
namespace DirDsl;

/// <summary>Default values of the DSL's attribute arguments.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
static class DslDefaults
{
    /// <summary>Training epochs.</summary>
    public const int Epochs = 30;
    /// <summary>Mini-batch size.</summary>
    public const int BatchSize = 128;
    /// <summary>Learning rate.</summary>
    public const double LearningRate = 1e-3;
    /// <summary>Random seed.</summary>
    public const int Seed = 0;
    /// <summary>Divisor of the targets inside the loss (STS-B-DIR: 5).</summary>
    public const double TargetScale = 1.0;
    /// <summary>LDS / FDS kernel size.</summary>
    public const int KernelSize = 5;
    /// <summary>LDS / FDS kernel sigma.</summary>
    public const double KernelSigma = 2.0;
    /// <summary>FDS momentum.</summary>
    public const double Momentum = 0.9;
    /// <summary>First epoch whose end updates FDS statistics.</summary>
    public const int StartEpoch = 0;
    /// <summary>First epoch calibrated by FDS.</summary>
    public const int StartSmooth = 1;
    /// <summary>FDS variance-ratio clamp, lower bound (age code).</summary>
    public const double ClampMin = 0.1;
    /// <summary>FDS variance-ratio clamp, upper bound (age code).</summary>
    public const double ClampMax = 10.0;
    /// <summary>Many-shot: more training samples than this.</summary>
    public const int ManyAbove = 100;
    /// <summary>Few-shot: fewer training samples than this.</summary>
    public const int FewBelow = 20;
    /// <summary>Huber beta (its threshold between the squared and the linear part).</summary>
    public const double LossBeta = 1.0;
    /// <summary>Focal-R beta.</summary>
    public const double FocalBeta = 0.2;
    /// <summary>Focal-R gamma.</summary>
    public const double FocalGamma = 1.0;
    /// <summary>Seeds of an ablation.</summary>
    public const int Seeds = 1;
    /// <summary>Folds of [CrossValidation].</summary>
    public const int Folds = 5;
    /// <summary>Whether an ablation's table has the baseline rows Mean and Linear.</summary>
    public const bool Baselines = true;
    /// <summary>DenseWeight strength.</summary>
    public const double DenseAlpha = 1.0;
    /// <summary>BSAM's perturbation radius (the paper's 0.2).</summary>
    public const double BsamRho = 0.2;
    /// <summary>Balanced MSE initial noise sigma.</summary>
    public const double NoiseSigma = 1.0;
    /// <summary>Balanced MSE (GAI) mixture components.</summary>
    public const int MixtureComponents = 8;
    /// <summary>RRT second-stage epochs.</summary>
    public const int RrtEpochs = 10;
    /// <summary>SMOTER / SMOGN nearest neighbours.</summary>
    public const int Neighbours = 5;
    /// <summary>SMOTER / SMOGN relevance threshold: targets at or above it are rare.</summary>
    public const double RelevanceThreshold = 0.5;
    /// <summary>SMOGN Gaussian noise, as a fraction of each column's standard deviation.</summary>
    public const double Perturbation = 0.02;
    /// <summary>Multi-step schedule factor.</summary>
    public const double ScheduleGamma = 0.1;
    /// <summary>L2 weight decay.</summary>
    public const double WeightDecay = 0;
    /// <summary>The optimiser.</summary>
    public const OptimizerKind Optimizer = OptimizerKind.Adam;
    /// <summary>Gradient norm clip; 0 is off.</summary>
    public const double GradientClipNorm = 0;
    /// <summary>Early-stopping patience; 0 is off.</summary>
    public const int Patience = 0;
    /// <summary>Model selection by validation MSE (else MAE).</summary>
    public const bool SelectByMse = true;
    /// <summary>LDS re-weighting.</summary>
    public const Reweight LdsReweight = Reweight.SqrtInverse;
    /// <summary>LDS count clipping bound; negative is off.</summary>
    public const double CountClipOff = -1;
    /// <summary>FDS kernel over the bin axis.</summary>
    public const Kernel FdsKernel = Kernel.Gaussian;
    /// <summary>Which features feed the FDS statistics.</summary>
    public const FdsStatistics FdsStatisticsSource = FdsStatistics.EpochEndPass;
    /// <summary>Which statistics calibrate an epoch's batches (the reference's order).</summary>
    public const FdsOrder FdsOrder = DirDsl.FdsOrder.Reference;
    /// <summary>How a target finds its bin (numpy's float32 edges).</summary>
    public const BinRule BinRule = DirDsl.BinRule.Edges;
    /// <summary>LDS's padding at the ends of the bin axis (zeros, as the age code).</summary>
    public const LdsPadding LdsPadding = DirDsl.LdsPadding.Zero;
    /// <summary>First bin LDS and FDS smooth and keep statistics for; the bins below it take its values (0: every bin; the depth code: 7).</summary>
    public const int StartBin = 0;
    /// <summary>[DepthMap] Scale: stored values are the target's unit.</summary>
    public const double DepthScale = 1;
    /// <summary>[DepthMap] Min: a scaled value at or below 0 (a depth of 0, the usual "no reading") has no target.</summary>
    public const double DepthMin = 0;
    /// <summary>[DepthMap] Max: no upper bound.</summary>
    public const double DepthMax = double.PositiveInfinity;
    /// <summary>[DepthMap] MissingValue: none (NaN; a NaN stored value has no target anyway).</summary>
    public const double DepthMissingValue = double.NaN;
    /// <summary>What FDS's statistics hold for a bin never seen (the reference's age code: mean 0, variance 1).</summary>
    public const FdsUnseenBins FdsUnseenBins = DirDsl.FdsUnseenBins.Keep;
    /// <summary>Focal-R modulating function.</summary>
    public const FocalActivation FocalActivation = DirDsl.FocalActivation.Sigmoid;
    /// <summary>SMOTER / SMOGN under-sample the normal range.</summary>
    public const bool Undersample = true;
    /// <summary>What fills a missing value of a nullable [Feature].</summary>
    public const Imputation Imputation = DirDsl.Imputation.Median;
    /// <summary>SMOTER / SMOGN relevance function.</summary>
    public const RelevanceKind Relevance = RelevanceKind.Extremes;
    /// <summary>[Image] colour mode.</summary>
    public const ImageColor ImageColor = DirDsl.ImageColor.Rgb;
    /// <summary>[Image] normalisation mean, every channel (the reference's face recipe).</summary>
    public const double ImageMean = 0.5;
    /// <summary>[Image] normalisation standard deviation, every channel.</summary>
    public const double ImageStd = 0.5;
    /// <summary>[Image] training augmentation (random crop with padding, horizontal flip).</summary>
    public const bool ImageAugment = true;
    /// <summary>[Image] zero padding of the random crop, in pixels (the reference: 16).</summary>
    public const int ImagePadding = 16;
    /// <summary>[Image] random horizontal flip in training.</summary>
    public const bool ImageFlip = true;
    /// <summary>[Image] policy for an unreadable image.</summary>
    public const BadRecordPolicy BadImages = BadRecordPolicy.Error;
}
