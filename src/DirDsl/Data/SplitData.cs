using static TorchSharp.torch;

namespace DirDsl;

/// <summary>How a split reaches the model: as tensors held whole on the device, or streamed in batches.</summary>
public enum DataPath
{
    /// <summary>Held whole when the mapped rows fit under <see cref="SplitData.InMemoryLimitBytes"/> and the records are not streamed from disk; streamed otherwise.</summary>
    Auto,
    /// <summary>One tensor per split on the device (the fast path for data that fits).</summary>
    InMemory,
    /// <summary>Records read and mapped in batches by parallel workers with a bounded prefetch queue; memory independent of the record count.</summary>
    Streaming,
}

/// <summary>
/// Marks a record list whose records are read from storage on access (a streamed CSV, a folder of images):
/// <see cref="DataPath.Auto"/> streams such a split instead of mapping it into one tensor.
/// </summary>
public interface IStreamingRecords
{
}

/// <summary>One batch of a split on the run's device, created in the caller's dispose scope.</summary>
/// <param name="Index">Record indices within the split, int64 [n].</param>
/// <param name="Inputs">Mapped input rows [n, W] (float32).</param>
/// <param name="ScaledTargets">Targets divided by the target scale, [n, ..shape] ([n, 1] for a scalar); a missing element is 0.</param>
/// <param name="Bins">Label bins, int64 [n] for a scalar target, [n, ..shape] otherwise (a missing element's bin is <see cref="SplitData.MissingBin"/>, -1: no bin, so nothing can gather a per-bin value for it).</param>
public sealed record DataBatch(Tensor Index, Tensor Inputs, Tensor ScaledTargets, Tensor Bins)
{
    /// <summary>1 where an element has a target, 0 where it is missing, [n, ..shape]; null when every element has one.</summary>
    public Tensor? Mask { get; init; }
}

/// <summary>Reads batches of a split in a fixed order. <see cref="Next"/> creates the batch's tensors in the current dispose scope.</summary>
public interface IBatchReader : IDisposable
{
    /// <summary>The next batch, or null after the last one.</summary>
    DataBatch? Next();
}

/// <summary>
/// A split as the trainer sees it: its targets and bins (small arrays, always in memory) and its input rows,
/// which are read batch by batch. <see cref="DirDataset"/> holds the rows as one tensor;
/// <see cref="StreamingSplit{T}"/> maps records per batch on worker threads.
/// </summary>
public abstract class SplitData : IDisposable
{
    private Lazy<int[]?>? validPositions;

    /// <summary>
    /// Above this many bytes of mapped float32 input rows, <see cref="DataPath.Auto"/> streams a split instead of
    /// holding it whole (1 GiB).
    /// </summary>
    public const long InMemoryLimitBytes = 1L << 30;

    /// <summary>Rows per chunk in sequential passes (prediction, FDS statistics): large chunks amortise per-call overhead.</summary>
    public const int PassChunkRows = 4096;

    /// <summary>The split's name (train, validation, test), for errors.</summary>
    public abstract string Name { get; }
    /// <summary>
    /// Targets in their own unit, <see cref="Shape"/>.Elements per record (row-major); NaN where an element of a vector or
    /// map is missing.
    /// </summary>
    public abstract float[] Targets { get; }
    /// <summary>Label bin of each target element (<see cref="MissingBin"/> for a missing one, which the masks leave out).</summary>
    public abstract long[] Bins { get; }
    /// <summary>The shape of one record's target.</summary>
    public abstract TargetShape Shape { get; }
    /// <summary>The positions in <see cref="Targets"/> of the elements that have a target, or null when all have one.</summary>
    public int[]? ValidPositions => (validPositions ??= new Lazy<int[]?>(() => TargetElements.ValidPositions(Targets))).Value;
    /// <summary>The targets that are there (every one when none is missing): what label counts and metrics see.</summary>
    public float[] ValidTargets => TargetElements.Select(Targets, ValidPositions);
    /// <summary>Which input columns are one-hot category blocks.</summary>
    public abstract FeatureLayout Layout { get; }
    /// <summary>Number of records.</summary>
    public int Count => Summary.Records;
    /// <summary>
    /// The targets as a whole (label counts, edge values, targets outside the bins, element means, content hash), under
    /// the split's label bins: what a run reads instead of <see cref="Targets"/>, so a split that streams its targets is
    /// never read whole for them.
    /// </summary>
    public abstract TargetSummary Summary { get; }
    /// <summary>
    /// Whether <see cref="Targets"/> and <see cref="Bins"/> are held in memory (true), or each batch reads its records'
    /// targets again (a dense map's training split over its budget): then the arrays are read on first use only, by what
    /// needs every value (DenseWeight's density, the Linear baseline), and the memory bound no longer holds.
    /// </summary>
    public virtual bool HoldsTargets => true;
    /// <summary>
    /// Whether a split that does not hold its targets (<see cref="HoldsTargets"/> false) has since been read whole by
    /// something that needs every value (DenseWeight's density per value): its targets are then in memory
    /// after all, and a run says so.
    /// </summary>
    public virtual bool ReadWholeOverBudget => false;
    /// <summary>
    /// A short hash of the split's content for run fingerprints: the mapped rows and targets of a split held whole; the
    /// targets (and the record count) of a streamed one, whose rows are never all in memory at once.
    /// </summary>
    public abstract string ContentHash { get; }
    /// <summary>Whether batches are mapped from records on demand (true) or cut from tensors held whole (false).</summary>
    public abstract bool IsStreaming { get; }

