namespace DirDsl;

/// <summary>
/// One configuration of an ablation: a row name plus its methods (<see cref="IVariantMethod"/>: re-weighting and LDS,
/// FDS, DenseWeight, Balanced MSE, RRT, SMOTER / SMOGN, BSAM, a user's own), each a unit whose hooks the trainer calls.
/// A variant with no method is Vanilla.
/// </summary>
/// <param name="Name">Table row name (Vanilla, SqrtInverse, LDS, FDS, LDS+FDS, ...).</param>
/// <param name="Methods">Its methods, in the order their hooks apply (the first with sample weights, records or stages decides them).</param>
public sealed record DirVariant(string Name, params IReadOnlyList<IVariantMethod> Methods)
{
    /// <summary>The plain model with the configured loss: no method.</summary>
    public static DirVariant Vanilla { get; } = new(DslRules.VariantName(lds: false, fds: false));

    /// <summary>The hyperparameter-search point this variant trains (null = not a search point).</summary>
    public SearchPoint? Point { get; init; }

    /// <summary>The label bins LDS and FDS use; null = the experiment's (evaluation always uses the experiment's).</summary>
    public LabelBins? Bins { get; init; }

    /// <summary>The first method of type <typeparamref name="T"/>, or null.</summary>
    public T? Method<T>() where T : class, IVariantMethod => Methods.OfType<T>().FirstOrDefault();

    /// <summary>The re-weighting (and LDS) of this variant, or null.</summary>
    public Reweighting? Reweighting => Method<Reweighting>();

    /// <summary>The LDS settings of this variant's re-weighting, or null.</summary>
    public LdsOptions? Lds => Reweighting?.Lds;

    /// <summary>Whether FDS calibrates this variant's features.</summary>
    public bool Fds => Method<FeatureSmoothing>() is not null;

    /// <summary>The optimiser step: the one method that owns it, or the plain step.</summary>
    /// <exception cref="InvalidOperationException">Two of the variant's methods each own the step.</exception>
    public IStepMethod Step => Methods.OfType<IStepMethod>().ToList() switch
    {
        [] => PlainStep.Instance,
        [var only] => only,
        var several => throw new InvalidOperationException(
            $"Variant {Name}: {string.Join(" and ", several.Select(m => m.GetType().Name))} each own the optimiser step; a variant can have one."),
    };

    /// <summary>
    /// The ablation plus the rows of further methods: DenseWeight and Balanced MSE, each alone and,
    /// when the configuration has FDS, with FDS; RRT; SMOTER and SMOGN; and each method unit alone (BSAM, ...).
    /// </summary>
    public static IReadOnlyList<DirVariant> Ablation(DirVariant configured, DirMethods methods) =>
        Ablation(configured).Concat(MethodRows(configured, methods)).ToList();

    /// <summary>The configured variant and the further methods' rows (no ablation).</summary>
    public static IReadOnlyList<DirVariant> Declared(DirVariant configured, DirMethods methods) =>
        new[] { configured }.Concat(MethodRows(configured, methods)).ToList();

    private static IEnumerable<DirVariant> MethodRows(DirVariant configured, DirMethods methods)
    {
        var fds = configured.Method<FeatureSmoothing>();
        if (methods.RrtEpochs > 0 && configured.Lds is not null)
        {
            // RRT (the paper's two-stage baseline): stage 1 without re-weighting, stage 2 retrains the
            // regressor on the frozen encoder with the configured LDS weights.
            var rrt = new RrtMethod(methods.RrtEpochs, methods.RrtLearningRate);
            yield return new DirVariant(rrt.Name, configured.Reweighting!, rrt);
        }
        if (methods.DenseAlpha >= 0)
        {
            var dense = new DenseWeighting(methods.DenseAlpha);
            yield return new DirVariant(dense.Name, dense);
            if (fds is not null) yield return new DirVariant(dense.Name + "+FDS", dense, fds);
        }
        if (methods.BalancedMse is { } balancedMse)
        {
            var balanced = new BalancedMseMethod(balancedMse);
            yield return new DirVariant(balanced.Name, balanced);
            if (fds is not null) yield return new DirVariant(balanced.Name + "+FDS", balanced, fds);
        }
        // Resampling (SMOTER / SMOGN) changes the training records, not the loss: alone, never re-weighted.
        foreach (var resampling in new[] { methods.Smoter, methods.Smogn })
        {
            if (resampling is not null) yield return new DirVariant(resampling.Name, new ResamplingMethod(resampling));
        }
        // A method that is a unit of its own trains alone as its row: its hooks decide weights and step.
        foreach (var unit in methods.Units ?? Array.Empty<IVariantMethod>())
            yield return new DirVariant(unit.Name, unit);
    }

    /// <summary>
    /// The ablation of the paper: Vanilla, re-weighting alone (when LDS is configured), LDS, FDS,
    /// LDS+FDS, keeping only the rows the configuration allows. The configured variant is last.
    /// </summary>
    public static IReadOnlyList<DirVariant> Ablation(DirVariant configured)
    {
        var reweighting = configured.Reweighting;
        var fds = configured.Method<FeatureSmoothing>();
        var rows = new List<DirVariant> { Vanilla };
        if (reweighting is { Kind: not Reweight.None }) rows.Add(new DirVariant(reweighting.Kind.ToString(), reweighting with { Lds = null }));
        if (reweighting?.Lds is not null) rows.Add(new DirVariant(DslRules.VariantName(lds: true, fds: false), reweighting));
        if (fds is not null) rows.Add(new DirVariant(DslRules.VariantName(lds: false, fds: true), fds));
        if (reweighting?.Lds is not null && fds is not null) rows.Add(configured with { Name = DslRules.VariantName(lds: true, fds: true) });
        return rows.GroupBy(r => r.Name).Select(g => g.Last()).ToList();
    }

    /// <summary>Per-sample loss weights of the training targets from the first method that has them; null when none re-weights.</summary>
    public float[]? SampleWeights(ReadOnlySpan<float> trainTargets, LabelBins bins)
    {
        foreach (var method in Methods)
            if (method.SampleWeights(trainTargets, BinsOr(bins)) is { } own) return own;
        return null;
    }

    /// <summary>Stops before training when one of this variant's methods cannot train a target of <paramref name="shape"/>, naming the row and why.</summary>
    /// <exception cref="ArgumentException">A method is defined for scalar targets only and the target has a shape.</exception>
    public void CheckTarget(TargetShape shape)
    {
        foreach (var method in Methods)
            if (method.Unsupported(shape) is { } why)
                throw new ArgumentException($"The row {Name} cannot train this experiment: {why}. Leave the row out with --variant, or give the record a scalar target.");
    }

    /// <summary>A file-system-safe form of the name.</summary>
    public string Slug => SlugOf(Name);

    /// <summary>The file-system-safe form of a variant name (checkpoint folders, figure names).</summary>
    public static string SlugOf(string name) => name.Replace('+', '-').Replace('@', '_').ToLowerInvariant();

    /// <summary>The label bins of this variant's LDS and FDS: its own (a search point's) or the experiment's.</summary>
    public LabelBins BinsOr(LabelBins experiment) => Bins ?? experiment;

    /// <summary>This variant with <paramref name="replacement"/> in the place of its first method of the same type.</summary>
    public DirVariant Replacing<T>(T replacement) where T : class, IVariantMethod =>
        this with { Methods = Methods.Select(m => m is T ? replacement : m).ToList() };
}

/// <summary>The optional methods an experiment declares beyond LDS and FDS (the generated configuration names those it has).</summary>
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
