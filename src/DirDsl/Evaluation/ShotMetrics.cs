namespace DirDsl;

/// <summary>Metrics of one group of test samples. NaN marks a metric that is undefined (an empty group, or a correlation of fewer than two distinct values).</summary>
/// <param name="Count">Number of test samples in the group.</param>
/// <param name="Mse">Mean squared error.</param>
/// <param name="Mae">Mean absolute error (L1).</param>
/// <param name="GeometricMean">exp(mean(log |e|)), an error of exactly 0 counted as 1e-10.</param>
/// <param name="Pearson">Pearson correlation of predictions and targets.</param>
/// <param name="Spearman">Spearman rank correlation (average ranks for ties).</param>
public sealed record GroupMetrics(int Count, double Mse, double Mae, double GeometricMean, double Pearson, double Spearman);

/// <summary>Metrics overall and per shot group.</summary>
public sealed record ShotReport(GroupMetrics Overall, GroupMetrics Many, GroupMetrics Medium, GroupMetrics Few, GroupMetrics Zero)
{
    /// <summary>The groups with their display names, in table order.</summary>
    public IEnumerable<(string Name, GroupMetrics Metrics)> Rows()
    {
        yield return ("All", Overall);
        yield return ("Many", Many);
        yield return ("Medium", Medium);
        yield return ("Few", Few);
        yield return ("Zero", Zero);
    }
}

/// <summary>One element of a vector target evaluated on its own (its test elements, grouped by the run's shot groups).</summary>
/// <param name="Element">The element's name (the [Target] member).</param>
/// <param name="Test">Its metrics overall and per shot group.</param>
public sealed record ElementReport(string Element, ShotReport Test);

/// <summary>Shot-wise evaluation: group membership from the training count of each test sample's bin.</summary>
public static class ShotMetrics
{
    /// <summary>Evaluates with groups from training counts: many &gt; <paramref name="manyAbove"/>, few &lt; <paramref name="fewBelow"/>.</summary>
    /// <exception cref="ArgumentException">Lengths differ, or a value is NaN or infinite (named by index).</exception>
    public static ShotReport Evaluate(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets,
        ReadOnlySpan<float> trainTargets, LabelBins bins, int manyAbove = DslDefaults.ManyAbove, int fewBelow = DslDefaults.FewBelow)
        => Evaluate(predictions, targets, bins, ShotGroups.FromCounts(bins.Counts(trainTargets, "trainTargets"), manyAbove, fewBelow));

    /// <summary>Evaluates with the given shot groups (e.g. explicit ones from a paper).</summary>
    public static ShotReport Evaluate(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, LabelBins bins, ShotGroups groups)
    {
        if (predictions.Length != targets.Length)
            throw new ArgumentException($"{predictions.Length} predictions for {targets.Length} targets.", nameof(predictions));
        if (groups.Count != bins.Count)
            throw new ArgumentException($"Shot groups cover {groups.Count} bins but the label space has {bins.Count}.", nameof(groups));
        for (int i = 0; i < predictions.Length; i++)
            if (!float.IsFinite(predictions[i]))
                throw new ArgumentException($"predictions[{i}] is {predictions[i]}; a model produced a non-finite value.", nameof(predictions));
        var testBins = bins.BinsOf(targets);
        var members = new List<int>[5];
        for (int g = 0; g < members.Length; g++) members[g] = new List<int>();
        for (int i = 0; i < testBins.Length; i++)
        {
            members[0].Add(i);
            members[1 + (int)groups.GroupOf(testBins[i])].Add(i);
            if (groups.IsZeroShot(testBins[i])) members[4].Add(i);
        }
        var p = predictions.ToArray();
        var t = targets.ToArray();
        var m = members.Select(idx => Metrics(idx.Select(i => (double)p[i]).ToArray(), idx.Select(i => (double)t[i]).ToArray())).ToArray();
        return new ShotReport(m[0], m[1], m[2], m[3], m[4]);
    }

    /// <summary>
    /// A vector target's elements each evaluated on their own (aligned flat arrays, <paramref name="shape"/>.Elements per
    /// record, NaN targets left out), or null for a scalar or a map target (a map's elements are pixels, pooled).
    /// </summary>
    public static IReadOnlyList<ElementReport>? PerElement(float[] predictions, float[] targets, TargetShape shape, LabelBins bins, ShotGroups groups)
    {
        if (shape.Kind != TargetKind.Vector) return null;
        if (predictions.Length != targets.Length)
            throw new ArgumentException($"{predictions.Length} predictions for {targets.Length} targets.", nameof(predictions));
        int elements = shape.Elements;
        var reports = new List<ElementReport>(elements);
        for (int e = 0; e < elements; e++)
        {
            var p = new List<float>();
            var t = new List<float>();
            for (int i = e; i < targets.Length; i += elements)
            {
                if (float.IsNaN(targets[i])) continue;
                p.Add(predictions[i]);
                t.Add(targets[i]);
            }
            reports.Add(new ElementReport(shape.ElementName(e), Evaluate(p.ToArray(), t.ToArray(), bins, groups)));
        }
        return reports;
    }

    /// <summary>Mean squared and mean absolute error (for model selection on validation).</summary>
    public static (double Mse, double Mae) Errors(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets)
    {
        if (predictions.Length != targets.Length || predictions.Length == 0)
            throw new ArgumentException($"{predictions.Length} predictions for {targets.Length} targets.", nameof(predictions));
        double se = 0, ae = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double e = (double)predictions[i] - targets[i];
            if (!double.IsFinite(e)) throw new ArgumentException($"predictions[{i}] is {predictions[i]}; a model produced a non-finite value.", nameof(predictions));
            se += e * e;
            ae += Math.Abs(e);
        }
        return (se / predictions.Length, ae / predictions.Length);
    }

    /// <summary>All metrics of one group.</summary>
    public static GroupMetrics Metrics(IReadOnlyList<double> predictions, IReadOnlyList<double> targets)
    {
        int n = predictions.Count;
        if (n == 0) return new GroupMetrics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        double se = 0, ae = 0, logs = 0;
        for (int i = 0; i < n; i++)
        {
            double e = predictions[i] - targets[i];
            se += e * e;
            ae += Math.Abs(e);
            logs += Math.Log(e == 0 ? 1e-10 : Math.Abs(e));
        }
        return new GroupMetrics(n, se / n, ae / n, Math.Exp(logs / n), Pearson(predictions, targets),
            Pearson(Ranks(predictions), Ranks(targets)));
    }

    /// <summary>Pearson correlation; NaN when either side has no variance or fewer than 2 values.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        if (n < 2) return double.NaN;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Ranks from 1, ties given their average rank.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}
