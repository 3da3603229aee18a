namespace DirDsl;

/// <summary>
/// The training targets as a method that weights the loss sees them (<see cref="IVariantMethod.Weights"/>): their label
/// counts, always at hand, and their values, which a split that reads its targets again with each batch (a dense map's
/// training split over its memory budget) reads whole on first use.
/// </summary>
public sealed class TrainingTargets
{
    private readonly SplitData split;
    private readonly Lazy<long[]> counts;

    /// <summary>The targets of <paramref name="split"/> under <paramref name="bins"/> (the variant's label space).</summary>
    public TrainingTargets(SplitData split, LabelBins bins)
    {
        this.split = split;
        Bins = bins;
        InSplitBins = split.Summary.Bins.SameAs(bins);
        // Other bins than the split's (a search point that did not rebin the split) count the held values once.
        counts = new Lazy<long[]>(() => InSplitBins ? split.Summary.Counts : TargetSummary.Of(split.Targets, split.Shape, bins).Counts);
    }

    /// <summary>The shape of one record's target.</summary>
    public TargetShape Shape => split.Shape;
    /// <summary>The label space the counts and the weights are in.</summary>
    public LabelBins Bins { get; }
    /// <summary>
    /// Whether <see cref="Bins"/> are the split's own bins, the ones each batch carries: only then can weights per bin
    /// (<see cref="LossWeights.OfBins"/>) be gathered by a batch's bins.
    /// </summary>
    public bool InSplitBins { get; }
    /// <summary>Training target elements per bin of <see cref="Bins"/> (those that are there).</summary>
    public IReadOnlyList<long> Counts => counts.Value;
    /// <summary>
    /// The values of the target elements that are there, in order (<see cref="SplitData.ValidTargets"/>). Reading them holds
    /// every training target in memory: a method whose weights follow from <see cref="Counts"/> does not read them.
    /// </summary>
    public float[] Values => split.ValidTargets;
}

/// <summary>A method's loss weights: one per training target element, or one per label bin (a dense map's).</summary>
public sealed class LossWeights
{
    private LossWeights(float[]? elements, float[]? bins)
    {
        Elements = elements;
        PerBin = bins;
    }

    /// <summary>A weight per target element that is there (in the order of <see cref="TrainingTargets.Values"/>), or null.</summary>
    public float[]? Elements { get; }
    /// <summary>A weight per label bin (an element takes its bin's), or null.</summary>
    public float[]? PerBin { get; }

    /// <summary>Weights per element.</summary>
    public static LossWeights OfElements(float[] weights) => new(weights, null);

    /// <summary>
    /// Weights per label bin of the training split (<see cref="TrainingTargets.InSplitBins"/>); a bin no training element
    /// is in weighs 0, so the table holds only the weights training uses (as one gathered from per-element weights).
    /// </summary>
    /// <exception cref="ArgumentException">Not one weight per bin.</exception>
    public static LossWeights OfBins(float[] weights, IReadOnlyList<long> counts)
    {
        if (weights.Length != counts.Count) throw new ArgumentException($"{weights.Length} weights for {counts.Count} bins.", nameof(weights));
        var used = new float[weights.Length];
        for (int b = 0; b < used.Length; b++) used[b] = counts[b] == 0 ? 0f : weights[b];
        return new(null, used);
    }
}

/// <summary>
/// A split's target values read whole on first access only (<see cref="ModelContext.FitTargets"/>): a model that never
/// looks at them leaves a training split that streams its targets unread.
/// </summary>
internal sealed class TargetsOnDemand : IReadOnlyList<float>
{
    private readonly Lazy<float[]> values;

    /// <summary>Values <paramref name="read"/> gives on first access.</summary>
    public TargetsOnDemand(Func<float[]> read) => values = new Lazy<float[]>(read);

    /// <inheritdoc />
    public float this[int index] => values.Value[index];
    /// <inheritdoc />
    public int Count => values.Value.Length;
    /// <inheritdoc />
    public IEnumerator<float> GetEnumerator() => ((IEnumerable<float>)values.Value).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
