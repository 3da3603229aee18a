namespace DirDsl;

/// <summary>One configuration of an ablation: which re-weighting, whether LDS smooths it, whether FDS calibrates.</summary>
/// <param name="Name">Table row name (Vanilla, Inverse, SqrtInverse, LDS, FDS, LDS+FDS).</param>
/// <param name="Reweight">Re-weighting of the loss.</param>
/// <param name="Lds">LDS settings, or null for none.</param>
/// <param name="Fds">Whether FDS is on.</param>
/// <param name="ClipMin">Lower clip of per-bin counts (negative = off).</param>
/// <param name="ClipMax">Upper clip of per-bin counts (negative = off).</param>
/// <param name="DenseAlpha">DenseWeight strength instead of LDS/re-weighting (negative = off).</param>
/// <param name="BalancedMse">Balanced MSE instead of the configured loss (null = off).</param>
public sealed record DirVariant(string Name, Reweight Reweight, LdsOptions? Lds, bool Fds, double ClipMin = DslDefaults.CountClipOff,
    double ClipMax = DslDefaults.CountClipOff, double DenseAlpha = DslDefaults.DenseAlphaOff, BalancedMseOptions? BalancedMse = null)
{
    /// <summary>RRT's second stage: epochs of retraining the regressor (0 = not an RRT variant).</summary>
    public int RrtEpochs { get; init; }

    /// <summary>RRT's second stage: learning rate of the regressor.</summary>
    public double RrtLearningRate { get; init; }

    /// <summary>SMOTER / SMOGN resampling of the training split (null = the records as they are).</summary>
    public ResamplingOptions? Resampling { get; init; }

    /// <summary>The hyperparameter-search point this variant trains (null = not a search point).</summary>
    public SearchPoint? Point { get; init; }

    /// <summary>The label bins LDS and FDS use; null = the experiment's (evaluation always uses the experiment's).</summary>
    public LabelBins? Bins { get; init; }

    /// <summary>The methods of this variant that are units of their own (<see cref="IVariantMethod"/>, such as BSAM): their hooks decide it.</summary>
    public IReadOnlyList<IVariantMethod> Methods { get; init; } = Array.Empty<IVariantMethod>();

    /// <summary>The optimiser step: the one method that owns it, or the plain step.</summary>
    public IStepMethod Step => Methods.OfType<IStepMethod>().SingleOrDefault() ?? PlainStep.Instance;

    /// <summary>The first stage of an RRT variant: the same model trained without re-weighting.</summary>
    public DirVariant RrtStageOne => new("RRT-stage1", Reweight.None, null, false);

    /// <summary>
    /// The ablation plus the rows of further methods: DenseWeight and Balanced MSE, each alone and,
    /// when the configuration has FDS, with FDS; and RRT.
    /// </summary>
    public static IReadOnlyList<DirVariant> Ablation(DirVariant configured, DirMethods methods) =>
        Ablation(configured).Concat(MethodRows(configured, methods)).ToList();

    /// <summary>The configured variant and the further methods' rows (no ablation).</summary>
    public static IReadOnlyList<DirVariant> Declared(DirVariant configured, DirMethods methods) =>
        new[] { configured }.Concat(MethodRows(configured, methods)).ToList();

    private static IEnumerable<DirVariant> MethodRows(DirVariant configured, DirMethods methods)
    {
        bool fds = configured.Fds;
        double denseAlpha = methods.DenseAlpha;
        var balancedMse = methods.BalancedMse;
        if (methods.RrtEpochs > 0 && configured.Lds is not null)
        {
            // RRT (the paper's two-stage baseline): stage 1 without re-weighting, stage 2 retrains the
            // regressor on the frozen encoder with the configured LDS weights.
            yield return new DirVariant("RRT", configured.Reweight, configured.Lds, false, configured.ClipMin, configured.ClipMax)
            {
                RrtEpochs = methods.RrtEpochs,
                RrtLearningRate = methods.RrtLearningRate,
            };
        }
        if (denseAlpha >= 0)
        {
            yield return new DirVariant("DenseWeight", Reweight.None, null, false, DenseAlpha: denseAlpha);
            if (fds) yield return new DirVariant("DenseWeight+FDS", Reweight.None, null, true, DenseAlpha: denseAlpha);
        }
        if (balancedMse is not null)
        {
            var name = "BMSE-" + balancedMse.Kind.ToString().ToUpperInvariant();
            yield return new DirVariant(name, Reweight.None, null, false, BalancedMse: balancedMse);
            if (fds) yield return new DirVariant(name + "+FDS", Reweight.None, null, true, BalancedMse: balancedMse);
        }
        // Resampling (SMOTER / SMOGN) changes the training records, not the loss: alone, never re-weighted.
        foreach (var resampling in new[] { methods.Smoter, methods.Smogn })
        {
            if (resampling is not null) yield return new DirVariant(resampling.Name, Reweight.None, null, false) { Resampling = resampling };
        }
        // A method that is a unit of its own trains alone as its row: its hooks decide weights and step.
        foreach (var unit in methods.Units ?? Array.Empty<IVariantMethod>())
            yield return new DirVariant(unit.Name, Reweight.None, null, false) { Methods = new[] { unit } };
    }

    /// <summary>
    /// The ablation of the paper: Vanilla, re-weighting alone (when LDS is configured), LDS, FDS,
    /// LDS+FDS, keeping only the rows the configuration allows. The configured variant is last.
    /// </summary>
    public static IReadOnlyList<DirVariant> Ablation(DirVariant configured)
    {
        var rows = new List<DirVariant> { new(DslRules.VariantName(lds: false, fds: false), Reweight.None, null, false) };
        if (configured.Reweight != Reweight.None)
            rows.Add(configured with { Name = configured.Reweight.ToString(), Lds = null, Fds = false });
        if (configured.Lds is not null) rows.Add(configured with { Name = DslRules.VariantName(lds: true, fds: false), Fds = false });
        if (configured.Fds) rows.Add(new DirVariant(DslRules.VariantName(lds: false, fds: true), Reweight.None, null, true));
        if (configured.Lds is not null && configured.Fds) rows.Add(configured with { Name = DslRules.VariantName(lds: true, fds: true) });
        return rows.GroupBy(r => r.Name).Select(g => g.Last()).ToList();
    }

    /// <summary>Per-sample loss weights of the training targets: a method's own, DenseWeight's or the re-weighting's; null when the loss is not weighted.</summary>
    public float[]? SampleWeights(ReadOnlySpan<float> trainTargets, LabelBins bins)
    {
        foreach (var method in Methods)
            if (method.SampleWeights(trainTargets, BinsOr(bins)) is { } own) return own;
        if (DenseAlpha >= 0) return DenseWeight.SampleWeights(trainTargets, DenseAlpha);
        if (Reweight == Reweight.None) return null;
        return LabelDistribution.SampleWeights(trainTargets, BinsOr(bins), Reweight, Lds, ClipMin >= 0 ? ClipMin : null, ClipMax >= 0 ? ClipMax : null);
    }

    /// <summary>A file-system-safe form of the name.</summary>
    public string Slug => SlugOf(Name);

    /// <summary>The file-system-safe form of a variant name (checkpoint folders, figure names).</summary>
    public static string SlugOf(string name) => name.Replace('+', '-').Replace('@', '_').ToLowerInvariant();

    /// <summary>The label bins of this variant's LDS and FDS: its own (a search point's) or the experiment's.</summary>
    public LabelBins BinsOr(LabelBins experiment) => Bins ?? experiment;
}

/// <summary>The optional methods an experiment declares beyond LDS and FDS.</summary>
/// <param name="DenseAlpha">DenseWeight strength (negative = not declared).</param>
/// <param name="BalancedMse">Balanced MSE settings (null = not declared).</param>
/// <param name="RrtEpochs">RRT second-stage epochs (0 = not declared).</param>
/// <param name="RrtLearningRate">RRT second-stage learning rate.</param>
/// <param name="Smoter">SMOTER settings (null = not declared).</param>
/// <param name="Smogn">SMOGN settings (null = not declared).</param>
public sealed record DirMethods(double DenseAlpha = DslDefaults.DenseAlphaOff, BalancedMseOptions? BalancedMse = null, int RrtEpochs = 0,
    double RrtLearningRate = DslDefaults.LearningRate, ResamplingOptions? Smoter = null, ResamplingOptions? Smogn = null)
{
    /// <summary>Methods that are units of their own (<see cref="IVariantMethod"/>): each adds its row.</summary>
    public IReadOnlyList<IVariantMethod>? Units { get; init; }
}
