using ScottPlot;

namespace DirDsl.Figures;

/// <summary>
/// PNG figures of a run (ScottPlot, headless; text needs a font such as fonts-dejavu-core).
/// Each is written atomically; each returns the path written.
/// </summary>
public static class Plots
{
    private const int Width = 900;
    private const int Height = 500;

    /// <summary>Training counts per bin (bars) against the LDS-effective density rescaled to the same total (line).</summary>
    public static string LabelDensity(string path, LabelBins bins, IReadOnlyList<int> counts, IReadOnlyList<double> effective, string title)
    {
        var plot = new Plot();
        var centres = Enumerable.Range(0, bins.Count).Select(bins.Center).ToArray();
        var bars = plot.Add.Bars(centres, counts.Select(c => (double)c).ToArray());
        foreach (var bar in bars.Bars) bar.Size = (bins.Max - bins.Min) / bins.Count * 0.9;
        bars.LegendText = "training samples per bin (empirical)";
        double scale = counts.Sum() / Math.Max(1e-12, effective.Sum());
        var line = plot.Add.ScatterLine(centres, effective.Select(e => e * scale).ToArray());
        line.LegendText = "LDS-effective density (rescaled to the same total)";
        line.LineWidth = 2;
        plot.Title(title);
        plot.XLabel("target");
        plot.YLabel("samples");
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, path);
    }

    /// <summary>Test MSE per target bin, one line per variant (bins with no test sample are skipped).</summary>
    public static string ErrorPerBin(string path, ExperimentResult result, int seedsInRun = 1)
    {
        var plot = new Plot();
        var testBins = result.TestTargets.Select(result.Bins.BinOf).ToArray();
        foreach (var variant in result.Variants)
        {
            var sums = new double[result.Bins.Count];
            var counts = new int[result.Bins.Count];
            for (int i = 0; i < testBins.Length; i++)
            {
                sums[testBins[i]] += Math.Pow(variant.TestPredictions[i] - result.TestTargets[i], 2);
                counts[testBins[i]]++;
            }
            var present = Enumerable.Range(0, result.Bins.Count).Where(bin => counts[bin] > 0).ToArray();
            var xs = present.Select(result.Bins.Center).ToList();
            var ys = present.Select(bin => sums[bin] / counts[bin]).ToList();
            var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
            line.LegendText = variant.Variant;
            line.LineWidth = 1.5f;
        }
        plot.Title($"{result.Experiment}: test MSE per target bin, {SeedNote(result, seedsInRun)}");
        plot.XLabel("target");
        plot.YLabel("MSE");
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, path);
    }

    /// <summary>Which seed a figure of <paramref name="result"/> shows (FigureWriter passes the first seed's trainings), and of how many.</summary>
    internal static string SeedNote(ExperimentResult result, int seedsInRun)
    {
        var shown = result.Variants.Select(v => v.Seed).Distinct().Order().ToList();
        int all = Math.Max(seedsInRun, shown.Count);
        string seeds = shown.Count == 1 ? $"seed {shown[0]}" : $"seeds {string.Join(", ", shown)}";
        return all > shown.Count ? $"{seeds} (the first of {all} seeds; the tables pool them)" : seeds;
    }

    /// <summary>Ticks at whole epochs only (a short run would otherwise get ticks at 1.5, 2.5, ...).</summary>
    internal static void WholeEpochTicks(Plot plot) =>
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

    /// <summary>Validation MSE per epoch, one line per variant.</summary>
    public static string LearningCurves(string path, ExperimentResult result, int seedsInRun = 1) => Save(LearningCurvesPlot(result, seedsInRun), path);

    /// <summary>The learning-curve figure before it is saved (its title names the seeds shown; ticks at whole epochs).</summary>
    public static Plot LearningCurvesPlot(ExperimentResult result, int seedsInRun = 1)
    {
        var plot = new Plot();
        // The baseline rows (Mean, Linear) train no epochs: they have no curve.
        foreach (var variant in result.Variants.Where(v => v.History.Count > 0))
        {
            var line = plot.Add.ScatterLine(variant.History.Select(h => (double)h.Epoch + 1).ToArray(), variant.History.Select(h => h.ValidationMse).ToArray());
            line.LegendText = variant.Variant;
        }
        plot.Title($"{result.Experiment}: validation MSE per epoch, {SeedNote(result, seedsInRun)}");
        plot.XLabel("epoch");
        WholeEpochTicks(plot);
        plot.YLabel("validation MSE");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>
    /// FDS while it trains (<see cref="FdsEpoch"/> per epoch): the mean L1 distance between running and smoothed
    /// statistics (means and variances) and the mean calibration shift per shot group, against the epoch.
    /// </summary>
    public static string FdsTraining(string path, VariantResult variant, string title)
    {
        var plot = new Plot();
        var epochs = variant.History.Where(h => h.Fds is not null).ToList();
        var x = epochs.Select(h => (double)h.Epoch + 1).ToArray();
        void Line(Func<FdsEpoch, double> value, string label, LinePattern pattern)
        {
            var y = epochs.Select(h => value(h.Fds!)).ToArray();
            if (y.All(double.IsNaN)) return;
            var line = plot.Add.ScatterLine(x, y);
            line.LegendText = label;
            line.LinePattern = pattern;
            line.LineWidth = 2;
        }
        Line(f => f.MeanDistance, "|running - smoothed| of the means", LinePattern.Solid);
        Line(f => f.VarianceDistance, "|running - smoothed| of the variances", LinePattern.Solid);
        Line(f => f.ShiftMany, "calibration shift, many-shot bins", LinePattern.Dashed);
        Line(f => f.ShiftMedium, "calibration shift, medium-shot bins", LinePattern.Dashed);
        Line(f => f.ShiftFew, "calibration shift, few-shot bins", LinePattern.Dashed);
        var share = epochs.LastOrDefault()?.Fds?.CalibratedShare;
        plot.Title(share is { } last ? FormattableString.Invariant($"{title} ({last:P0} of bins calibrated at the end)") : title);
        plot.XLabel("epoch");
        WholeEpochTicks(plot);
        plot.YLabel("mean L1 over bins and features");
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, path);
    }

    /// <summary>
    /// The paper's FDS figure: cosine similarity of each bin's feature mean and variance to those of
    /// an anchor bin, before (running statistics) and after smoothing (what calibration moves to).
    /// </summary>
    public static string FeatureSimilarity(string path, LabelBins bins, FdsSnapshot snapshot, int anchorBin, string title)
    {
        var plot = new Plot();
        var centres = Enumerable.Range(0, bins.Count).Select(bins.Center).ToArray();
        void Line(float[][] statistic, string label, LinePattern pattern)
        {
            var line = plot.Add.ScatterLine(centres, SimilarityTo(statistic, anchorBin));
            line.LegendText = label;
            line.LinePattern = pattern;
            line.LineWidth = 2;
        }
        Line(snapshot.RunningMean, "mean, before calibration", LinePattern.Solid);
        Line(snapshot.SmoothedMean, "mean, after smoothing", LinePattern.Dashed);
        Line(snapshot.RunningVar, "variance, before calibration", LinePattern.Solid);
        Line(snapshot.SmoothedVar, "variance, after smoothing", LinePattern.Dashed);
        plot.Add.VerticalLine(bins.Center(anchorBin));
        plot.Title(title);
        plot.XLabel("target");
        plot.YLabel($"cosine similarity to bin {anchorBin}");
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, path);
    }

    /// <summary>Cosine similarity of every row to the anchor row.</summary>
    public static double[] SimilarityTo(float[][] rows, int anchor)
    {
        double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));
        var a = rows[anchor];
        double na = Norm(a);
        return rows.Select(r =>
        {
            double dot = 0;
            for (int j = 0; j < r.Length; j++) dot += (double)r[j] * a[j];
            double denominator = Norm(r) * na;
            return denominator == 0 ? 0 : dot / denominator;
        }).ToArray();
    }

    private static string Save(Plot plot, string path)
    {
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
        return path;
    }
}
