using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// Per-bin count, mean and sum of squared deviations (M2) of feature vectors, accumulated batch
/// by batch in one vectorised pass per batch (index_add, no loop over bins) and merged with
/// Chan's parallel formula. Memory is bins x D, not N x D. A component that is constant within
/// a bin gets a variance of exactly 0 (FDS calibration tests for exact zeros): each batch is
/// shifted by one of the bin's own samples (the shifted-data form of the variance), so constant
/// components deviate by exactly 0, and Chan's merge keeps them exact because the difference of
/// two equal means is exactly 0.
/// </summary>
/// <remarks>
/// <para>On a device, the batches' own moments are computed for several batches at once (up to
/// <see cref="SplitData.PassChunkRows"/> rows, copied into a group buffer as they come, so a caller may reuse or free a
/// batch's tensors at once): batch k's bin j becomes bin k x B + j of one pass, so a batch's statistics are the same floats
/// as when it is computed alone (index_add adds a bin's rows in row order either way), while the per-call overhead of some
/// twenty small kernels is paid once per group rather than per batch. The merges then run batch by batch in the order the
/// batches came, so the result is bit for bit the one of merging each batch as it arrives.</para>
/// <para>On the CPU the same arithmetic runs in managed code as each batch comes (<see cref="AddOnHost"/>): one pass over
/// the batch's rows for the shifted sums, then the merge of each bin it touched. Every float32 and float64 operation is
/// the one the tensor kernels perform, in the same order (sums in row order, a product and a sum never fused into one
/// rounding), so the moments are the same floats (a test compares both forms, and the per-batch formulation, on six
/// batch shapes), without some twenty kernel calls and their temporaries per group.</para>
/// </remarks>
public sealed class BinMoments : IDisposable
{
    private readonly int bins;
    private Tensor count;  // [B] float64
    private Tensor mean;   // [B, D] float32
    private Tensor m2;     // [B, D] float32
    // The group of batches not merged yet: their rows and their bins (batch k's bin j stored as k x B + j).
    private Tensor? groupRows;   // [PassChunkRows, D] float32
    private Tensor? groupBins;   // [PassChunkRows] int64
    private long pendingRows;
    private int pendingBatches;
    // The managed kernel (CPU): whether it runs, and its per-batch buffers (the shifted sums and sums of squares per bin,
    // rows per bin, each bin's last row, which is its shift, and the bins the batch touched), allocated on first use.
    private readonly bool onHost;
    private float[]? hostSums;
    private float[]? hostSquares;
    private int[]? hostCounts;
    private int[]? hostLast;
    private int[]? hostTouched;

    /// <summary>Starts an empty accumulator for <paramref name="bins"/> bins of <paramref name="featureDim"/> features.</summary>
    public BinMoments(int bins, int featureDim, Device? device = null)
        : this(bins, featureDim, device, hostKernel: true)
    {
    }

