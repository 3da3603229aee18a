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

    /// <summary>
    /// Bytes a held target element takes: its value, its value over the target scale, its bin (int64) and its mask entry.
    /// A dense map's training split holds its targets when they fit the run's budget (<see cref="HeldTargetBytes"/>).
    /// </summary>
    public const int HeldBytesPerElement = sizeof(float) + sizeof(float) + sizeof(long) + sizeof(float);

    /// <summary>Bytes <paramref name="records"/> targets of <paramref name="shape"/> take when held.</summary>
    public static long HeldTargetBytes(long records, TargetShape shape) => records * shape.Elements * HeldBytesPerElement;

    private readonly IFeatureMap<T> map;
    private readonly IReadOnlyList<T> records;
    private readonly TargetReading reading;
    private readonly double targetScale;
    private readonly Device device;
    // The targets as the batches copy them: held from the start, or read on first use only when each batch reads its own.
    private readonly HeldTargets? held;
    private readonly Lazy<HeldTargets> onDemand;
    // Whether any element of the split is missing: then every batch carries a mask, whichever way its targets are read.
    private readonly bool anyMissing;

    /// <summary>
    /// Streams <paramref name="records"/> through <paramref name="map"/> (already fitted). The targets are read once
    /// here, every one checked, and held (a float per element); with <paramref name="holdTargets"/> false they are only
    /// summarised here and each batch reads its records' targets again, so memory does not grow with the records.
    /// </summary>
    /// <exception cref="DirDataException">An empty split or a bad target, naming the split and record.</exception>
    public StreamingSplit(IFeatureMap<T> map, IReadOnlyList<T> records, string split, LabelBins labelBins, double targetScale, Device device,
        int? prefetch = null, bool clipTargets = false, IReadOnlyList<TargetRange>? maskedRanges = null, bool holdTargets = true)
        : this(map, records, split, new TargetReading(labelBins, clipTargets, maskedRanges), targetScale, device, prefetch, holdTargets)
    {
    }

    /// <summary>The same, the targets read by <paramref name="reading"/>'s rules.</summary>
    /// <exception cref="DirDataException">An empty split or a bad target, naming the split and record.</exception>
    public StreamingSplit(IFeatureMap<T> map, IReadOnlyList<T> records, string split, TargetReading reading, double targetScale, Device device,
        int? prefetch = null, bool holdTargets = true)
        : this(map, records, split, reading, targetScale, device, prefetch, holdTargets ? ReadTargets(map, records, split, reading) : null)
    {
    }

    private StreamingSplit(IFeatureMap<T> map, IReadOnlyList<T> records, string split, TargetReading reading, double targetScale,
        Device device, int? prefetch, float[]? targets)
    {
        if (prefetch is < 1) throw new ArgumentOutOfRangeException(nameof(prefetch), prefetch, "The prefetch depth must be at least 1.");
        this.map = map;
        this.records = records;
        this.reading = reading;
        this.targetScale = targetScale;
        this.device = device;
        Name = split;
        Shape = map.TargetShape;
        Layout = map.Layout;
        Prefetch = prefetch ?? DefaultPrefetch;
        if (targets is not null)
        {
            held = Hold(targets);
            Summary = TargetSummary.Of(targets, Shape, reading.Bins);
        }
        else Summary = Summarise();
        anyMissing = Summary.Valid < (long)Summary.Records * Shape.Elements;
        onDemand = new Lazy<HeldTargets>(() => Hold(ReadTargets(map, records, split, reading)));
    }

    /// <inheritdoc />
    public override string Name { get; }
    /// <inheritdoc />
    /// <remarks>Read on first use when the split does not hold its targets (<see cref="HoldsTargets"/>).</remarks>
    public override float[] Targets => Held.Targets;
    /// <inheritdoc />
    public override long[] Bins => Held.Bins;
    /// <inheritdoc />
    public override TargetShape Shape { get; }
    /// <inheritdoc />
    public override FeatureLayout Layout { get; }
    /// <inheritdoc />
    public override bool IsStreaming => true;
    /// <inheritdoc />
    public override TargetSummary Summary { get; }
    /// <inheritdoc />
    public override bool HoldsTargets => held is not null;
    /// <inheritdoc />
    public override bool ReadWholeOverBudget => held is null && onDemand.IsValueCreated;
    /// <inheritdoc />
    public override string ContentHash => Summary.Hash;
    /// <summary>Batches mapped ahead of the current one.</summary>
    public int Prefetch { get; }

    private HeldTargets Held => held ?? onDemand.Value;

    /// <inheritdoc />
    public override IBatchReader Read(IEnumerable<ReadOnlyMemory<long>> batches, Augmentation? augmentation = null) => new Reader(this, batches, augmentation);

    /// <inheritdoc />
    public override SplitData Rebinned(LabelBins labelBins, double targetScale) =>
        new StreamingSplit<T>(map, records, Name, reading.WithBins(labelBins), targetScale, device, Prefetch, held?.Targets);

    /// <inheritdoc />
    public override SplitData Resample(ResamplingOptions options, LabelBins labelBins, double targetScale, int seed, out ResampledRows summary) =>
        throw new NotSupportedException($"{options.Name} resamples the training split in memory, and this split is streamed ({Count:N0} records). "
            + "Run with --data-path memory if the mapped rows fit, or leave the row out.");

    /// <summary>Every record's targets read once, by the split's rule, into a summary (nothing per record is kept).</summary>
    private TargetSummary Summarise()
    {
        reading.Check(Shape);
        if (records.Count == 0) throw new DirDataException(Name, "it has no records.");
        var builder = new TargetSummary.Builder(Shape, reading.Bins);
        var target = new float[Shape.Elements];
        for (int i = 0; i < records.Count; i++)
        {
            ReadTarget(map, records[i], target, Name, i, reading);
            builder.Add(target);
        }
        return builder.Build();
    }

    /// <summary>Targets as the batches copy them: as held, over the target scale, binned, and the mask when one is missing.</summary>
    private HeldTargets Hold(float[] targets) =>
        new(targets, BinsOf(targets, reading.Bins), DirDataset.ScaleTargets(targets, targetScale), MaskOf(targets));

    /// <summary>A record's targets in the forms a batch copies (the held arrays and where the record starts in them).</summary>
    private readonly record struct RecordTargets(float[] Scaled, long[] Bins, float[]? Mask, long Start);

    /// <summary>
    /// Maps one batch of records (on a worker thread), augmented when <paramref name="augmentation"/> is given and the map
    /// augments. Everything the batch carries is written straight into native host tensors, no managed array of it (in
    /// page-locked memory when the device is CUDA, so the step's copies to the device do not block): the input rows, the
    /// record indices, the scaled targets, the bins and the mask when there is one.
    /// </summary>
    private HostBatch Map(ReadOnlyMemory<long> batch, Augmentation? augmentation)
    {
        int width = Layout.Width;
        int n = batch.Length;
        var augmenting = map as IAugmentingMap<T>;
        // A dense target moves with its augmented input: each element is read from the stored element the draw names.
        var joint = augmentation is not null && augmenting is IJointAugmentingMap<T> { Augments: true } j ? j : null;
        int elements = Shape.Elements;
        var sources = joint is null ? null : new int[elements];
        // A split that does not hold its targets reads each record's here, into one record's worth of arrays.
        var own = held is null ? new RecordTargets(new float[elements], new long[elements], new float[elements], 0) : default;
        var read = held is null ? new float[elements] : null;
        // A pool thread has no dispose scope: the tensors belong to the batch until the reader hands them on or drops them.
        var host = new HostBatch(
            Staged(empty(n, dtype: ScalarType.Int64, device: CPU)),
            Staged(empty(Layout.BatchShape(n), dtype: ScalarType.Float32, device: CPU)),
            Staged(empty((long)n * elements, dtype: ScalarType.Float32, device: CPU)),
            Staged(empty((long)n * elements, dtype: ScalarType.Int64, device: CPU)),
            !anyMissing && joint is null ? null : Staged(empty((long)n * elements, dtype: ScalarType.Float32, device: CPU)));
        try
        {
            var indices = batch.Span;
            indices.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(host.Indices.bytes));
            var rows = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(host.Inputs.bytes);
            var targets = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(host.Targets.bytes);
            var bins = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(host.Bins.bytes);
            var validity = host.Mask is null ? default : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(host.Mask.bytes);
            for (int i = 0; i < n; i++)
            {
                int index = checked((int)indices[i]);
                var row = rows.Slice(i * width, width);
                if (augmenting is not null && augmentation is not null) augmenting.WriteAugmented(records[index], row, Name, index, augmentation.For(index));
                else map.Write(records[index], row, Name, index);
                var source = held is { } h ? new RecordTargets(h.Scaled, h.Bins, h.Mask, (long)index * elements) : ReadRecord(index, read!, own);
                if (joint is not null) MoveTarget(joint, augmentation!.For(index), sources!, index, source, i, targets, bins, validity);
                else
                {
                    int at = checked((int)source.Start);
                    source.Scaled.AsSpan(at, elements).CopyTo(targets.Slice(i * elements, elements));
                    source.Bins.AsSpan(at, elements).CopyTo(bins.Slice(i * elements, elements));
                    if (host.Mask is not null) source.Mask!.AsSpan(at, elements).CopyTo(validity.Slice(i * elements, elements));
                }
            }
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    /// <summary>A batch's host tensor as the step copies it: page-locked when the device is CUDA (the copy then does not block).</summary>
    private Tensor Staged(Tensor pageable)
    {
        if (!PinsBatches) return pageable;
        using (pageable) return pageable.pin_memory();
    }

    /// <summary>
    /// Record <paramref name="index"/>'s targets read from the record by the split's rule (the checks name the split and
    /// record as the first read did) into <paramref name="into"/>: the same values the held arrays would give.
    /// </summary>
    private RecordTargets ReadRecord(int index, float[] target, RecordTargets into)
    {
        ReadTarget(map, records[index], target, Name, index, reading);
        for (int e = 0; e < target.Length; e++)
        {
            into.Scaled[e] = DirDataset.Scaled(target[e], targetScale);
            into.Bins[e] = ElementBin(target[e], reading.Bins);
            into.Mask![e] = float.IsNaN(target[e]) ? 0f : 1f;
        }
        return into;
    }

    /// <summary>
    /// Record <paramref name="index"/>'s target as its draw moves it, into slot <paramref name="slot"/> of the batch: each
    /// element from the stored element the map names, or missing (target 0, bin -1, mask 0) where it names none.
    /// </summary>
    private void MoveTarget(IJointAugmentingMap<T> joint, AugmentationDraw draw, int[] sources, int index, RecordTargets from, int slot, Span<float> targets,
        Span<long> bins, Span<float> validity)
    {
        int elements = sources.Length;
        joint.TargetSources(draw, sources);
        int to = slot * elements;
        for (int e = 0; e < elements; e++)
        {
            int source = sources[e];
            if (source < -1 || source >= elements)
                throw new InvalidOperationException($"{map.GetType().Name} moved element {e} of record {index}'s target from element {source}, outside 0..{elements - 1}.");
            long at = from.Start + source;
            bool present = source >= 0 && (from.Mask is null || from.Mask[at] != 0);
            targets[to + e] = present ? from.Scaled[at] : 0f;
            bins[to + e] = present ? from.Bins[at] : MissingBin;
            validity[to + e] = present ? 1f : 0f;
        }
    }

    /// <summary>Whether batches are staged in page-locked host memory: for a CUDA device, whose copies from it can run asynchronously.</summary>
    private bool PinsBatches => device.type == TorchSharp.DeviceType.CUDA;

    /// <summary>A mapped batch on the host, in native tensors the batch owns: record indices, input rows, targets (flat), bins (flat), mask.</summary>
    private sealed record HostBatch(Tensor Indices, Tensor Inputs, Tensor Targets, Tensor Bins, Tensor? Mask) : IDisposable
    {
        public void Dispose()
        {
            Indices.Dispose();
            Inputs.Dispose();
            Targets.Dispose();
            Bins.Dispose();
            Mask?.Dispose();
        }
    }

    /// <summary>A split's targets held whole, in the forms the batches copy.</summary>
    private sealed record HeldTargets(float[] Targets, long[] Bins, float[] Scaled, float[]? Mask);

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

        public Reader(StreamingSplit<T> split, IEnumerable<ReadOnlyMemory<long>> batches, Augmentation? augmentation)
        {
            this.split = split;
            queue = Channel.CreateBounded<Task<HostBatch>>(new BoundedChannelOptions(split.Prefetch) { SingleReader = true, SingleWriter = true });
            producer = Task.Run(() => Produce(batches, augmentation, stop.Token));
        }

        private async Task Produce(IEnumerable<ReadOnlyMemory<long>> batches, Augmentation? augmentation, CancellationToken token)
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
                        _ = mapped.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None,
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
            var device = split.device;
            var shape = split.Shape;
            long n = host.Indices.shape[0];
            // The tensors move into the caller's dispose scope: copies to the device (asynchronous from pinned memory; the
            // caching host allocator keeps a pinned block until its copy is done), or on the CPU new handles on them.
            bool nonBlocking = split.PinsBatches;
            using (host)
            {
                var targets = host.Targets.reshape(shape.BatchShape(n));
                return new DataBatch(
                    host.Indices.to(device, non_blocking: nonBlocking),
                    host.Inputs.to(device, non_blocking: nonBlocking),
                    targets.to(device, non_blocking: nonBlocking),
                    (shape.IsScalar ? host.Bins : host.Bins.reshape(shape.BatchShape(n))).to(device, non_blocking: nonBlocking))
                {
                    Mask = host.Mask?.reshape(shape.BatchShape(n)).to(device, non_blocking: nonBlocking),
                };
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            // The producer stops first (cancelling its wait for room), then what it queued is drained, so no worker
            // outlives the reader; their rows are freed, their errors dropped.
            try { producer.Wait(); } catch (AggregateException) { }
            while (queue.Reader.TryRead(out var pending))
            {
                try { pending.Result.Dispose(); } catch (AggregateException) { }
            }
            stop.Dispose();
        }
    }
}
