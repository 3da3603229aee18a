using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// A split held whole as tensors on the run's device: input rows, targets (scaled for the loss), label bins.
/// The fast path for data that fits in memory; batches are index selections.
/// </summary>
public sealed class DirDataset : SplitData
{
    private DirDataset(string name, Tensor inputs, float[] targets, long[] bins, Tensor scaledTargets, Tensor binTensor, FeatureLayout layout,
        string contentHash)
    {
        ContentHash = contentHash;
        Name = name;
        Layout = layout;
        Inputs = inputs;
        Targets = targets;
        Bins = bins;
        ScaledTargets = scaledTargets;
        BinTensor = binTensor;
    }

    /// <inheritdoc />
    public override string Name { get; }
    /// <summary>Input rows [N, W] (float32, on the run's device).</summary>
    public Tensor Inputs { get; }
    /// <inheritdoc />
    public override float[] Targets { get; }
    /// <inheritdoc />
    public override long[] Bins { get; }
    /// <summary>Targets divided by the target scale, [N, 1].</summary>
    public Tensor ScaledTargets { get; }
    /// <summary>Label bins as an int64 tensor [N].</summary>
    public Tensor BinTensor { get; }
    /// <inheritdoc />
    public override FeatureLayout Layout { get; }
    /// <inheritdoc />
    public override bool IsStreaming => false;
    /// <inheritdoc />
    public override string ContentHash { get; }

    /// <summary>Maps every record through <paramref name="map"/> (already fitted) and bins its target.</summary>
    /// <exception cref="DirDataException">An empty split, or a record with a bad feature or target.</exception>
    public static DirDataset Build<T>(IFeatureMap<T> map, IReadOnlyList<T> records, string split, LabelBins labelBins,
        double targetScale, Device device, bool clipTargets = false)
    {
        if (records.Count == 0) throw new DirDataException(split, "it has no records.");
        var rows = new float[checked(records.Count * map.Width)];
        var targets = new float[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            var record = records[i];
            map.Write(record, rows.AsSpan(i * map.Width, map.Width), split, i);
            targets[i] = Clipped(map.Target(record, split, i), labelBins, clipTargets);
        }
        return FromRows(rows, targets, map.Layout, labelBins, targetScale, device, split);
    }

    /// <summary>A dataset from input rows (row-major, <paramref name="layout"/>.Width columns) and their targets.</summary>
    public static DirDataset FromRows(float[] rows, float[] targets, FeatureLayout layout, LabelBins labelBins, double targetScale, Device device,
        string name = "train")
    {
        if (rows.Length != targets.Length * layout.Width)
            throw new ArgumentException($"{targets.Length} targets need {targets.Length * layout.Width} row values, not {rows.Length}.");
        var bins = BinsOf(targets, labelBins);
        var inputs = tensor(rows, new long[] { targets.Length, layout.Width }).to(device);
        var scaled = tensor(ScaleTargets(targets, targetScale), new long[] { targets.Length, 1 }).to(device);
        return new DirDataset(name, inputs, targets, bins, scaled, tensor(bins).to(device), layout, RunFingerprint.Hash(rows, targets));
    }

    /// <summary>Targets divided by the target scale, as the loss sees them (one rule for both data paths).</summary>
    internal static float[] ScaleTargets(ReadOnlySpan<float> targets, double targetScale)
    {
        var scaled = new float[targets.Length];
        for (int i = 0; i < targets.Length; i++) scaled[i] = (float)(targets[i] / targetScale);
        return scaled;
    }

    /// <inheritdoc />
    /// <remarks>A held split never augments: <see cref="SplitData.ChoosePath{T}"/> streams the records of an augmenting map.</remarks>
    public override IBatchReader Read(IEnumerable<long[]> batches, Augmentation? augmentation = null) => new Reader(this, batches.GetEnumerator());

    /// <inheritdoc />
    public override DirDataset Resample(ResamplingOptions options, LabelBins labelBins, double targetScale, int seed, out ResampledRows summary)
    {
        summary = Resampler.Apply(RowsOnHost(), Targets, Layout, options, labelBins, seed);
        return FromRows(summary.Rows, summary.Targets, Layout, labelBins, targetScale, Inputs.device, Name);
    }

    /// <inheritdoc />
    public override DirDataset Rebinned(LabelBins labelBins, double targetScale) =>
        FromRows(RowsOnHost(), Targets, Layout, labelBins, targetScale, Inputs.device, Name);

    /// <summary>The input rows copied to a host array, row-major (the temporary host tensors are disposed).</summary>
    private float[] RowsOnHost()
    {
        using var scope = NewDisposeScope();
        return Inputs.cpu().contiguous().data<float>().ToArray();
    }

    /// <summary>Checks a target: finite, with a clear error naming split, record and member.</summary>
    public static float CheckTarget(double value, string split, int index, string member) => double.IsFinite(value)
        ? (float)value
        : throw new DirDataException(split, index, member, $"the target is {value}; targets must be finite.");

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        Inputs.Dispose();
        ScaledTargets.Dispose();
        BinTensor.Dispose();
    }

    /// <summary>Batches as index selections of the held tensors.</summary>
    private sealed class Reader(DirDataset data, IEnumerator<long[]> batches) : IBatchReader
    {
        public DataBatch? Next()
        {
            if (!batches.MoveNext()) return null;
            var index = tensor(batches.Current, device: data.Inputs.device);
            var inputs = data.Inputs.index_select(0, index);
            if (data.Layout.Shape.Count != 1) inputs = inputs.reshape(data.Layout.BatchShape(inputs.shape[0]));
            return new DataBatch(index, inputs, data.ScaledTargets.index_select(0, index), data.BinTensor.index_select(0, index));
        }

        public void Dispose() => batches.Dispose();
    }
}