    /// <summary>
    /// The same; with <paramref name="hostKernel"/> false a CPU accumulator computes with the tensor kernels, as on a
    /// device (the tests compare both forms).
    /// </summary>
    internal BinMoments(int bins, int featureDim, Device? device, bool hostKernel)
    {
        this.bins = bins;
        FeatureDim = featureDim;
        count = zeros(bins, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
        mean = zeros(bins, featureDim, device: device).DetachFromDisposeScope();
        m2 = zeros(bins, featureDim, device: device).DetachFromDisposeScope();
        onHost = hostKernel && mean.device_type == DeviceType.CPU;
    }

    /// <summary>The feature dimension D.</summary>
    public int FeatureDim { get; }

    /// <summary>Samples seen per bin, [B] float64.</summary>
    public Tensor Count
    {
        get
        {
            Flush();
            return count;
        }
    }

    /// <summary>Per-bin mean, [B, D].</summary>
    public Tensor Mean
    {
        get
        {
            Flush();
            return mean;
        }
    }

    /// <summary>Per-bin unbiased variance ([B, D]); 0 where a bin has one sample or none.</summary>
    public Tensor Variance()
    {
        Flush();
        using var scope = NewDisposeScope();
        var one = KeptScalars.Of(1);
        var denominator = count.sub(one).clamp_min(one).to_type(ScalarType.Float32).unsqueeze(1);
        var variance = (m2 / denominator).masked_fill(count.le(one).unsqueeze(1), KeptScalars.Of(0));
        return variance.MoveToOuterDisposeScope();
    }

    /// <summary>Adds a batch of features [n, D] with their int64 bin indices [n].</summary>
    /// <exception cref="ArgumentException">Shapes disagree or a bin index is outside [0, B).</exception>
    public void Add(Tensor features, Tensor binIndices)
    {
        if (features.ndim != 2 || features.shape[1] != FeatureDim)
            throw new ArgumentException($"FDS expected features of shape [n, {FeatureDim}], got [{string.Join(", ", features.shape)}].", nameof(features));
        if (binIndices.ndim != 1 || binIndices.shape[0] != features.shape[0])
            throw new ArgumentException($"FDS expected {features.shape[0]} bin indices, got [{string.Join(", ", binIndices.shape)}].", nameof(binIndices));
        if (features.shape[0] == 0) return;

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = features.detach().to_type(ScalarType.Float32);
        var index = binIndices.to_type(ScalarType.Int64).to(x.device);
        if (onHost)
        {
            AddOnHost(x.contiguous(), index.contiguous());
            return;
        }
        // On the CPU the range is checked as the batch comes (bincount refuses a negative index and lengthens its output
        // for one past the last bin), so a bad batch is refused alone, before anything of it is kept.
        if (index.device_type == DeviceType.CPU) CheckRange(index);
        long n = x.shape[0];
        // A group holds at most PassChunkRows rows and as many batch-bins (its per-bin temporaries are [batches x B, D]).
        if (pendingRows + n > SplitData.PassChunkRows || (long)(pendingBatches + 1) * bins > SplitData.PassChunkRows) Flush();
        if (n >= SplitData.PassChunkRows || bins > SplitData.PassChunkRows)
        {
            Merge(x, index, 1);
            return;
        }
        groupRows ??= empty(SplitData.PassChunkRows, FeatureDim, device: mean.device).DetachFromDisposeScope();
        groupBins ??= empty(SplitData.PassChunkRows, dtype: ScalarType.Int64, device: mean.device).DetachFromDisposeScope();
        groupRows.narrow(0, pendingRows, n).copy_(x);
        groupBins.narrow(0, pendingRows, n).copy_(index).add_(KeptScalars.OfInteger((long)pendingBatches * bins), KeptScalars.OfInteger(1));
        pendingRows += n;
        pendingBatches++;
    }

    /// <summary>
    /// One batch on the CPU, in managed code: the tensor form's operations element by element. Per bin j of the batch, with
    /// its last row r as the shift: d = x - x[r], sum = 0 + d + d' + ... and squares = 0 + d*d + ... in row order (float32);
    /// with n rows, M2 = max(squares - sum*sum / n, 0) and mean = x[r] + sum / n; then Chan's merge into the running values
    /// with the float64 counts: share = n / total and cross = before * n / total, rounded to float32, delta = mean - running,
    /// running + delta*share, and (M2a + M2) + delta*delta*cross. Each operation rounds once, as each tensor kernel does.
    /// </summary>
    /// <exception cref="ArgumentException">A bin index outside [0, B): nothing of the batch is added.</exception>
    private void AddOnHost(Tensor x, Tensor index)
    {
        int n = checked((int)x.shape[0]);
        int width = FeatureDim;
        ReadOnlySpan<float> rows = MemoryMarshal.Cast<byte, float>(x.bytes);
        ReadOnlySpan<long> rowBins = MemoryMarshal.Cast<byte, long>(index.bytes);
        foreach (long bin in rowBins)
            if ((ulong)bin >= (ulong)bins) throw OutOfRange(index);

        var sums = hostSums ??= new float[checked(bins * width)];
        var squares = hostSquares ??= new float[sums.Length];
        var counts = hostCounts ??= new int[bins];
        var last = hostLast ??= new int[bins];
        var touched = hostTouched ??= new int[bins];
        int touchedCount = 0;
        for (int i = 0; i < n; i++)
        {
            int bin = (int)rowBins[i];
            if (counts[bin]++ == 0) touched[touchedCount++] = bin;
            last[bin] = i;
        }
        for (int t = 0; t < touchedCount; t++)
        {
            sums.AsSpan(touched[t] * width, width).Clear();
            squares.AsSpan(touched[t] * width, width).Clear();
        }
        for (int i = 0; i < n; i++)
        {
            int bin = (int)rowBins[i];
            HostVectors.AccumulateShifted(rows.Slice(i * width, width), rows.Slice(last[bin] * width, width),
                sums.AsSpan(bin * width, width), squares.AsSpan(bin * width, width));
        }

        var runningMean = MemoryMarshal.Cast<byte, float>(mean.bytes);
        var runningM2 = MemoryMarshal.Cast<byte, float>(m2.bytes);
        var runningCount = MemoryMarshal.Cast<byte, double>(count.bytes);
        for (int t = 0; t < touchedCount; t++)
        {
            int bin = touched[t];
            double batchCount = counts[bin];
            double total = runningCount[bin] + batchCount;
            double before = total - batchCount;
            var weights = new MergeWeights((float)batchCount, (float)(batchCount / total), (float)(before * batchCount / total));
            int at = bin * width;
            MergeBin(rows.Slice(last[bin] * width, width), sums.AsSpan(at, width), squares.AsSpan(at, width), weights,
                runningMean.Slice(at, width), runningM2.Slice(at, width));
            runningCount[bin] = total;
            counts[bin] = 0;
        }
    }

    /// <summary>A bin's float32 factors of one batch's merge: its rows, its share of the new count, Chan's cross term's weight.</summary>
    private readonly record struct MergeWeights(float Rows, float Share, float Cross);

    /// <summary>One bin's batch moments from its sums, merged into its running mean and M2 (the order of the tensor form).</summary>
    private static void MergeBin(ReadOnlySpan<float> shift, ReadOnlySpan<float> sum, ReadOnlySpan<float> squares, MergeWeights weights,
        Span<float> mean, Span<float> m2)
    {
        int d = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var rowCount = new Vector<float>(weights.Rows);
            var share = new Vector<float>(weights.Share);
            var cross = new Vector<float>(weights.Cross);
            for (; d <= sum.Length - Vector<float>.Count; d += Vector<float>.Count)
            {
                var s = new Vector<float>(sum.Slice(d));
                var batchM2 = new Vector<float>(squares.Slice(d)) - s * s / rowCount;
                batchM2 = Vector.ConditionalSelect(Vector.LessThan(batchM2, Vector<float>.Zero), Vector<float>.Zero, batchM2);
                var batchMean = new Vector<float>(shift.Slice(d)) + s / rowCount;
                var running = new Vector<float>(mean.Slice(d));
                var delta = batchMean - running;
                (running + delta * share).CopyTo(mean.Slice(d));
                (new Vector<float>(m2.Slice(d)) + batchM2 + delta * delta * cross).CopyTo(m2.Slice(d));
            }
        }
        for (; d < sum.Length; d++)
        {
            float s = sum[d];
            float batchM2 = squares[d] - s * s / weights.Rows;
            if (batchM2 < 0) batchM2 = 0;
            float batchMean = shift[d] + s / weights.Rows;
            float delta = batchMean - mean[d];
            mean[d] += delta * weights.Share;
            m2[d] = m2[d] + batchM2 + delta * delta * weights.Cross;
        }
    }

