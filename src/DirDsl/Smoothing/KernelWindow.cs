// Dependency-free: linked into the netstandard2.0 generator so kernel windows are computed
// at compile time by the very code the runtime uses (see Enums.cs for the visibility switch).
using System;

namespace DirDsl;

/// <summary>
/// Kernel windows for label distribution smoothing (LDS, max-normalised: centre = 1) and
/// feature distribution smoothing (FDS, sum-normalised: weights add up to 1).
/// </summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
static class KernelWindow
{
    /// <summary>The LDS window: divided by its maximum, so the centre weight is 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Size even or below 3, or sigma not positive and finite.</exception>
    public static double[] ForLds(Kernel kernel, int size, double sigma)
    {
        var window = Raw(kernel, size, sigma);
        double max = 0;
        foreach (var w in window) max = Math.Max(max, w);
        for (int i = 0; i < window.Length; i++) window[i] /= max;
        return window;
    }

    /// <summary>The FDS window: divided by its sum, so the weights add up to 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Size even or below 3, or sigma not positive and finite.</exception>
    public static double[] ForFds(Kernel kernel, int size, double sigma)
    {
        var window = Raw(kernel, size, sigma);
        double sum = 0;
        foreach (var w in window) sum += w;
        for (int i = 0; i < window.Length; i++) window[i] /= sum;
        return window;
    }

    private static double[] Raw(Kernel kernel, int size, double sigma)
    {
        var problem = DslRules.KernelProblem(size, sigma);
        if (problem != null) throw new ArgumentOutOfRangeException(DslRules.IsValidKernelSize(size) ? nameof(sigma) : nameof(size), problem);
        int half = (size - 1) / 2;
        var window = new double[size];
        switch (kernel)
        {
            case Kernel.Gaussian:
                var impulse = new double[size];
                impulse[half] = 1;
                return GaussianFilter(impulse, sigma);
            case Kernel.Triangular:
                for (int k = -half; k <= half; k++) window[k + half] = 1.0 - Math.Abs(k) / (double)(half + 1);
                return window;
            case Kernel.Laplace:
                for (int k = -half; k <= half; k++) window[k + half] = Math.Exp(-Math.Abs(k) / sigma) / (2 * sigma);
                return window;
            default:
                throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "unknown kernel");
        }
    }

    /// <summary>
    /// A 1-D Gaussian filter as scipy.ndimage.gaussian_filter1d computes it: a discrete Gaussian
    /// of radius floor(4 sigma + 0.5), normalised to sum 1, correlated with the signal extended
    /// by half-sample symmetric reflection (... c b a | a b c ... | c b a ...). When the radius
    /// exceeds the signal, the reflected tails fold back in, which is why ks=3, sigma=2 gives
    /// about [0.99958, 1, 0.99958] and not the plain exp(-k^2 / 2 sigma^2).
    /// </summary>
    private static double[] GaussianFilter(double[] signal, double sigma)
    {
        int radius = (int)(4.0 * sigma + 0.5);
        var weights = new double[2 * radius + 1];
        double total = 0;
        for (int k = -radius; k <= radius; k++)
        {
            weights[k + radius] = Math.Exp(-0.5 / (sigma * sigma) * k * k);
            total += weights[k + radius];
        }
        for (int i = 0; i < weights.Length; i++) weights[i] /= total;

        int n = signal.Length;
        var output = new double[n];
        for (int i = 0; i < n; i++)
        {
            double acc = 0;
            for (int k = -radius; k <= radius; k++) acc += weights[k + radius] * signal[Reflect(i + k, n)];
            output[i] = acc;
        }
        return output;
    }

    /// <summary>Half-sample symmetric reflection (scipy mode "reflect"), periodic with period 2n.</summary>
    private static int Reflect(int index, int n)
    {
        int period = 2 * n;
        int m = ((index % period) + period) % period;
        return m < n ? m : period - 1 - m;
    }
}