    /// <summary>
    /// Reads the given batches of record indices, in order; with <paramref name="augmentation"/>, an augmenting map's
    /// records come transformed by the epoch's draws (training batches only).
    /// </summary>
    /// <remarks>
    /// A batch is read before the next is asked for, and a streamed split maps a few batches ahead on worker threads, so the
    /// memory behind each batch must not change while the reader is in use (<see cref="TrainingKit.Batches"/> hands out
    /// slices of one permutation array per epoch).
    /// </remarks>
    public abstract IBatchReader Read(IEnumerable<ReadOnlyMemory<long>> batches, Augmentation? augmentation = null);

    /// <summary>Reads the given batches of record indices, each its own array (see the overload over memory slices).</summary>
    public IBatchReader Read(IEnumerable<long[]> batches, Augmentation? augmentation = null) =>
        Read(batches.Select(batch => (ReadOnlyMemory<long>)batch), augmentation);

    /// <summary>Reads the whole split in order, in chunks of <paramref name="chunk"/> rows.</summary>
    public IBatchReader ReadInOrder(int chunk = PassChunkRows) => Read(TrainingKit.InOrder(Count, chunk));

    /// <summary>The same records with their targets binned by <paramref name="labelBins"/> (a hyperparameter-search point's bins).</summary>
    public abstract SplitData Rebinned(LabelBins labelBins, double targetScale);

    /// <summary>
    /// This split resampled with SMOTER or SMOGN (a new split; this one is unchanged). Only ever the training split.
    /// </summary>
    public abstract SplitData Resample(ResamplingOptions options, LabelBins labelBins, double targetScale, int seed, out ResampledRows summary);

    /// <summary>
    /// Maps a split: held whole as tensors (<see cref="DirDataset"/>) or streamed (<see cref="StreamingSplit{T}"/>),
    /// as <paramref name="path"/> says; <see cref="DataPath.Auto"/> decides by <see cref="IStreamingRecords"/> and size.
    /// </summary>
    /// <exception cref="DirDataException">An empty split, or a record with a bad feature or target.</exception>
    /// <remarks>With <c>clipTargets</c>, target values are clipped to [LabelBins] (--outside-bins clip).</remarks>
    /// <remarks>With <c>maskedRanges</c>, a map's pixels whose target lies in one of them have no target (--holdout on a dense map).</remarks>
    /// <remarks>
    /// With <c>holdTargets</c> false, a streamed split does not hold its targets: each batch reads them again
    /// (<see cref="HoldsTargets"/>); a split held whole always holds them.
    /// </remarks>
    public static SplitData Create<T>(IFeatureMap<T> map, IReadOnlyList<T> records, string split, LabelBins labelBins, double targetScale,
        Device device, DataPath path = DataPath.Auto, bool clipTargets = false, IReadOnlyList<TargetRange>? maskedRanges = null, bool holdTargets = true) =>
        Create(map, records, split, new TargetReading(labelBins, clipTargets, maskedRanges), targetScale, device, path, holdTargets);

    /// <summary>
    /// <see cref="Create{T}(IFeatureMap{T}, IReadOnlyList{T}, string, LabelBins, double, Device, DataPath, bool, IReadOnlyList{TargetRange}?, bool)"/>
    /// with the target rules of <paramref name="reading"/>.
    /// </summary>
    public static SplitData Create<T>(IFeatureMap<T> map, IReadOnlyList<T> records, string split, TargetReading reading, double targetScale,
        Device device, DataPath path = DataPath.Auto, bool holdTargets = true) =>
        ChoosePath(path, records, map.Width, map is IAugmentingMap<T> { Augments: true }) == DataPath.Streaming
            ? new StreamingSplit<T>(map, records, split, reading, targetScale, device, holdTargets: holdTargets)
            : DirDataset.Build(map, records, split, reading, targetScale, device);

