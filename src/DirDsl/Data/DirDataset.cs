using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// A split held whole as tensors on the run's device: input rows, targets (scaled for the loss), label bins.
/// The fast path for data that fits in memory; batches are index selections.
/// </summary>
public sealed class DirDataset : SplitData
{
    private DirDataset(string name, Tensor inputs, float[] targets, long[] bins, Tensor scaledTargets, Tensor binTensor, FeatureLayout layout,
        string contentHash, TargetShape shape, Tensor? mask, TargetSummary summary)
    {
        Summary = summary;
        Shape = shape;
        Mask = mask;
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
    /// <summary>Targets divided by the target scale, [N, ..shape] ([N, 1] for a scalar target); a missing element is 0.</summary>
    public Tensor ScaledTargets { get; }
    /// <summary>1 where a target element is, 0 where it is missing, [N, ..shape]; null when none is missing.</summary>
    public Tensor? Mask { get; }
    /// <inheritdoc />
    public override TargetShape Shape { get; }
    /// <summary>Label bins as an int64 tensor: [N] for a scalar target, [N, ..shape] otherwise.</summary>
    public Tensor BinTensor { get; }
    /// <inheritdoc />
    public override FeatureLayout Layout { get; }
    /// <inheritdoc />
    public override bool IsStreaming => false;
    /// <inheritdoc />
    public override string ContentHash { get; }
    /// <inheritdoc />
    public override TargetSummary Summary { get; }

    /// <summary>Maps every record through <paramref name="map"/> (already fitted) and bins its target.</summary>
    /// <exception cref="DirDataException">An empty split, or a record with a bad feature or target.</exception>
    public static DirDataset Build<T>(IFeatureMap<T> map, IReadOnlyList<T> records, string split, LabelBins labelBins,
        double targetScale, Device device, bool clipTargets = false, IReadOnlyList<TargetRange>? maskedRanges = null) =>
        Build(map, records, split, new TargetReading(labelBins, clipTargets, maskedRanges), targetScale, device);

    /// <summary>Maps every record through <paramref name="map"/> (already fitted), its targets read by <paramref name="reading"/>'s rules.</summary>
    /// <exception cref="DirDataException">An empty split, or a record with a bad feature or target.</exception>
    public static DirDataset Build<T>(IFeatureMap<T> map, IReadOnlyList<T> records, string split, TargetReading reading, double targetScale, Device device)
    {
        var targets = ReadTargets(map, records, split, reading);
        var rows = new float[checked(records.Count * map.Width)];
        for (int i = 0; i < records.Count; i++) map.Write(records[i], rows.AsSpan(i * map.Width, map.Width), split, i);
        return FromRows(rows, targets, map.Layout, reading.Bins, targetScale, device, split, map.TargetShape);
    }

    /// <summary>
    /// A dataset from input rows (row-major, <paramref name="layout"/>.Width columns) and their targets
    /// (<paramref name="shape"/>.Elements per record, NaN where a vector's or map's element is missing; a scalar by default).
    /// </summary>
    public static DirDataset FromRows(float[] rows, float[] targets, FeatureLayout layout, LabelBins labelBins, double targetScale, Device device,
        string name = "train", TargetShape? shape = null)
    {
        shape ??= TargetShape.Scalar;
        if (targets.Length % shape.Elements != 0)
            throw new ArgumentException($"{targets.Length} target values are not a whole number of {shape} targets ({shape.Elements} values each).");
        int count = targets.Length / shape.Elements;
        if (rows.Length != count * layout.Width)
            throw new ArgumentException($"{count} targets need {count * layout.Width} row values, not {rows.Length}.");
        var bins = BinsOf(targets, labelBins);
        var inputs = tensor(rows, new long[] { count, layout.Width }).to(device);
        var scaled = tensor(ScaleTargets(targets, targetScale), shape.BatchShape(count)).to(device);
        var binTensor = shape.IsScalar ? tensor(bins).to(device) : tensor(bins, shape.BatchShape(count)).to(device);
        var mask = MaskOf(targets) is { } valid ? tensor(valid, shape.BatchShape(count)).to(device) : null;
        return new DirDataset(name, inputs, targets, bins, scaled, binTensor, layout, RunFingerprint.Hash(rows, targets), shape, mask,
            TargetSummary.Of(targets, shape, labelBins));
    }

    /// <summary>
    /// Targets divided by the target scale, as the loss sees them (one rule for both data paths); a missing element is 0
    /// so that no NaN reaches the loss (its mask removes it there).
    /// </summary>
    internal static float[] ScaleTargets(ReadOnlySpan<float> targets, double targetScale)
    {
        var scaled = new float[targets.Length];
        for (int i = 0; i < targets.Length; i++) scaled[i] = Scaled(targets[i], targetScale);
        return scaled;
    }

    /// <summary>One target element as the loss sees it: divided by the target scale, 0 where missing.</summary>
    internal static float Scaled(float target, double targetScale) => float.IsNaN(target) ? 0f : (float)(target / targetScale);

    /// <inheritdoc />
    /// <remarks>A held split never augments: <see cref="SplitData.ChoosePath{T}"/> streams the records of an augmenting map.</remarks>
    public override IBatchReader Read(IEnumerable<ReadOnlyMemory<long>> batches, Augmentation? augmentation = null) => new Reader(this, batches.GetEnumerator());

    /// <inheritdoc />
    public override DirDataset Resample(ResamplingOptions options, LabelBins labelBins, double targetScale, int seed, out ResampledRows summary)
    {
        summary = Resampler.Apply(RowsOnHost(), Targets, Layout, options, labelBins, seed);
        return FromRows(summary.Rows, summary.Targets, Layout, labelBins, targetScale, Inputs.device, Name, Shape);
    }

    /// <inheritdoc />
    public override DirDataset Rebinned(LabelBins labelBins, double targetScale) =>
        FromRows(RowsOnHost(), Targets, Layout, labelBins, targetScale, Inputs.device, Name, Shape);

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

    /// <summary>
    /// Copies an array [Target] member into a record's target elements: exactly as many values as [Target(Length)] declares,
    /// NaN where an element is missing (<see cref="SplitData"/> checks the rest).
    /// </summary>
    /// <exception cref="DirDataException">The array is null or has another length, naming split, record and member.</exception>
    public static void CopyTarget(float[]? values, Span<float> target, string split, int index, string member)
    {
        CheckLength(values?.Length, target.Length, split, index, member);
        values.AsSpan().CopyTo(target);
    }

    /// <inheritdoc cref="CopyTarget(float[], Span{float}, string, int, string)"/>
    public static void CopyTarget(double[]? values, Span<float> target, string split, int index, string member)
    {
        CheckLength(values?.Length, target.Length, split, index, member);
        for (int i = 0; i < target.Length; i++) target[i] = (float)values![i];
    }

    private static void CheckLength(int? length, int declared, string split, int index, string member)
    {
        if (length is null) throw new DirDataException(split, index, member, "the target array is null; mark a missing element NaN instead.");
        if (length != declared)
            throw new DirDataException(split, index, member, $"the target has {length} values, but [Target(Length = {declared})] declares {declared}.");
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        Inputs.Dispose();
        ScaledTargets.Dispose();
        BinTensor.Dispose();
        Mask?.Dispose();
    }

    /// <summary>Batches as index selections of the held tensors.</summary>
    private sealed class Reader(DirDataset data, IEnumerator<ReadOnlyMemory<long>> batches) : IBatchReader
    {
        public DataBatch? Next()
        {
            if (!batches.MoveNext()) return null;
            var index = IndexTensor(batches.Current.Span, data.Inputs.device);
            var inputs = data.Inputs.index_select(0, index);
            if (data.Layout.Shape.Count != 1) inputs = inputs.reshape(data.Layout.BatchShape(inputs.shape[0]));
            return new DataBatch(index, inputs, data.ScaledTargets.index_select(0, index), data.BinTensor.index_select(0, index))
            {
                Mask = data.Mask?.index_select(0, index),
            };
        }

        public void Dispose() => batches.Dispose();

        /// <summary>
        /// The batch's record indices as an int64 tensor on <paramref name="device"/>, written straight into native memory
        /// (torch.tensor(long[]) would first copy them into a managed array).
        /// </summary>
        private static Tensor IndexTensor(ReadOnlySpan<long> indices, Device device)
        {
            var host = empty(indices.Length, dtype: ScalarType.Int64, device: CPU);
            indices.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(host.bytes));
            if (device.type == TorchSharp.DeviceType.CPU) return host;
            using (host) return host.to(device);
        }
    }
}
