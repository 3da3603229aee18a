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
/// <param name="ScaledTargets">Targets divided by the target scale, [n, 1].</param>
/// <param name="Bins">Label bins, int64 [n].</param>
public sealed record DataBatch(Tensor Index, Tensor Inputs, Tensor ScaledTargets, Tensor Bins);

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
    /// <summary>
    /// Above this many bytes of mapped float32 input rows, <see cref="DataPath.Auto"/> streams a split instead of
    /// holding it whole (1 GiB).
    /// </summary>
    public const long InMemoryLimitBytes = 1L << 30;

    /// <summary>Rows per chunk in sequential passes (prediction, FDS statistics): large chunks amortise per-call overhead.</summary>
    public const int PassChunkRows = 4096;

    /// <summary>The split's name (train, validation, test), for errors.</summary>
    public abstract string Name { get; }
    /// <summary>Targets in their own unit.</summary>
    public abstract float[] Targets { get; }
    /// <summary>Label bin of each target.</summary>
    public abstract long[] Bins { get; }
    /// <summary>Which input columns are one-hot category blocks.</summary>
    public abstract FeatureLayout Layout { get; }
    /// <summary>Number of records.</summary>
    public int Count => Targets.Length;
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
    public abstract IBatchReader Read(IEnumerable<long[]> batches, Augmentation? augmentation = null);

    /// <summary>Reads the whole split in order, in chunks of <paramref name="chunk"/> rows.</summary>
    public IBatchReader ReadInOrder(int chunk = PassChunkRows) => Read(TrainingKit.Chunks(Count, chunk).Select(c =>
    {
        var indices = new long[c.Length];
        for (long i = 0; i < c.Length; i++) indices[i] = c.Start + i;
        return indices;
    }));

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
    public static SplitData Create<T>(IFeatureMap<T> map, IReadOnlyList<T> records, string split, LabelBins labelBins, double targetScale,
        Device device, DataPath path = DataPath.Auto, bool clipTargets = false) =>
        ChoosePath(path, records, map.Width, map is IAugmentingMap<T> { Augments: true }) == DataPath.Streaming
            ? new StreamingSplit<T>(map, records, split, labelBins, targetScale, device, clipTargets: clipTargets)
            : DirDataset.Build(map, records, split, labelBins, targetScale, device, clipTargets);

    /// <summary>A target as a split holds it: clipped to the label space when <paramref name="clip"/>.</summary>
    internal static float Clipped(float target, LabelBins labelBins, bool clip) =>
        clip ? (float)Math.Clamp(target, labelBins.Min, labelBins.Max) : target;

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

    /// <summary>Bins of targets under a label space, as the int64 indices torch takes (LabelBins computes them).</summary>
    protected static long[] BinsOf(float[] targets, LabelBins labelBins) => Array.ConvertAll(labelBins.BinsOf(targets), static bin => (long)bin);

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
