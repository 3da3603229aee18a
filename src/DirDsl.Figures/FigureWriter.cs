namespace DirDsl.Figures;

/// <summary>
/// The figures of a run as PNG files: label density against the LDS-effective density, error per bin, learning
/// curves, and per FDS variant the FDS similarity figure and FDS's statistics per epoch. Set <c>RunOptions.Figures</c> to
/// <see cref="Instance"/>; the generated entry point does so when this package is referenced.
/// </summary>
public sealed class FigureWriter : IFigureWriter
{
    /// <summary>The writer.</summary>
    public static FigureWriter Instance { get; } = new();

    /// <inheritdoc />
    public IReadOnlyList<string> Write(ExperimentResult result, string folder)
    {
        var paths = new List<string>();
        var configured = result.Configured;
        var effective = LabelDistribution.EffectiveDensity(result.TrainCounts,
            configured?.Reweighting is not { Lds: not null } reweighting ? Reweight.None : reweighting.Kind == Reweight.SqrtInverse ? Reweight.Inverse : reweighting.Kind,
            configured?.Lds);
        paths.Add(Plots.LabelDensity(Path.Combine(folder, "label-density.png"), result.Bins, result.TrainCounts, effective,
            configured?.Lds is { } lds ? $"{result.Experiment}: training labels and LDS ({lds.Kernel}, size {lds.Size}, sigma {lds.Sigma})" : $"{result.Experiment}: training labels"));
        // With several seeds the figures show the first one (the tables carry the spread).
        var firstSeed = result.Seeds.Count > 1 ? result with { Variants = result.Variants.Where(v => v.Seed == result.Seeds[0]).ToList() } : result;
        paths.Add(Plots.ErrorPerBin(Path.Combine(folder, "error-per-bin.png"), firstSeed, result.Seeds.Count));
        paths.Add(Plots.LearningCurves(Path.Combine(folder, "learning-curves.png"), firstSeed, result.Seeds.Count));
        int anchor = Array.IndexOf(result.TrainCounts, result.TrainCounts.Max());
        foreach (var variant in firstSeed.Variants.Where(v => v.Fds is not null))
        {
            var slug = DirVariant.SlugOf(variant.Variant);
            paths.Add(Plots.FeatureSimilarity(Path.Combine(folder, $"fds-similarity-{slug}.png"), result.Bins, variant.Fds!, anchor,
                $"{result.Experiment} {variant.Variant}: feature statistics vs bin {anchor} (most training samples)"));
            if (variant.History.Any(h => h.Fds is not null))
                paths.Add(Plots.FdsTraining(Path.Combine(folder, $"fds-training-{slug}.png"), variant, $"{result.Experiment} {variant.Variant}, seed {variant.Seed}: FDS per epoch"));
        }
        return paths;
    }
}
