using static TorchSharp.torch;

namespace DirDsl;

/// <summary>A split turned into tensors: input rows, targets (scaled for the loss), label bins and weights.</summary>
public sealed class DirDataset : IDisposable
{
    private DirDataset(Tensor inputs, float[] targets, long[] bins, Tensor scaledTargets, Tensor binTensor)
    {
        Inputs = inputs;
        Targets = targets;
        Bins = bins;
        ScaledTargets = scaledTargets;
        BinTensor = binTensor;
    }

    /// <summary>Input rows [N, W] (float32, on the run's device).</summary>
    public Tensor Inputs { get; }
    /// <summary>Targets in their own unit.</summary>
    public float[] Targets { get; }
    /// <summary>Label bin of each target.</summary>
    public long[] Bins { get; }
    /// <summary>Targets divided by the target scale, [N, 1].</summary>
    public Tensor ScaledTargets { get; }
    /// <summary>Label bins as an int64 tensor [N].</summary>
    public Tensor BinTensor { get; }
    /// <summary>Number of records.</summary>
    public int Count => Targets.Length;

    /// <summary>Maps every record through <paramref name="map"/> (already fitted) and bins its target.</summary>
    /// <exception cref="DirDataException">An empty split, or a record with a bad feature or target.</exception>
    public static DirDataset Build<T>(IFeatureMap<T> map, IReadOnlyList<T> records, string split, LabelBins labelBins,
        double targetScale, Device device)
    {
        if (records.Count == 0) throw new DirDataException(split, "it has no records.");
        var rows = new float[records.Count * map.Width];
        var targets = new float[records.Count];
        var bins = new long[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            map.Write(records[i], rows.AsSpan(i * map.Width, map.Width), split, i);
            targets[i] = map.Target(records[i], split, i);
            bins[i] = labelBins.BinOf(targets[i]);
        }
        var inputs = tensor(rows, new long[] { records.Count, map.Width }).to(device);
        var scaled = tensor(targets.Select(t => (float)(t / targetScale)).ToArray(), new long[] { records.Count, 1 }).to(device);
        return new DirDataset(inputs, targets, bins, scaled, tensor(bins).to(device));
    }

    /// <summary>Checks a target: finite, with a clear error naming split, record and member.</summary>
    public static float CheckTarget(double value, string split, int index, string member) => double.IsFinite(value)
        ? (float)value
        : throw new DirDataException(split, index, member, $"the target is {value}; targets must be finite.");

    /// <inheritdoc />
    public void Dispose()
    {
        Inputs.Dispose();
        ScaledTargets.Dispose();
        BinTensor.Dispose();
    }
}
