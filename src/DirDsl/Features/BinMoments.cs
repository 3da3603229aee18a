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
public sealed class BinMoments : IDisposable
{
    private readonly int bins;
    private Tensor count;  // [B] float64
    private Tensor mean;   // [B, D] float32
    private Tensor m2;     // [B, D] float32

    /// <summary>Starts an empty accumulator for <paramref name="bins"/> bins of <paramref name="featureDim"/> features.</summary>
    public BinMoments(int bins, int featureDim, Device? device = null)
    {
        this.bins = bins;
        FeatureDim = featureDim;
        count = zeros(bins, dtype: ScalarType.Float64, device: device);
        mean = zeros(bins, featureDim, device: device);
        m2 = zeros(bins, featureDim, device: device);
    }

    /// <summary>The feature dimension D.</summary>
    public int FeatureDim { get; }

    /// <summary>Samples seen per bin, [B] float64.</summary>
    public Tensor Count => count;

    /// <summary>Per-bin mean, [B, D].</summary>
    public Tensor Mean => mean;

    /// <summary>Per-bin unbiased variance ([B, D]); 0 where a bin has one sample or none.</summary>
    public Tensor Variance()
    {
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
        var batchCount = CountPerBin(index);
        var perBin = batchCount.clamp_min(KeptScalars.Of(1)).to_type(ScalarType.Float32).unsqueeze(1);
        // One pass over the batch, shifted by a representative of each bin (one of its samples; on the CPU its last, as
        // scatter_ over a 1-d index writes in order): with d = x - shift, mean = shift + sum(d) / n and M2 = sum(d^2) - sum(d)^2 / n.
        // The shift is a sample of the same bin, so there is no catastrophic cancellation, and a
        // component constant within the bin has d exactly 0, hence a mean exactly equal to the value
        // and M2 exactly 0 (the calibration's zero-variance test is exact). Batches then merge with Chan.
        var representative = zeros(bins, dtype: ScalarType.Int64, device: x.device)
            .scatter_(0, index, arange(index.shape[0], dtype: ScalarType.Int64, device: x.device));
        var shift = x.index_select(0, representative);                          // [B, D]
        var deviation = x - shift.index_select(0, index);                       // [n, D], the one large temporary
        var sum = zeros_like(mean).index_add_(0, index, deviation, KeptScalars.Of(1));
        var sumOfSquares = zeros_like(m2).index_add_(0, index, deviation.pow_(KeptScalars.Of(2)), KeptScalars.Of(1));
        var batchM2 = sumOfSquares.sub_(sum * sum / perBin).clamp_min_(KeptScalars.Of(0));
        var one = KeptScalars.Of(1);
        var batchMean = shift.add_(sum.div_(perBin), one);

        // Chan: n = na + nb; mean = ma + d nb / n; M2 = M2a + M2b + d^2 na nb / n.
        var total = count.add(batchCount, one);
        var safeTotal = total.clamp_min(KeptScalars.Of(1));
        var shareB = (batchCount / safeTotal).to_type(ScalarType.Float32).unsqueeze(1);
        var cross = (count * batchCount / safeTotal).to_type(ScalarType.Float32).unsqueeze(1);
        var delta = batchMean - mean;
        var newMean = mean.add(delta * shareB, one);
        var newM2 = m2.add(batchM2, one).add(delta * delta * cross, one);
        // Bins this batch did not touch keep their exact previous values.
        var touched = batchCount.gt(KeptScalars.Of(0)).unsqueeze(1);
        mean.copy_(where(touched, newMean, mean));
        m2.copy_(where(touched, newM2, m2));
        count.copy_(total);
    }

    /// <summary>
    /// Samples per bin in the batch, float64 [B]. On the CPU bincount counts and checks the range without an extra pass (a
    /// negative index fails inside it, one beyond the last bin lengthens its output); elsewhere the counts are added on
    /// the device without a check, as bincount would read the largest index back to the host at every batch (the
    /// trainer's indices come from LabelBins and are always in range).
    /// </summary>
    private Tensor CountPerBin(Tensor index)
    {
        if (index.device_type != DeviceType.CPU)
            return zeros(bins, dtype: ScalarType.Float64, device: index.device).scatter_add_(0, index, ones(index.shape[0], dtype: ScalarType.Float64, device: index.device));
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
        return counts.to_type(ScalarType.Float64);
    }

    private ArgumentException OutOfRange(Tensor index) =>
        new($"FDS bin indices must lie in [0, {bins}); got {index.min().item<long>()}..{index.max().item<long>()}.", "binIndices");

    /// <inheritdoc />
    public void Dispose()
    {
        count.Dispose();
        mean.Dispose();
        m2.Dispose();
    }
}
