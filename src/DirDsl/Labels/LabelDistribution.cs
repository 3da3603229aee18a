namespace DirDsl;

/// <summary>Settings of label distribution smoothing: the kernel convolved with the per-bin values.</summary>
/// <param name="Kernel">The kernel shape.</param>
/// <param name="Size">Odd window size, at least 3.</param>
/// <param name="Sigma">Kernel width (Gaussian, Laplace), greater than 0.</param>
public sealed record LdsOptions(Kernel Kernel = Kernel.Gaussian, int Size = DslDefaults.KernelSize, double Sigma = DslDefaults.KernelSigma)
{
    /// <summary>
    /// A precomputed max-normalised window (the generator emits it as a compile-time constant);
    /// null computes it from Kernel, Size and Sigma.
    /// </summary>
    public IReadOnlyList<double>? Window { get; init; }

    /// <summary>How the convolution treats the ends of the bin axis: zeros (the age code) or mirrored values (the depth code).</summary>
    public LdsPadding Padding { get; init; } = DslDefaults.LdsPadding;

    /// <summary>
    /// The first bin smoothed: the convolution runs over bins StartBin.. only, and the bins below take the first smoothed
    /// value (the reference's depth code: <c>bucket_start</c> 7, the depths below 0.7 m taking bin 7's value). 0 smooths every bin.
    /// </summary>
    public int StartBin { get; init; } = DslDefaults.StartBin;

    /// <summary>The max-normalised window these options smooth with.</summary>
    public IReadOnlyList<double> ResolveWindow() => Window ?? KernelWindow.ForLds(Kernel, Size, Sigma);
}

/// <summary>Label distribution smoothing (LDS) and the per-sample loss weights derived from it.</summary>
public static class LabelDistribution
{
    /// <summary>
    /// Per-sample weights that average to 1. Counts per bin, optionally clipped to
    /// [<paramref name="clipMin"/>, <paramref name="clipMax"/>] (the reference clips age counts to [5, 1000]),
    /// are transformed by <paramref name="reweight"/> (sqrt for SqrtInverse), smoothed by the
    /// max-normalised LDS window with zero padding when <paramref name="lds"/> is given, and inverted.
    /// </summary>
    /// <exception cref="ArgumentException">A target is NaN or infinite (the message names its index), or LDS with Reweight.None.</exception>
    /// <exception cref="InvalidOperationException">A sample's smoothed value is 0 or not finite.</exception>
    public static float[] SampleWeights(ReadOnlySpan<float> targets, LabelBins bins, Reweight reweight,
        LdsOptions? lds = null, double? clipMin = null, double? clipMax = null)
    {
        var sampleBins = bins.BinsOf(targets);
        var weights = new float[targets.Length];
        if (reweight == Reweight.None)
        {
            if (lds is not null)
                throw new ArgumentException("LDS needs a re-weighting mode (Inverse or SqrtInverse), not Reweight.None.", nameof(reweight));
            Array.Fill(weights, 1f);
            return weights;
        }

        var effective = EffectiveDensity(Counts(sampleBins, bins.Count), reweight, lds, clipMin, clipMax);
        double sum = 0;
        var raw = new double[targets.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            double v = effective[sampleBins[i]];
            if (!(v > 0) || !double.IsFinite(v))
                throw new InvalidOperationException(
                    $"targets[{i}] (bin {sampleBins[i]}) has a smoothed label density of {v}; its weight would not be finite.");
            raw[i] = 1.0 / v;
            sum += raw[i];
        }
        double scale = raw.Length / sum;
        for (int i = 0; i < raw.Length; i++) weights[i] = (float)(raw[i] * scale);
        return weights;
    }

    /// <summary>
    /// The per-bin values whose inverse is the weight: counts (clipped), square-rooted for
    /// SqrtInverse, then convolved with the max-normalised LDS window (zero padding).
    /// With <see cref="Reweight.None"/> this is the plain count (for plots of the empirical density).
    /// </summary>
    public static double[] EffectiveDensity(IReadOnlyList<int> counts, Reweight reweight, LdsOptions? lds = null,
        double? clipMin = null, double? clipMax = null) =>
        EffectiveDensity(counts.Select(c => (long)c).ToArray(), reweight, lds, clipMin, clipMax);

    /// <summary>
    /// <see cref="EffectiveDensity(IReadOnlyList{int}, Reweight, LdsOptions?, double?, double?)"/> for counts of any size
    /// (pixels of a dense target). With <see cref="LdsOptions.StartBin"/> s above 0, bins s.. are convolved on their own
    /// (with the options' padding) and the bins below s take the first smoothed value; without LDS they take bin s's value,
    /// as the reference's depth code does in both branches.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Clip bounds in the wrong order, or a start bin outside the bins.</exception>
    public static double[] EffectiveDensity(IReadOnlyList<long> counts, Reweight reweight, LdsOptions? lds = null,
        double? clipMin = null, double? clipMax = null, int startBin = DslDefaults.StartBin)
    {
        startBin = lds?.StartBin ?? startBin;
        if (!DslRules.IsValidStartBin(startBin, counts.Count))
            throw new ArgumentOutOfRangeException(nameof(startBin), startBin, $"The LDS start bin must lie in 0..{counts.Count - 1} (the bins).");
        if (!DslRules.IsValidCountClip(clipMin ?? DslDefaults.CountClipOff, clipMax ?? DslDefaults.CountClipOff))
            throw new ArgumentOutOfRangeException(nameof(clipMin), $"clipMin ({clipMin}) must not exceed clipMax ({clipMax}).");
        var values = new double[counts.Count];
        for (int j = 0; j < values.Length; j++)
        {
            double c = counts[j];
            if (clipMin is { } min) c = Math.Max(c, min);
            if (clipMax is { } max) c = Math.Min(c, max);
            values[j] = reweight == Reweight.SqrtInverse ? Math.Sqrt(c) : c;
        }
        if (startBin == 0) return lds is null ? values : Convolve(values, lds.ResolveWindow(), lds.Padding);
        var tail = values.Skip(startBin).ToArray();
        var smoothed = lds is null ? tail : Convolve(tail, lds.ResolveWindow(), lds.Padding);
        return Enumerable.Repeat(smoothed[0], startBin).Concat(smoothed).ToArray();
    }

