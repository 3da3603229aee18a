namespace DirDsl;

/// <summary>What one variant of an experiment achieved, selected on validation and reported on test.</summary>
/// <param name="Variant">Variant name.</param>
/// <param name="BestEpoch">Epoch of the best validation score (the reported model).</param>
/// <param name="EpochsRun">Epochs trained (fewer than configured after early stopping).</param>
/// <param name="Validation">Shot-wise metrics on validation.</param>
/// <param name="Test">Shot-wise metrics on test, groups from training counts.</param>
/// <param name="TestExplicitGroups">Test metrics with the explicit [ShotGroups] lists, when given.</param>
/// <param name="History">Per-epoch history.</param>
/// <param name="TestPredictions">Test predictions in the target's unit, in test order.</param>
/// <param name="Fds">The FDS statistics of the selected model, when the variant uses FDS.</param>
/// <param name="Seed">The seed this variant was trained with.</param>
/// <param name="NoiseSigma">The trained Balanced MSE noise scale of the selected model (in the loss's target unit), when the variant uses Balanced MSE.</param>
public sealed record VariantResult(string Variant, int BestEpoch, int EpochsRun, ShotReport Validation, ShotReport Test,
    ShotReport? TestExplicitGroups, IReadOnlyList<EpochRecord> History, float[] TestPredictions, FdsSnapshot? Fds = null, int Seed = 0,
    double? NoiseSigma = null)
{
    /// <summary>The searched variant (LDS, FDS, LDS+FDS) when this is a hyperparameter-search point, else null.</summary>
    public string? SearchOf { get; init; }

    /// <summary>What decided this result (settings, variant, seed, epochs, held-out ranges, data hashes): see <see cref="RunFingerprint"/>.</summary>
    public IReadOnlyDictionary<string, string>? Fingerprint { get; init; }

    /// <summary>A vector target's elements each evaluated on the test split, or null for a scalar or map target.</summary>
    public IReadOnlyList<ElementReport>? TestElements { get; init; }

    /// <summary>A depth map target's pixel metrics on the test split (RMSE, MAE, AbsRel, log10, delta1-3 per shot group; see <see cref="DepthReports"/>), or null.</summary>
    public DepthShotReport? TestDepth { get; init; }

    /// <summary><see cref="TestDepth"/> with the explicit shot groups of [ShotGroups] (NYUD2-DIR's published bins), or null.</summary>
    public DepthShotReport? TestDepthExplicitGroups { get; init; }

    /// <summary>The fold (1-based) of a [CrossValidation] run this result was trained and tested on, or null.</summary>
    public int? Fold { get; init; }
}

/// <summary>All variants of one run of an experiment.</summary>
/// <param name="Experiment">The experiment class.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Epochs">Configured epochs.</param>
/// <param name="Bins">The label space.</param>
/// <param name="TrainCounts">Training samples (target elements) per bin.</param>
/// <param name="TestTargets">Test targets in order (the target elements that are there, for a vector or map target).</param>
/// <param name="Variants">One result per variant.</param>
/// <param name="Configured">The variant the attributes describe (its LDS settings draw the density figure).</param>
public sealed record ExperimentResult(string Experiment, int Seed, int Epochs, LabelBins Bins, int[] TrainCounts,
    float[] TestTargets, IReadOnlyList<VariantResult> Variants, DirVariant? Configured = null)
{
    /// <summary>Whether validation MSE (else MAE) selects epochs and search points.</summary>
    public bool SelectByMse { get; init; } = true;

    /// <summary>The shape of a record's target (a scalar unless the experiment's target has a shape).</summary>
    public TargetShape Target { get; init; } = TargetShape.Scalar;

    /// <summary>
    /// Where each of <see cref="TestTargets"/> sits among the test split's target elements (record x elements + element),
    /// or null when they are all of them in order (no element missing).
    /// </summary>
    public int[]? TestPositions { get; init; }

    /// <summary>The shot groups of the tables (from the training counts), when known.</summary>
    public ShotGroups? Groups { get; init; }

    /// <summary>The explicit shot groups of [ShotGroups], when given.</summary>
    public ShotGroups? ExplicitGroups { get; init; }

    /// <summary>The distinct seeds of the run, ascending.</summary>
    public IReadOnlyList<int> Seeds => Variants.Select(v => v.Seed).Distinct().OrderBy(s => s).ToArray();

    /// <summary>The folds of a [CrossValidation] run (their variants are in <see cref="Variants"/>, each with its fold), or 0.</summary>
    public int FoldCount { get; init; }

    /// <summary>The distinct variant names, in run order.</summary>
    public IReadOnlyList<string> VariantNames => Variants.Select(v => v.Variant).Distinct().ToArray();
}

/// <summary>The per-bin FDS statistics at the end of training, as plain arrays (for the similarity figure and results).</summary>
/// <param name="RunningMean">[bins][D] running means (what calibration whitens).</param>
/// <param name="RunningVar">[bins][D] running variances.</param>
/// <param name="SmoothedMean">[bins][D] kernel-smoothed means (what calibration moves to).</param>
/// <param name="SmoothedVar">[bins][D] kernel-smoothed variances.</param>
public sealed record FdsSnapshot(float[][] RunningMean, float[][] RunningVar, float[][] SmoothedMean, float[][] SmoothedVar);

/// <summary>Draws a run's figures (the DirDsl.Figures package provides one; the core package draws nothing).</summary>
public interface IFigureWriter
{
    /// <summary>Writes the figures of <paramref name="result"/> into <paramref name="folder"/> and returns their paths.</summary>
    IReadOnlyList<string> Write(ExperimentResult result, string folder);
}
