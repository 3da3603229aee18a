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
        double? clipMin = null, double? clipMax = null)
    {
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
        return lds is null ? values : Convolve(values, lds.ResolveWindow());
    }

    /// <summary>Training counts per bin for already-binned samples.</summary>
    public static int[] Counts(ReadOnlySpan<int> sampleBins, int binCount)
    {
        var counts = new int[binCount];
        foreach (var b in sampleBins) counts[b]++;
        return counts;
    }

    /// <summary>Centred convolution with zero padding (scipy.ndimage.convolve1d, mode "constant").</summary>
    public static double[] Convolve(IReadOnlyList<double> values, IReadOnlyList<double> window)
    {
        int half = window.Count / 2;
        var result = new double[values.Count];
        for (int j = 0; j < result.Length; j++)
        {
            double acc = 0;
            for (int k = -half; k <= half; k++)
            {
                int i = j - k;
                if (i >= 0 && i < values.Count) acc += window[k + half] * values[i];
            }
            result[j] = acc;
        }
        return result;
    }
}
