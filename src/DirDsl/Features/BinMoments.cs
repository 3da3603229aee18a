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
/// The batches' own moments are computed for several batches at once (up to <see cref="SplitData.PassChunkRows"/> rows,
/// copied into a group buffer as they come, so a caller may reuse or free a batch's tensors at once):
/// batch k's bin j becomes bin k x B + j of one pass, so a batch's statistics are the same floats as when it is computed
/// alone (index_add adds a bin's rows in row order either way), while the per-call overhead of some twenty small kernels
/// is paid once per group rather than per batch. The merges then run batch by batch in the order the batches came, so the
/// result is bit for bit the one of merging each batch as it arrives.
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

    /// <summary>Starts an empty accumulator for <paramref name="bins"/> bins of <paramref name="featureDim"/> features.</summary>
    public BinMoments(int bins, int featureDim, Device? device = null)
    {
        this.bins = bins;
        FeatureDim = featureDim;
        count = zeros(bins, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
        mean = zeros(bins, featureDim, device: device).DetachFromDisposeScope();
        m2 = zeros(bins, featureDim, device: device).DetachFromDisposeScope();
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