    /// <summary>
    /// The path <see cref="DataPath.Auto"/> takes for these records: streamed when read from storage, too large to
    /// hold, or augmented (rows that change every epoch are mapped per batch).
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="DataPath.InMemory"/> asked of augmented records.</exception>
    public static DataPath ChoosePath<T>(DataPath path, IReadOnlyList<T> records, int width, bool augmented = false) => path switch
    {
        DataPath.InMemory when augmented => throw new ArgumentException(
            "--data-path memory cannot hold augmented records (their rows change every epoch): use --data-path auto or stream.", nameof(path)),
        DataPath.Auto => augmented || records is IStreamingRecords || (long)records.Count * width * sizeof(float) > InMemoryLimitBytes
            ? DataPath.Streaming : DataPath.InMemory,
        _ => path,
    };

    /// <summary>The bin of a missing element (NaN target): none.</summary>
    public const long MissingBin = -1;

    /// <summary>The bin of one target element: <see cref="MissingBin"/> for a missing one (NaN), else its label bin.</summary>
    protected static long ElementBin(float target, LabelBins labelBins) => float.IsNaN(target) ? MissingBin : labelBins.BinOf(target);

    /// <summary>
    /// Bins of target elements under a label space, as the int64 indices torch takes (LabelBins computes them); a missing
    /// element (NaN) gets <see cref="MissingBin"/>, and its mask leaves it out of everything.
    /// </summary>
    protected static long[] BinsOf(float[] targets, LabelBins labelBins)
    {
        var positions = TargetElements.ValidPositions(targets);
        var valid = labelBins.BinsOf(TargetElements.Select(targets, positions));
        if (positions is null) return Array.ConvertAll(valid, static bin => (long)bin);
        var bins = new long[targets.Length];
        Array.Fill(bins, MissingBin);
        for (int i = 0; i < positions.Length; i++) bins[positions[i]] = valid[i];
        return bins;
    }

    /// <summary>
    /// Every record's target elements in record order, <c>map.TargetShape.Elements</c> per record, read by
    /// <see cref="ReadTarget{T}"/>'s rule.
    /// </summary>
    /// <exception cref="DirDataException">An empty split, or a bad target naming the split, record and element.</exception>
    protected static float[] ReadTargets<T>(IFeatureMap<T> map, IReadOnlyList<T> records, string split, TargetReading reading)
    {
        reading.Check(map.TargetShape);
        if (records.Count == 0) throw new DirDataException(split, "it has no records.");
        int elements = map.TargetShape.Elements;
        var targets = new float[checked(records.Count * elements)];
        for (int i = 0; i < records.Count; i++) ReadTarget(map, records[i], targets.AsSpan(i * elements, elements), split, i, reading);
        return targets;
    }

    /// <summary>
    /// One record's target elements as a split holds them, the one rule of both data paths and of a split that reads its
    /// targets again with each batch: a scalar target must be finite; an element of a vector or map may be NaN (missing) but
    /// not infinite; then <paramref name="reading"/>'s masks and clip apply.
    /// </summary>
    /// <exception cref="DirDataException">A bad target naming the split, record and element.</exception>
    protected static void ReadTarget<T>(IFeatureMap<T> map, T record, Span<float> target, string split, int index, TargetReading reading)
    {
        var shape = map.TargetShape;
        map.WriteTarget(record, target, split, index);
        for (int e = 0; e < target.Length; e++)
        {
            float value = target[e];
            if (float.IsNaN(value) && shape.AllowsMissing) continue;
            if (!float.IsFinite(value))
                throw new DirDataException(split, index, shape.ElementName(e), shape.AllowsMissing
                    ? $"the target is {value}; a target element must be finite, or NaN where it is missing."
                    : $"the target is {value}; targets must be finite.");
            target[e] = reading.Held(value);
        }
    }

    /// <summary>
    /// The validity mask of target elements as the loss takes it (1 where a target is, 0 where it is missing), or null
    /// when none is missing.
    /// </summary>
    internal static float[]? MaskOf(float[] targets)
    {
        return Array.Exists(targets, float.IsNaN) ? Array.ConvertAll(targets, static t => float.IsNaN(t) ? 0f : 1f) : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases tensors or workers.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
