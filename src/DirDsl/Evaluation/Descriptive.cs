namespace DirDsl;

/// <summary>The descriptive statistics DirDsl computes on the host, once: quantile, median, sample standard deviation.</summary>
public static class Descriptive
{
    /// <summary>Quantile <paramref name="p"/> of sorted data, linear between order statistics (R's type 7, numpy's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        double h = (sorted.Count - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>The median: the middle value, or the mean of the two middle values (the values are sorted in place).</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static double Median(double[] values)
    {
        if (values.Length == 0) throw new ArgumentException("The median of no values is undefined.", nameof(values));
        Array.Sort(values);
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /// <summary>The sample standard deviation (n - 1 in the denominator); 0 for fewer than two values.</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
