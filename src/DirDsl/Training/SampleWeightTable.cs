using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// The training split's loss weights on the device, as the steps gather them: per record for a scalar or vector target
/// (a [n, ..shape] table indexed by the batch's record indices), per label bin for a dense map (a [bins] table indexed
/// by each pixel's bin).
/// </summary>
/// <remarks>
/// A map's per-bin table holds, for each bin, the mean weight of the training elements in it. For LDS and the plain
/// re-weightings a weight is a function of the element's bin (the reference's depth code looks each pixel's weight up in
/// a per-bin table too), so the mean is that weight exactly; a method whose weights vary within a bin (DenseWeight's
/// kernel density of the value) gets its bin mean. Gathering by bin keeps the table at bins floats whatever the number
/// of images, and makes a pixel's weight follow it through a joint crop or flip. A pixel without a target (bin -1) gets 0,
/// and the mask leaves it out of the loss anyway.
/// </remarks>
public sealed class SampleWeightTable : IDisposable
{
    private readonly Tensor table;
    private readonly bool perBin;

    private SampleWeightTable(Tensor table, bool perBin)
    {
        this.table = table;
        this.perBin = perBin;
    }

    /// <summary>Whether the weights are gathered by bin (a dense map) rather than by record.</summary>
    public bool PerBin => perBin;

    /// <summary>The table: [n, ..shape] by record, or [bins + 1] by bin (slot 0 for a missing pixel, slot b + 1 for bin b).</summary>
    public Tensor Values => table;

    /// <summary>
    /// The table of a method's <paramref name="weights"/> on <paramref name="device"/>: per element as
    /// <see cref="For(SplitData, float[], int, Device)"/>, or per bin of the split (slot 0 for a missing pixel).
    /// </summary>
    /// <exception cref="ArgumentException">The weights do not match the split's valid elements, or per-bin weights for a target that is not a map.</exception>
    public static SampleWeightTable For(SplitData split, LossWeights weights, int bins, Device device)
    {
        if (weights.Elements is { } elements) return For(split, elements, bins, device);
        if (split.Shape.Kind != TargetKind.Map)
            throw new ArgumentException("Weights per label bin are gathered by each pixel's bin: a map target only.", nameof(weights));
        var perBin = weights.PerBin!;
        var values = new float[perBin.Length + 1];
        perBin.CopyTo(values, 1);
        return new(tensor(values).to(device), true);
    }

    /// <summary>
    /// The table of <paramref name="validWeights"/>, the weights of the split's elements that have a target (in the order of
    /// <see cref="SplitData.ValidTargets"/>), on <paramref name="device"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The weights do not match the split's valid elements.</exception>
    public static SampleWeightTable For(SplitData split, float[] validWeights, int bins, Device device)
    {
        var positions = split.ValidPositions;
        int valid = positions?.Length ?? split.Targets.Length;
        if (validWeights.Length != valid)
            throw new ArgumentException($"{validWeights.Length:N0} weights for the {valid:N0} training elements that have a target.", nameof(validWeights));
        if (split.Shape.Kind != TargetKind.Map)
            return new(tensor(TargetElements.Scatter(validWeights, positions, split.Targets.Length), split.Shape.BatchShape(split.Count)).to(device), false);
        var elementBins = split.Bins;
        // The split's own bins (a search point may rebin it) set the table's length.
        if (elementBins.Length > 0) bins = (int)Math.Max(bins, elementBins.Max() + 1);
        var sums = new double[bins];
        var counts = new long[bins];
        for (int i = 0; i < validWeights.Length; i++)
        {
            long bin = elementBins[positions is null ? i : positions[i]];
            sums[bin] += validWeights[i];
            counts[bin]++;
        }
        var values = new float[bins + 1];
        for (int b = 0; b < bins; b++) values[b + 1] = counts[b] == 0 ? 0f : (float)(sums[b] / counts[b]);
        return new(tensor(values).to(device), true);
    }

    /// <summary>The weights of a batch's elements, [n, ..shape].</summary>
    public Tensor Gather(DataBatch batch) => perBin
        ? table.index_select(0, batch.Bins.reshape(-1).add(KeptScalars.OfInteger(1), KeptScalars.OfInteger(1))).reshape(batch.Bins.shape)
        : table.index_select(0, batch.Index);

    /// <inheritdoc />
    public void Dispose() => table.Dispose();
}
