namespace DirDsl;

/// <summary>
/// RRT, the paper's two-stage baseline, as a method of a variant: stage 1 trains the same model without re-weighting
/// (as its own variant, <see cref="StageOne"/>), stage 2 keeps its encoder, frozen, and retrains a freshly initialised
/// regressor for <paramref name="Epochs"/> epochs at <paramref name="LearningRate"/> with the variant's other methods'
/// weights (its LDS re-weighting).
/// </summary>
/// <param name="Epochs">Epochs of the second stage.</param>
/// <param name="LearningRate">Learning rate of the second stage.</param>
public sealed record RrtMethod(int Epochs, double LearningRate) : IVariantMethod
{
    /// <inheritdoc />
    public string Name => "RRT";

    /// <inheritdoc />
    /// <remarks>Works per target element: any shape.</remarks>
    public string? Unsupported(TargetShape shape) => null;

    /// <summary>The first stage: the same model trained without re-weighting.</summary>
    public static DirVariant StageOne { get; } = new("RRT-stage1");

    /// <inheritdoc />
    public StagePlan? Stages(DirVariant variant, TrainerSettings settings, int epochs) => new(StageOne, Epochs, _ => LearningRate);

    /// <inheritdoc />
    /// <remarks>One row with the configured LDS re-weighting for its second stage; none when the configuration has no LDS (DIR035 at compile time).</remarks>
    public IEnumerable<DirVariant> Rows(DirVariant configured) =>
        configured.Reweighting is { Lds: not null } reweighting ? new[] { new DirVariant(Name, reweighting, this) } : Array.Empty<DirVariant>();
}

/// <summary>
/// The training stages of a variant: one stage of the experiment's epochs and schedule, or, when a method says so (RRT),
/// a first stage trained as its own variant, then this one on its frozen encoder.
/// </summary>
/// <param name="FirstStage">The variant trained before this one, whose encoder this one keeps (RRT), or null.</param>
/// <param name="Epochs">Epochs of this stage.</param>
/// <param name="LearningRateAt">The learning rate of an epoch of this stage.</param>
public sealed record StagePlan(DirVariant? FirstStage, int Epochs, Func<int, double> LearningRateAt)
{
    /// <summary>The stages of <paramref name="variant"/>: its methods' (the first that has any), else one stage.</summary>
    public static StagePlan For(DirVariant variant, TrainerSettings settings, int epochs) =>
        variant.Methods.Select(m => m.Stages(variant, settings, epochs)).FirstOrDefault(s => s is not null)
        ?? new StagePlan(null, epochs, epoch => settings.LearningRateAt(epoch, epochs));

    /// <summary>The epochs the variant trains at most, first stage included.</summary>
    public int PlannedEpochs(int epochs) => FirstStage is null ? Epochs : epochs + Epochs;
}
