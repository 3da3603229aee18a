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
    /// The ablation plus the rows of the further methods the experiment declares (each method's
    /// <see cref="IVariantMethod.Rows"/>, in the order given: RRT, DenseWeight and Balanced MSE alone and with FDS,
    /// SMOTER, SMOGN, BSAM, ...).
    /// </summary>
    public static IReadOnlyList<DirVariant> Ablation(DirVariant configured, params IReadOnlyList<IVariantMethod> methods) =>
        Ablation(configured).Concat(methods.SelectMany(method => method.Rows(configured))).ToList();

    /// <summary>The configured variant and the rows of the further methods (no ablation).</summary>
    public static IReadOnlyList<DirVariant> Declared(DirVariant configured, params IReadOnlyList<IVariantMethod> methods) =>
        new[] { configured }.Concat(methods.SelectMany(method => method.Rows(configured))).ToList();

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
    public float[]? SampleWeights(ReadOnlySpan<float> trainTargets, LabelBins bins, TargetShape? shape = null)
    {
        foreach (var method in Methods)
            if (method.SampleWeights(trainTargets, BinsOr(bins), shape ?? TargetShape.Scalar) is { } own) return own;
        return null;
    }

    /// <summary>
    /// The loss weights of <paramref name="train"/>'s targets from the first method that weights (<see cref="IVariantMethod.Weights"/>,
    /// under <see cref="BinsOr"/> of <paramref name="bins"/>); null when none re-weights.
    /// </summary>
    public LossWeights? Weights(SplitData train, LabelBins bins)
    {
        var targets = new TrainingTargets(train, BinsOr(bins));
        foreach (var method in Methods)
            if (method.Weights(targets) is { } own) return own;
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

/// <summary>Row rules that several methods share.</summary>
public static class MethodRows
{
    /// <summary>The method alone and, when <paramref name="configured"/> has FDS, with it (the row NAME+FDS).</summary>
    public static IEnumerable<DirVariant> AloneAndWithFds(IVariantMethod method, DirVariant configured)
    {
        yield return new DirVariant(method.Name, method);
        if (configured.Method<FeatureSmoothing>() is { } fds) yield return new DirVariant(method.Name + "+FDS", method, fds);
    }
}
