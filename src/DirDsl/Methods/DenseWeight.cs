namespace DirDsl;

/// <summary>
/// DenseWeight (Steininger, Kobs, Davidson, Krause, Hotho 2021, "Density-based weighting for
/// imbalanced regression"): w(y) = max(1 - alpha * p'(y), epsilon), where p' is a Gaussian kernel
/// density estimate of the training targets min-max normalised to [0, 1]; the weights are then
/// scaled to average 1. alpha = 0 gives unit weights; larger alpha weights rare targets more.
/// </summary>
public static class DenseWeight
{
    /// <summary>The floor that keeps the densest targets from getting weight 0.</summary>
    public const double Epsilon = 1e-6;

    /// <summary>Per-sample weights (mean 1) for <paramref name="targets"/>.</summary>
    /// <param name="targets">Training targets; finite.</param>
    /// <param name="alpha">Strength, finite and greater than 0 (<see cref="DslRules.IsValidDenseAlpha"/>, DIR033 in the DSL).</param>
    /// <param name="bandwidth">KDE bandwidth; null uses Silverman's rule of thumb.</param>
    /// <exception cref="ArgumentException">A target is NaN or infinite (named by index), or alpha is negative.</exception>
    public static float[] SampleWeights(ReadOnlySpan<float> targets, double alpha, double? bandwidth = null)
    {
        if (!DslRules.IsValidDenseAlpha(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "DenseWeight alpha must be a finite number greater than 0.");
        var density = Density(targets, bandwidth);
        double min = density.Min(), max = density.Max();
        var raw = new double[targets.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            double normalised = max > min ? (density[i] - min) / (max - min) : 0;
            raw[i] = Math.Max(1 - alpha * normalised, Epsilon);
        }
        double scale = raw.Length / raw.Sum();
        return raw.Select(w => (float)(w * scale)).ToArray();
    }

    /// <summary>Gaussian KDE of the targets evaluated at each target (exact, O(n^2) up to 20,000 samples; binned above).</summary>
    public static double[] Density(ReadOnlySpan<float> targets, double? bandwidth = null)
    {
        int n = targets.Length;
        if (n == 0) throw new ArgumentException("DenseWeight needs at least one target.", nameof(targets));
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!float.IsFinite(targets[i])) throw new ArgumentException($"targets[{i}] is {targets[i]}; every target must be a finite number.", nameof(targets));
            y[i] = targets[i];
        }
        double h = bandwidth ?? Silverman(y);
        if (!(h > 0)) h = 1; // all targets equal: any bandwidth gives a flat normalised density
        var density = new double[n];
        if (n <= 20_000)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int j = 0; j < n; j++)
                {
                    double z = (y[i] - y[j]) / h;
                    sum += Math.Exp(-0.5 * z * z);
                }
                density[i] = sum / (n * h * Math.Sqrt(2 * Math.PI));
            }
            return density;
        }
        // Linear binning on a 2,048-point grid, convolution with the kernel, linear interpolation.
        const int grid = 2048;
        double lo = y.Min() - 4 * h, hi = y.Max() + 4 * h, step = (hi - lo) / (grid - 1);
        var mass = new double[grid];
        foreach (var v in y)
        {
            double position = (v - lo) / step;
            int left = Math.Min(grid - 2, (int)position);
            double right = position - left;
            mass[left] += 1 - right;
            mass[left + 1] += right;
        }
        int reach = (int)Math.Ceiling(5 * h / step);
        var kernel = Enumerable.Range(-reach, 2 * reach + 1).Select(k => Math.Exp(-0.5 * Math.Pow(k * step / h, 2))).ToArray();
        var onGrid = LabelDistribution.Convolve(mass, kernel);
        for (int i = 0; i < n; i++)
        {
            double position = (y[i] - lo) / step;
            int left = Math.Min(grid - 2, (int)position);
            double right = position - left;
            density[i] = ((1 - right) * onGrid[left] + right * onGrid[left + 1]) / (n * h * Math.Sqrt(2 * Math.PI));
        }
        return density;
    }

    /// <summary>Silverman's rule of thumb: 0.9 min(sd, IQR / 1.34) n^(-1/5).</summary>
    public static double Silverman(IReadOnlyList<double> values)
    {
        int n = values.Count;
        double sd = Descriptive.StandardDeviation(values);
        var sorted = values.OrderBy(v => v).ToArray();
        double iqr = Descriptive.Quantile(sorted, 0.75) - Descriptive.Quantile(sorted, 0.25);
        double spread = iqr > 0 ? Math.Min(sd, iqr / 1.34) : sd;
        return 0.9 * spread * Math.Pow(n, -0.2);
    }
}

/// <summary>DenseWeight as a method of a variant: its per-sample weights replace re-weighting (no LDS).</summary>
/// <param name="Alpha">The strength (<see cref="DslRules.IsValidDenseAlpha"/>).</param>
public sealed record DenseWeighting(double Alpha) : IVariantMethod
{
    /// <inheritdoc />
    public string Name => "DenseWeight";

    /// <inheritdoc />
    /// <remarks>Works per target element: any shape.</remarks>
    public string? Unsupported(TargetShape shape) => null;

    /// <inheritdoc />
    public float[]? SampleWeights(ReadOnlySpan<float> trainTargets, LabelBins bins, TargetShape shape) => DenseWeight.SampleWeights(trainTargets, Alpha);
    /// <inheritdoc />
    /// <remarks>The method alone and, when the configured variant has FDS, with it (the row NAME+FDS).</remarks>
    public IEnumerable<DirVariant> Rows(DirVariant configured) => MethodRows.AloneAndWithFds(this, configured);
}