    /// <summary>
    /// The reference's per-bin weights of a dense target (its depth code's <c>_get_bucket_weights</c>): with s_j the
    /// <see cref="EffectiveDensity(IReadOnlyList{long}, Reweight, LdsOptions?, double?, double?, int)"/> of bin j and
    /// c_j its training count, w_j = float32(scaling / s_j) with scaling = sum(c) / sum(c_j / s_j), so the weights of
    /// the training elements average to 1. Computed in double and rounded once, as numpy does. Every bin gets a weight
    /// (an empty bin's weight still comes from its smoothed neighbours); null for <see cref="Reweight.None"/> without LDS.
    /// </summary>
    /// <exception cref="ArgumentException">LDS with Reweight.None.</exception>
    /// <exception cref="InvalidOperationException">No training element, or a bin with elements has a smoothed value of 0, or a weight is not finite.</exception>
    public static float[]? BinWeights(IReadOnlyList<long> counts, Reweight reweight, LdsOptions? lds = null,
        double? clipMin = null, double? clipMax = null, int startBin = DslDefaults.StartBin)
    {
        if (reweight == Reweight.None)
        {
            if (lds is not null) throw new ArgumentException("LDS needs a re-weighting mode (Inverse or SqrtInverse), not Reweight.None.", nameof(reweight));
            return null;
        }
        var effective = EffectiveDensity(counts, reweight, lds, clipMin, clipMax, startBin);
        double total = 0, inverse = 0;
        for (int j = 0; j < counts.Count; j++)
        {
            if (counts[j] == 0) continue;
            if (!(effective[j] > 0) || !double.IsFinite(effective[j]))
                throw new InvalidOperationException($"Bin {j} has {counts[j]:N0} training elements but a smoothed label density of {effective[j]}; its weight would not be finite.");
            total += counts[j];
            inverse += counts[j] / effective[j];
        }
        if (total == 0) throw new InvalidOperationException("No training element has a target: there are no label counts to weight by.");
        double scaling = total / inverse;
        var weights = new float[counts.Count];
        for (int j = 0; j < weights.Length; j++)
        {
            // An empty bin with a smoothed value of 0 (zero padding far from any count) never weighs a training element.
            weights[j] = effective[j] > 0 ? (float)(scaling / effective[j]) : 0f;
            if (!float.IsFinite(weights[j])) throw new InvalidOperationException($"Bin {j}'s weight is {weights[j]} (smoothed label density {effective[j]}).");
        }
        return weights;
    }

    /// <summary>
    /// Per-element weights of a dense target from <see cref="BinWeights"/>: each element takes its bin's weight (the
    /// reference's depth code looks each pixel's weight up in its per-bin table).
    /// </summary>
    /// <exception cref="ArgumentException">A target is NaN or infinite (named by index), or LDS with Reweight.None.</exception>
    public static float[] ElementWeights(ReadOnlySpan<float> targets, LabelBins bins, Reweight reweight, LdsOptions? lds = null,
        double? clipMin = null, double? clipMax = null, int startBin = DslDefaults.StartBin)
    {
        var elementBins = bins.BinsOf(targets);
        var counts = new long[bins.Count];
        foreach (var b in elementBins) counts[b]++;
        var table = BinWeights(counts, reweight, lds, clipMin, clipMax, startBin);
        var weights = new float[targets.Length];
        if (table is null) Array.Fill(weights, 1f);
        else for (int i = 0; i < weights.Length; i++) weights[i] = table[elementBins[i]];
        return weights;
    }

    /// <summary>Training counts per bin for already-binned samples.</summary>
    public static int[] Counts(ReadOnlySpan<int> sampleBins, int binCount)
    {
        var counts = new int[binCount];
        foreach (var b in sampleBins) counts[b]++;
        return counts;
    }

    /// <summary>Centred convolution with zero padding (scipy.ndimage.convolve1d, mode "constant").</summary>
    public static double[] Convolve(IReadOnlyList<double> values, IReadOnlyList<double> window) => Convolve(values, window, LdsPadding.Zero);

    /// <summary>
    /// Centred convolution (scipy.ndimage.convolve1d) with zero padding (mode "constant") or mirrored ends (mode
    /// "reflect": index -1 reads 0, -2 reads 1, n reads n - 1, repeating for windows wider than the values).
    /// </summary>
    public static double[] Convolve(IReadOnlyList<double> values, IReadOnlyList<double> window, LdsPadding padding)
    {
        int half = window.Count / 2, n = values.Count;
        var result = new double[n];
        for (int j = 0; j < n; j++)
        {
            double acc = 0;
            for (int k = -half; k <= half; k++)
            {
                int i = j - k;
                if (i < 0 || i >= n)
                {
                    if (padding == LdsPadding.Zero) continue;
                    i = Reflected(i, n);
                }
                acc += window[k + half] * values[i];
            }
            result[j] = acc;
        }
        return result;
    }

    /// <summary>scipy's "reflect" index: the sequence extended as d c b a | a b c d | d c b a, as often as it takes.</summary>
    private static int Reflected(int i, int n)
    {
        int period = 2 * n;
        int m = ((i % period) + period) % period;
        return m < n ? m : period - 1 - m;
    }
}
