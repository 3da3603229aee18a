using static TorchSharp.torch;

namespace DirDsl;

/// <summary>A split turned into tensors: input rows, targets (scaled for the loss), label bins and weights.</summary>
public sealed class DirDataset : IDisposable
{
    private DirDataset(Tensor inputs, float[] targets, long[] bins, Tensor scaledTargets, Tensor binTensor, FeatureLayout layout)
    {
        Layout = layout;
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
    /// <summary>Which input columns are one-hot category blocks.</summary>
    public FeatureLayout Layout { get; }
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
        for (int i = 0; i < records.Count; i++)
        {
            map.Write(records[i], rows.AsSpan(i * map.Width, map.Width), split, i);
            targets[i] = map.Target(records[i], split, i);
        }
        return FromRows(rows, targets, map.Layout, labelBins, targetScale, device);
    }

    /// <summary>A dataset from input rows (row-major, <paramref name="layout"/>.Width columns) and their targets.</summary>
    public static DirDataset FromRows(float[] rows, float[] targets, FeatureLayout layout, LabelBins labelBins, double targetScale, Device device)
    {
        if (rows.Length != targets.Length * layout.Width)
            throw new ArgumentException($"{targets.Length} targets need {targets.Length * layout.Width} row values, not {rows.Length}.");
        var bins = targets.Select(t => (long)labelBins.BinOf(t)).ToArray();
        var inputs = tensor(rows, new long[] { targets.Length, layout.Width }).to(device);
        var scaled = tensor(targets.Select(t => (float)(t / targetScale)).ToArray(), new long[] { targets.Length, 1 }).to(device);
        return new DirDataset(inputs, targets, bins, scaled, tensor(bins).to(device), layout);
    }

    /// <summary>
    /// This split resampled with SMOTER or SMOGN (a new dataset; this one is unchanged). Only ever the
    /// training split: validation and test keep their real records.
    /// </summary>
    public DirDataset Resample(ResamplingOptions options, LabelBins labelBins, double targetScale, int seed, out ResampledRows summary)
    {
        summary = Resampler.Apply(RowsOnHost(), Targets, Layout, options, labelBins, seed);
        return FromRows(summary.Rows, summary.Targets, Layout, labelBins, targetScale, Inputs.device);
    }

    /// <summary>The same records with their targets binned by <paramref name="labelBins"/> (a hyperparameter-search point's bins).</summary>
    public DirDataset Rebinned(LabelBins labelBins, double targetScale) =>
        FromRows(RowsOnHost(), Targets, Layout, labelBins, targetScale, Inputs.device);

    /// <summary>The input rows copied to a host array, row-major (the temporary host tensors are disposed).</summary>
    private float[] RowsOnHost()
    {
        using var scope = NewDisposeScope();
        return Inputs.cpu().contiguous().data<float>().ToArray();
    }

    /// <summary>
    /// The records a variant trains on when they differ from the training split: resampled by SMOTER / SMOGN
    /// (seeded by the run's seed, logged), or re-binned with a search point's bins. Null: train on the split as is.
    /// </summary>
    public static DirDataset? ForVariant(DirDataset train, DirVariant variant, LabelBins labelBins, double targetScale, int seed, TextWriter log)
    {
        if (variant.Resampling is { } resampling)
        {
            var resampled = train.Resample(resampling, variant.BinsOr(labelBins), targetScale, seed, out var summary);
            log.WriteLine($"{variant.Name} (seed {seed}): {train.Count} training records resampled to {resampled.Count}: {summary}.");
            if (summary.RareBumps == 0)
                log.WriteLine($"warning: {variant.Name}: no training target reaches relevance {resampling.Threshold}; the row trains on the records as they are (try Relevance = RelevanceKind.Rarity).");
            return resampled;
        }
        return variant.Bins is { } bins ? train.Rebinned(bins, targetScale) : null;
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
