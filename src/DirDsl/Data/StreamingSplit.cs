using System.Threading.Channels;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// A split whose records are mapped to input rows batch by batch, never held whole: worker threads map the
/// batches ahead of the training step through a bounded prefetch queue, so memory depends on the batch size
/// and the queue depth, not on the number of records. Batch contents and order are exactly those of
/// <see cref="DirDataset"/> on the same records (same map, same indices), so both paths train identically.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class StreamingSplit<T> : SplitData
{
    /// <summary>Batches mapped ahead of the one being trained on (and the most worker threads mapping at once).</summary>
    public static int DefaultPrefetch => Math.Clamp(Environment.ProcessorCount, 2, 8);

    private readonly IFeatureMap<T> map;
    private readonly IReadOnlyList<T> records;
    private readonly double targetScale;
    private readonly Device device;
    private readonly float[] scaledTargets;
    private readonly float[]? mask;

    /// <summary>
    /// Streams <paramref name="records"/> through <paramref name="map"/> (already fitted). The targets are read once
    /// here (a float per record), and every target is checked.
    /// </summary>
    /// <exception cref="DirDataException">An empty split or a bad target, naming the split and record.</exception>
    public StreamingSplit(IFeatureMap<T> map, IReadOnlyList<T> records, string split, LabelBins labelBins, double targetScale, Device device,
        int? prefetch = null, bool clipTargets = false, IReadOnlyList<TargetRange>? maskedRanges = null)
        : this(map, records, split, ReadTargets(map, records, split, labelBins, clipTargets, maskedRanges), labelBins, targetScale, device, prefetch)
    {
    }

    private StreamingSplit(IFeatureMap<T> map, IReadOnlyList<T> records, string split, float[] targets, LabelBins labelBins, double targetScale,
        Device device, int? prefetch)
    {
        if (prefetch is < 1) throw new ArgumentOutOfRangeException(nameof(prefetch), prefetch, "The prefetch depth must be at least 1.");
        this.map = map;
        this.records = records;
        this.targetScale = targetScale;
        this.device = device;
        Name = split;
        Targets = targets;
        Bins = BinsOf(targets, labelBins);
        Shape = map.TargetShape;
        scaledTargets = DirDataset.ScaleTargets(targets, targetScale);
        mask = MaskOf(targets);
        Layout = map.Layout;
        Prefetch = prefetch ?? DefaultPrefetch;
    }

    /// <inheritdoc />
    public override string Name { get; }
    /// <inheritdoc />
    public override float[] Targets { get; }
    /// <inheritdoc />
    public override long[] Bins { get; }
    /// <inheritdoc />
    public override TargetShape Shape { get; }
    /// <inheritdoc />
    public override FeatureLayout Layout { get; }
    /// <inheritdoc />
    public override bool IsStreaming => true;
    /// <inheritdoc />
    public override string ContentHash => RunFingerprint.Hash(Targets);
    /// <summary>Batches mapped ahead of the current one.</summary>
    public int Prefetch { get; }

    /// <inheritdoc />
    public override IBatchReader Read(IEnumerable<long[]> batches, Augmentation? augmentation = null) => new Reader(this, batches, augmentation);

    /// <inheritdoc />
    public override SplitData Rebinned(LabelBins labelBins, double targetScale) =>
        new StreamingSplit<T>(map, records, Name, Targets, labelBins, targetScale, device, Prefetch);

    /// <inheritdoc />
    public override SplitData Resample(ResamplingOptions options, LabelBins labelBins, double targetScale, int seed, out ResampledRows summary) =>
        throw new NotSupportedException($"{options.Name} resamples the training split in memory, and this split is streamed ({Count:N0} records). "
            + "Run with --data-path memory if the mapped rows fit, or leave the row out.");

    /// <summary>
    /// Maps one batch of records (on a worker thread), augmented when <paramref name="augmentation"/> is given and the map
    /// augments. The input rows are written straight into a native host tensor, no managed copy of them (in page-locked
    /// memory when the device is CUDA, so the step's copy to the device does not block); the targets and bins are small
    /// arrays.
    /// </summary>
    private HostBatch Map(long[] indices, Augmentation? augmentation)
    {
        int width = Layout.Width;
        var augmenting = map as IAugmentingMap<T>;
        // A dense target moves with its augmented input: each element is read from the stored element the draw names.
        var joint = augmentation is not null && augmenting is IJointAugmentingMap<T> { Augments: true } j ? j : null;
        int elements = Shape.Elements;
        var targets = new float[indices.Length * elements];
        var bins = new long[indices.Length * elements];
        var validity = mask is null && joint is null ? null : new float[indices.Length * elements];
        var sources = joint is null ? null : new int[elements];
        // A pool thread has no dispose scope: the tensor belongs to the batch until the reader hands it on or drops it.
        var inputs = empty(Layout.BatchShape(indices.Length), dtype: ScalarType.Float32, device: CPU);
        try
        {
            if (PinsBatches) inputs = Pinned(inputs);
            var rows = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(inputs.bytes);
            for (int i = 0; i < indices.Length; i++)
            {
                int index = checked((int)indices[i]);
                var row = rows.Slice(i * width, width);
                if (augmenting is not null && augmentation is not null) augmenting.WriteAugmented(records[index], row, Name, index, augmentation.For(index));
                else map.Write(records[index], row, Name, index);
                if (joint is not null) MoveTarget(joint, augmentation!.For(index), sources!, index, i, targets, bins, validity!);
                else
                {
                    Array.Copy(scaledTargets, (long)index * elements, targets, (long)i * elements, elements);
                    Array.Copy(Bins, (long)index * elements, bins, (long)i * elements, elements);
                    if (validity is not null) Array.Copy(mask!, (long)index * elements, validity, (long)i * elements, elements);
                }
            }
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
        return new HostBatch(indices, inputs, targets, bins, validity);
    }

    /// <summary>
    /// Record <paramref name="index"/>'s target as its draw moves it, into slot <paramref name="slot"/> of the batch: each
    /// element from the stored element the map names, or missing (target 0, bin -1, mask 0) where it names none.
    /// </summary>
    private void MoveTarget(IJointAugmentingMap<T> joint, AugmentationDraw draw, int[] sources, int index, int slot, float[] targets, long[] bins, float[] validity)
    {
        int elements = sources.Length;
        joint.TargetSources(draw, sources);
        long from = (long)index * elements, to = (long)slot * elements;
        for (int e = 0; e < elements; e++)
        {
            int source = sources[e];
            if (source < -1 || source >= elements)
                throw new InvalidOperationException($"{map.GetType().Name} moved element {e} of record {index}'s target from element {source}, outside 0..{elements - 1}.");
            bool present = source >= 0 && (mask is null || mask[from + source] != 0);
            targets[to + e] = present ? scaledTargets[from + source] : 0f;
            bins[to + e] = present ? Bins[from + source] : MissingBin;
            validity[to + e] = present ? 1f : 0f;
        }
    }

    /// <summary>Whether batches are staged in page-locked host memory: for a CUDA device, whose copies from it can run asynchronously.</summary>
    private bool PinsBatches => device.type == TorchSharp.DeviceType.CUDA;

    private static Tensor Pinned(Tensor pageable)
    {
        using (pageable) return pageable.pin_memory();
    }

    /// <summary>A mapped batch on the host: its input rows in a native tensor the batch owns, the rest in arrays.</summary>
    private sealed record HostBatch(long[] Indices, Tensor Inputs, float[] Targets, long[] Bins, float[]? Mask);

    /// <summary>
    /// A producer starts one mapping task per batch, in order, and queues the tasks in a bounded channel: at most
    /// <see cref="Prefetch"/> batches are mapped ahead, on as many pool threads. The consumer takes tasks in order,
    /// so batch order never depends on which worker finishes first.
    /// </summary>
    private sealed class Reader : IBatchReader
    {
        private readonly StreamingSplit<T> split;
        private readonly Channel<Task<HostBatch>> queue;
        private readonly CancellationTokenSource stop = new();
        private readonly Task producer;

        public Reader(StreamingSplit<T> split, IEnumerable<long[]> batches, Augmentation? augmentation)
        {
            this.split = split;
            queue = Channel.CreateBounded<Task<HostBatch>>(new BoundedChannelOptions(split.Prefetch) { SingleReader = true, SingleWriter = true });
            producer = Task.Run(() => Produce(batches, augmentation, stop.Token));
        }

        private async Task Produce(IEnumerable<long[]> batches, Augmentation? augmentation, CancellationToken token)
        {
            try
            {
                foreach (var batch in batches)
                {
                    var mapped = Task.Run(() => split.Map(batch, augmentation), token);
                    try
                    {
                        await queue.Writer.WriteAsync(mapped, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Stopped while waiting for room: this batch never reaches the queue, so its rows are freed here.
                        _ = mapped.ContinueWith(static t => t.Result.Inputs.Dispose(), CancellationToken.None,
                            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                        throw;
                    }
                }
                queue.Writer.TryComplete();
            }
            catch (Exception e)
            {
                queue.Writer.TryComplete(e is OperationCanceledException ? null : e);
            }
        }

        public DataBatch? Next()
        {
            Task<HostBatch> next;
            try
            {
                if (!queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) return null;
                if (!queue.Reader.TryRead(out next!)) return null;
            }
            catch (ChannelClosedException e) when (e.InnerException is not null)
            {
                // The batch enumeration itself failed: rethrow its exception, not the channel's.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
            // A mapping error (a bad record) surfaces here as itself, naming the split, record and member.
            var host = next.GetAwaiter().GetResult();
            int n = host.Indices.Length;
            var device = split.device;
            var shape = split.Shape;
            // The rows move into the caller's dispose scope: a copy to the device (asynchronous from pinned memory; the
            // caching host allocator keeps the pinned block until the copy is done), or on the CPU a new handle on them.
            Tensor inputs;
            using (host.Inputs) inputs = host.Inputs.to(device, non_blocking: split.PinsBatches);
            return new DataBatch(
                tensor(host.Indices, device: device),
                inputs,
                tensor(host.Targets, shape.BatchShape(n)).to(device),
                shape.IsScalar ? tensor(host.Bins).to(device) : tensor(host.Bins, shape.BatchShape(n)).to(device))
            {
                Mask = host.Mask is null ? null : tensor(host.Mask, shape.BatchShape(n)).to(device),
            };
        }

        public void Dispose()
        {
            stop.Cancel();
            // The producer stops first (cancelling its wait for room), then what it queued is drained, so no worker
            // outlives the reader; their rows are freed, their errors dropped.
            try { producer.Wait(); } catch (AggregateException) { }
            while (queue.Reader.TryRead(out var pending))
            {
                try { pending.Result.Inputs.Dispose(); } catch (AggregateException) { }
            }
            stop.Dispose();
        }
    }
}