    /// <summary>Merges the pending group of batches, if any.</summary>
    private void Flush()
    {
        if (pendingBatches == 0) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Merge(groupRows!.narrow(0, 0, pendingRows), groupBins!.narrow(0, 0, pendingRows), pendingBatches);
        pendingRows = 0;
        pendingBatches = 0;
    }

    /// <summary>
    /// Computes the moments of <paramref name="groups"/> batches in one pass (<paramref name="index"/>: batch k's bin j as
    /// k x B + j) and merges them into the accumulator, batch by batch, in their order.
    /// </summary>
    private void Merge(Tensor x, Tensor index, int groups)
    {
        int slots = groups * bins;
        var batchCount = bincount(index, minlength: slots).to_type(ScalarType.Float64);   // [K x B]
        var perBin = batchCount.clamp_min(KeptScalars.Of(1)).to_type(ScalarType.Float32).unsqueeze(1);
        // One pass over the group, each batch shifted by a representative of each of its bins (one of its samples; on the
        // CPU its last, as scatter_ over a 1-d index writes in order): with d = x - shift, mean = shift + sum(d) / n and
        // M2 = sum(d^2) - sum(d)^2 / n. The shift is a sample of the same bin, so there is no catastrophic cancellation,
        // and a component constant within the bin has d exactly 0, hence a mean exactly equal to the value and M2
        // exactly 0 (the calibration's zero-variance test is exact).
        var representative = zeros(slots, dtype: ScalarType.Int64, device: x.device)
            .scatter_(0, index, arange(index.shape[0], dtype: ScalarType.Int64, device: x.device));
        var shift = x.index_select(0, representative);                          // [K x B, D]
        var deviation = x - shift.index_select(0, index);                       // [rows, D], the one large temporary
        var sum = zeros(slots, FeatureDim, device: x.device).index_add_(0, index, deviation, KeptScalars.Of(1));
        var sumOfSquares = zeros(slots, FeatureDim, device: x.device).index_add_(0, index, deviation.pow_(KeptScalars.Of(2)), KeptScalars.Of(1));
        var batchM2 = sumOfSquares.sub_(sum * sum / perBin).clamp_min_(KeptScalars.Of(0));
        var one = KeptScalars.Of(1);
        var batchMean = shift.add_(sum.div_(perBin), one);

        // Chan: n = na + nb; mean = ma + d nb / n; M2 = M2a + M2b + d^2 na nb / n. The counts are whole numbers, exact in
        // float64, so the counts after each batch (a running sum) and the merge weights are computed for all batches at
        // once, with the same operations as one batch at a time.
        var perBatch = batchCount.reshape(groups, bins);
        var total = perBatch.cumsum(0).add(count.unsqueeze(0), one);                // [K, B]: counts after batch k
        var before = total - perBatch;
        var safeTotal = total.clamp_min(KeptScalars.Of(1));
        var shareB = (perBatch / safeTotal).to_type(ScalarType.Float32).unsqueeze(2);       // [K, B, 1]
        var cross = (before * perBatch / safeTotal).to_type(ScalarType.Float32).unsqueeze(2);
        // Bins a batch did not touch keep their exact previous values.
        var touched = perBatch.gt(KeptScalars.Of(0)).unsqueeze(2);
        var means = batchMean.reshape(groups, bins, FeatureDim);
        var m2s = batchM2.reshape(groups, bins, FeatureDim);
        // The running values of the group live in this call's dispose scope; the accumulator takes the last ones.
        var runningMean = mean;
        var runningM2 = m2;
        for (int k = 0; k < groups; k++)
        {
            var delta = means[k] - runningMean;
            runningMean = where(touched[k], runningMean.add(delta * shareB[k], one), runningMean);
            runningM2 = where(touched[k], runningM2.add(m2s[k], one).add(delta * delta * cross[k], one), runningM2);
        }
        mean.copy_(runningMean);
        m2.copy_(runningM2);
        count.copy_(total[groups - 1]);
    }

    /// <summary>
    /// On the CPU bincount checks the range without an extra pass: a negative index fails inside it, one beyond the last bin
    /// lengthens its output. (On a device, checking would read the largest index back to the host at every batch; the
    /// trainer's indices come from LabelBins and are always in range.)
    /// </summary>
    private void CheckRange(Tensor index)
    {
        using var scope = NewDisposeScope();
        Tensor counts;
        try
        {
            counts = bincount(index, minlength: bins);
        }
        catch (System.Runtime.InteropServices.ExternalException)
        {
            throw OutOfRange(index);
        }
        if (counts.shape[0] != bins) throw OutOfRange(index);
    }

    private ArgumentException OutOfRange(Tensor index) =>
        new($"FDS bin indices must lie in [0, {bins}); got {index.min().item<long>()}..{index.max().item<long>()}.", "binIndices");

    /// <inheritdoc />
    public void Dispose()
    {
        groupRows?.Dispose();
        groupBins?.Dispose();
        count.Dispose();
        mean.Dispose();
        m2.Dispose();
    }
}
