using static TorchSharp.torch;

namespace DirDsl.Testing;

/// <summary>
/// FDS's streaming moments merged one batch at a time, as each batch comes: the formulation BinMoments had before it
/// grouped batches, kept as the independent expectation its grouped form must equal bit for bit (a test) and as the
/// "before" side of the benchmarks' breakdown. Per bin: a shift by one of the bin's samples, index_add sums, Chan's
/// merge, bins a batch lacks kept as they were.
/// </summary>
public sealed class PerBatchMoments(int binCount, int width) : IDisposable
{
    public Tensor Count { get; private set; } = zeros(binCount, dtype: ScalarType.Float64).DetachFromDisposeScope();
    public Tensor Mean { get; private set; } = zeros(binCount, width).DetachFromDisposeScope();
    public Tensor M2 { get; private set; } = zeros(binCount, width).DetachFromDisposeScope();

    /// <summary>The moments of <paramref name="batches"/>, merged in their order.</summary>
    public static PerBatchMoments Of(IEnumerable<(Tensor X, Tensor Bins)> batches, int binCount, int width)
    {
        var moments = new PerBatchMoments(binCount, width);
        foreach (var (x, bins) in batches) moments.Add(x, bins);
        return moments;
    }

    public void Add(Tensor x, Tensor index)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batchCount = bincount(index, minlength: binCount).to_type(ScalarType.Float64);
        var perBin = batchCount.clamp_min(1).to_type(ScalarType.Float32).unsqueeze(1);
        var representative = zeros(binCount, dtype: ScalarType.Int64).scatter_(0, index, arange(index.shape[0], dtype: ScalarType.Int64));
        var shift = x.index_select(0, representative);
        var deviation = x - shift.index_select(0, index);
        var sum = zeros_like(Mean).index_add_(0, index, deviation, 1);
        var sumOfSquares = zeros_like(M2).index_add_(0, index, deviation.pow(2), 1);
        var batchM2 = (sumOfSquares - sum * sum / perBin).clamp_min(0);
        var batchMean = shift + sum / perBin;
        var total = Count + batchCount;
        var safeTotal = total.clamp_min(1);
        var shareB = (batchCount / safeTotal).to_type(ScalarType.Float32).unsqueeze(1);
        var cross = (Count * batchCount / safeTotal).to_type(ScalarType.Float32).unsqueeze(1);
        var delta = batchMean - Mean;
        var touched = batchCount.gt(0).unsqueeze(1);
        var mean = where(touched, Mean + delta * shareB, Mean).DetachFromDisposeScope();
        var m2 = where(touched, M2 + batchM2 + delta * delta * cross, M2).DetachFromDisposeScope();
        total.DetachFromDisposeScope();
        Dispose();
        (Count, Mean, M2) = (total, mean, m2);
    }

    /// <summary>The unbiased variance per bin, 0 where a bin has one sample or none.</summary>
    public Tensor Variance() => (M2 / Count.sub(1).clamp_min(1).to_type(ScalarType.Float32).unsqueeze(1)).masked_fill(Count.le(1).unsqueeze(1), 0);

    public void Dispose()
    {
        Count.Dispose();
        Mean.Dispose();
        M2.Dispose();
    }
}
