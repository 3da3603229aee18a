// Dependency-free: linked into the generator, so the compile-time validator (DIRnnn), the runtime constructors,
// the search grid and the dirdsl tool decide validity with the same predicates.
namespace DirDsl;

/// <summary>The rules a DIR setting must satisfy, stated once for every caller.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
static class DslRules
{
    /// <summary>A kernel window has an odd size of at least 3 (DIR002).</summary>
    public static bool IsValidKernelSize(int size) => size >= 3 && size % 2 == 1;

    /// <summary>Folds of a cross-validation: at least 3 (one tests, one validates, the rest train).</summary>
    public static bool IsValidFolds(int folds) => folds >= 3;

    /// <summary>A base learning rate: finite and greater than 0.</summary>
    public static bool IsValidLearningRate(double rate) => rate > 0 && !double.IsInfinity(rate);

    /// <summary>An L2 weight decay: finite, 0 or more.</summary>
    public static bool IsValidWeightDecay(double decay) => decay >= 0 && !double.IsInfinity(decay);

    /// <summary>A kernel's sigma is a finite number greater than 0 (DIR003).</summary>
    public static bool IsValidSigma(double sigma) => sigma > 0 && !double.IsInfinity(sigma);

    /// <summary>Why a kernel (size, sigma) is invalid, or null when it is valid.</summary>
    public static string? KernelProblem(int size, double sigma)
    {
        if (!IsValidKernelSize(size)) return $"kernel size must be an odd number of at least 3, not {size}";
        if (!IsValidSigma(sigma)) return $"sigma must be a finite number greater than 0, not {sigma}";
        return null;
    }

    /// <summary>DenseWeight's strength: finite and greater than 0 (0 would give unit weights, the Vanilla row) (DIR033).</summary>
    public static bool IsValidDenseAlpha(double alpha) => alpha > 0 && !double.IsInfinity(alpha);

    /// <summary>LDS count clip: either bound off (negative), or ClipMin at most ClipMax (DIR030).</summary>
    public static bool IsValidCountClip(double clipMin, double clipMax) => clipMin < 0 || clipMax < 0 || clipMin <= clipMax;

    /// <summary>SMOTER / SMOGN neighbours: at least 1 (DIR036).</summary>
    public static bool IsValidNeighbours(int neighbours) => neighbours >= 1;

    /// <summary>SMOTER / SMOGN relevance threshold: in (0, 1] (DIR036).</summary>
    public static bool IsValidRelevanceThreshold(double threshold) => threshold > 0 && threshold <= 1;

    /// <summary>SMOGN's perturbation: finite and greater than 0 (DIR036; SMOTER does not perturb).</summary>
    public static bool IsValidPerturbation(double perturbation) => perturbation > 0 && !double.IsInfinity(perturbation);

    /// <summary>BSAM's perturbation radius: finite and greater than 0 (DIR044).</summary>
    public static bool IsValidBsamRho(double rho) => rho > 0 && !double.IsInfinity(rho);

    /// <summary>FDS momentum lies in [0, 1) (DIR004).</summary>
    public static bool IsValidMomentum(double momentum) => momentum >= 0 && momentum < 1;

    /// <summary>FDS's statistics start updating at an epoch of 0 or more (DIR005).</summary>
    public static bool IsValidStartEpoch(int startEpoch) => startEpoch >= 0;

    /// <summary>Calibration starts after the first statistics update: StartSmooth &gt; StartEpoch (DIR006).</summary>
    public static bool IsValidStartSmooth(int startEpoch, int startSmooth) => startSmooth > startEpoch;

    /// <summary>FDS clamps the variance ratio to [min, max] with 0 &lt; min &lt;= max &lt; infinity (DIR025).</summary>
    public static bool IsValidClamp(double min, double max) => min > 0 && min <= max && !double.IsInfinity(max);

    /// <summary>Half an FDS window: its reflect padding needs more label bins than this (DIR026, DIR037).</summary>
    public static int FdsPadding(int size) => (size - 1) / 2;

    /// <summary>FDS's reflect padding of half the window needs more bins than that half (DIR026, DIR037).</summary>
    public static bool HasEnoughBinsForFds(int bins, int size) => bins > FdsPadding(size);

    /// <summary>Shot thresholds: few-shot below FewBelow, many-shot above ManyAbove, with 0 &lt;= FewBelow &lt;= ManyAbove + 1 (DIR040).</summary>
    public static bool IsValidShotThresholds(int manyAbove, int fewBelow) => fewBelow >= 0 && fewBelow <= manyAbove + 1;

    /// <summary>The largest [Image(Size)] (pixels per side).</summary>
    public const int MaxImageSize = 4096;

    /// <summary>[Image(Size)]: 1 to <see cref="MaxImageSize"/> pixels per side (DIR041).</summary>
    public static bool IsValidImageSize(int size) => size >= 1 && size <= MaxImageSize;

    /// <summary>[Image(Mean)]: finite (DIR041).</summary>
    public static bool IsValidImageMean(double mean) => !double.IsNaN(mean) && !double.IsInfinity(mean);

    /// <summary>[Image(Std)]: positive and finite (DIR041).</summary>
    public static bool IsValidImageStd(double std) => std > 0 && !double.IsInfinity(std);

    /// <summary>[Image(Padding)]: 0 to Size pixels (DIR041).</summary>
    public static bool IsValidImagePadding(int padding, int size) => padding >= 0 && padding <= size;

    /// <summary>Channels of an image in a colour mode.</summary>
    public static int ImageChannels(ImageColor color) => color == ImageColor.Gray ? 1 : 3;

    /// <summary>The table row of a configuration with or without LDS and FDS (the ablation's names).</summary>
    public static string VariantName(bool lds, bool fds) => (lds, fds) switch
    {
        (true, true) => "LDS+FDS",
        (true, false) => "LDS",
        (false, true) => "FDS",
        _ => "Vanilla",
    };

    /// <summary>LDS's and FDS's StartBin: a bin of the label space, 0 to bins - 1 (DIR049).</summary>
    public static bool IsValidStartBin(int startBin, int bins) => startBin >= 0 && startBin < bins;

    /// <summary>[DepthMap] Height and Width: 1 to <see cref="MaxImageSize"/> pixels (DIR048).</summary>
    public static bool IsValidDepthMapSide(int side) => side >= 1 && side <= MaxImageSize;

    /// <summary>[DepthMap] Scale, from the stored value to the target's unit: finite and greater than 0 (DIR048).</summary>
    public static bool IsValidDepthScale(double scale) => scale > 0 && !double.IsInfinity(scale);

    /// <summary>[DepthMap] valid range (Min, Max]: Min finite, Max above it (Max may be +infinity: no upper bound) (DIR048).</summary>
    public static bool IsValidDepthRange(double min, double max) => !double.IsNaN(min) && !double.IsInfinity(min) && max > min;

    /// <summary>[DepthMap] MissingValue: a finite stored value, or NaN for none (DIR048).</summary>
    public static bool IsValidMissingValue(double missing) => double.IsNaN(missing) || !double.IsInfinity(missing);
}
