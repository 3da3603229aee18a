using System.Globalization;
using System.Text;

namespace DirDsl;

/// <summary>The values to try per hyperparameter of LDS, FDS and the training; a null axis keeps the attribute's value.</summary>
/// <param name="Kernels">Kernel shapes (LDS and FDS).</param>
/// <param name="Sizes">Odd kernel window sizes (LDS and FDS).</param>
/// <param name="Sigmas">Kernel widths (LDS and FDS).</param>
/// <param name="Momentums">FDS momentum values.</param>
/// <param name="BinCounts">Numbers of equal-width label bins LDS and FDS use over the experiment's label range.</param>
/// <param name="LearningRates">Base learning rates (the schedule applies to each).</param>
/// <param name="WeightDecays">L2 weight decays.</param>
/// <param name="Epochs">Training epochs (a point's own; --epochs does not change them).</param>
/// <param name="BatchSizes">Mini-batch sizes.</param>
public sealed record SearchSpace(IReadOnlyList<Kernel>? Kernels = null, IReadOnlyList<int>? Sizes = null, IReadOnlyList<double>? Sigmas = null,
    IReadOnlyList<double>? Momentums = null, IReadOnlyList<int>? BinCounts = null, IReadOnlyList<double>? LearningRates = null,
    IReadOnlyList<double>? WeightDecays = null, IReadOnlyList<int>? Epochs = null, IReadOnlyList<int>? BatchSizes = null)
{
    /// <summary>Whether an axis of LDS or FDS is searched (the configured variant then needs LDS or FDS).</summary>
    public bool SearchesMethods => Kernels is not null || Sizes is not null || Sigmas is not null || Momentums is not null || BinCounts is not null;
}

/// <summary>One point of a search grid; a null value keeps the method's own attribute value.</summary>
/// <param name="Of">The searched variant's row name (LDS, FDS or LDS+FDS).</param>
/// <param name="Kernel">Kernel of LDS and FDS.</param>
/// <param name="Size">Window size of LDS and FDS.</param>
/// <param name="Sigma">Kernel width of LDS and FDS.</param>
/// <param name="Momentum">FDS momentum.</param>
/// <param name="BinCount">Label bins of LDS and FDS.</param>
public sealed record SearchPoint(string Of, Kernel? Kernel, int? Size, double? Sigma, double? Momentum, int? BinCount)
{
    /// <summary>The base learning rate, or null to keep [DirExperiment(LearningRate)].</summary>
    public double? LearningRate { get; init; }
    /// <summary>The weight decay, or null to keep [DirExperiment(WeightDecay)].</summary>
    public double? WeightDecay { get; init; }
    /// <summary>The epochs, or null to keep the run's (--epochs or [DirExperiment(Epochs)]).</summary>
    public int? Epochs { get; init; }
    /// <summary>The batch size, or null to keep [DirExperiment(BatchSize)].</summary>
    public int? BatchSize { get; init; }

    /// <summary>The training settings of this point: <paramref name="settings"/> with its training values.</summary>
    public TrainerSettings Apply(TrainerSettings settings) => settings with
    {
        LearningRate = LearningRate ?? settings.LearningRate,
        WeightDecay = WeightDecay ?? settings.WeightDecay,
        BatchSize = BatchSize ?? settings.BatchSize,
    };

    /// <summary>The point's settings in the variant name: <c>kernel=laplace,size=9,...</c>, searched axes only.</summary>
    public string Label
    {
        get
        {
            var parts = new List<string>();
            if (Kernel is { } k) parts.Add("kernel=" + k.ToString().ToLowerInvariant());
            if (Size is { } s) parts.Add(Invariant($"size={s}"));
            if (Sigma is { } g) parts.Add(Invariant($"sigma={g:G6}"));
            if (Momentum is { } m) parts.Add(Invariant($"momentum={m:G6}"));
            if (BinCount is { } b) parts.Add(Invariant($"bins={b}"));
            if (LearningRate is { } lr) parts.Add(Invariant($"lr={lr:G6}"));
            if (WeightDecay is { } wd) parts.Add(Invariant($"wd={wd:G6}"));
            if (Epochs is { } e) parts.Add(Invariant($"epochs={e}"));
            if (BatchSize is { } bs) parts.Add(Invariant($"batch={bs}"));
            return string.Join(",", parts);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Hyperparameter search over LDS / FDS settings: a grid of independent variants (each can run as its own job
/// with <c>--variant</c> and be merged with <c>dirdsl report</c>), and selection of one point on validation only.
/// </summary>
public static class HyperparameterSearch
{
    /// <summary>
    /// The grid around the configured variant (LDS, FDS or LDS+FDS), one variant per combination of the
    /// given axes, named "<c>LDS+FDS@kernel=...,size=...</c>".
    /// </summary>
    /// <exception cref="ArgumentException">The configured variant has neither LDS nor FDS, or a value is invalid.</exception>
    public static IReadOnlyList<DirVariant> Grid(DirVariant configured, SearchSpace space, LabelBins bins)
    {
        if (space.SearchesMethods && configured.Lds is null && !configured.Fds)
            throw new ArgumentException("A search of LDS or FDS settings needs [Lds] or [Fds]; search the training's settings alone (learning rate, weight decay, epochs, batch size) without them.");
        var kernels = Axis(space.Kernels);
        var sizes = Axis(space.Sizes);
        var sigmas = Axis(space.Sigmas);
        var momentums = Axis(space.Momentums);
        var binCounts = Axis(space.BinCounts);
        var training = (from lr in Axis(space.LearningRates) from wd in Axis(space.WeightDecays) from e in Axis(space.Epochs) from bs in Axis(space.BatchSizes)
                        select (LearningRate: lr, WeightDecay: wd, Epochs: e, BatchSize: bs)).ToList();
        foreach (var (lr, wd, e, bs) in training)
        {
            if (lr is { } rate && !DslRules.IsValidLearningRate(rate)) throw new ArgumentException($"Search learning rate {rate}: it must be a finite number greater than 0.");
            if (wd is { } decay && !DslRules.IsValidWeightDecay(decay)) throw new ArgumentException($"Search weight decay {decay}: it must be a finite number of 0 or more.");
            if (e is < 1 || bs is < 1) throw new ArgumentException("Search epochs and batch sizes must be at least 1.");
        }
        var grid = new List<DirVariant>();
        foreach (var kernel in kernels)
        foreach (var size in sizes)
        foreach (var sigma in sigmas)
        foreach (var momentum in momentums)
        foreach (var binCount in binCounts)
        foreach (var train in training)
        {
            var point = new SearchPoint(configured.Name, kernel, size, sigma, momentum, binCount)
            {
                LearningRate = train.LearningRate, WeightDecay = train.WeightDecay, Epochs = train.Epochs, BatchSize = train.BatchSize,
            };
            var variantBins = binCount is { } count ? LabelBins.Uniform(bins.Min, bins.Max, count, bins.Rule) : null;
            // The point's kernel over the configured LDS, keeping its other choices (padding, start bin); the window follows the kernel.
            var lds = configured.Lds is { } l ? l with { Kernel = kernel ?? l.Kernel, Size = size ?? l.Size, Sigma = sigma ?? l.Sigma, Window = null } : null;
            if (lds is not null && DslRules.KernelProblem(lds.Size, lds.Sigma) is { } ldsError)
                throw new ArgumentException($"Search point {point.Label}: LDS {ldsError}");
            // FDS's settings are the configured variant's own, with the point's values where it has them.
            if (configured.Method<FeatureSmoothing>() is { } smoothing)
            {
                var f = smoothing.Options.At(point);
                if (DslRules.KernelProblem(f.Size, f.Sigma) is { } fdsError) throw new ArgumentException($"Search point {point.Label}: FDS {fdsError}");
                if (!DslRules.HasEnoughBinsForFds((variantBins ?? bins).Count, f.Size))
                    throw new ArgumentException($"Search point {point.Label}: FDS needs more than {DslRules.FdsPadding(f.Size)} bins (half its kernel size).");
            }
            var searched = lds is null ? configured : configured.Replacing(configured.Reweighting! with { Lds = lds });
            grid.Add(searched with { Name = configured.Name + "@" + point.Label, Point = point, Bins = variantBins });
        }
        return grid;
    }

    private static IReadOnlyList<T?> Axis<T>(IReadOnlyList<T>? values) where T : struct =>
        values is null || values.Count == 0 ? new T?[] { null } : values.Select(v => (T?)v).ToArray();

    /// <summary>One candidate of a search: its mean validation errors over seeds.</summary>
    /// <param name="Variant">The point's variant name.</param>
    /// <param name="ValidationMse">Mean validation MSE over seeds.</param>
    /// <param name="ValidationMae">Mean validation MAE over seeds.</param>
    /// <param name="Seeds">Seeds it ran with.</param>
    public sealed record Candidate(string Variant, double ValidationMse, double ValidationMae, int Seeds);

    /// <summary>The outcome of one search: every candidate in grid order and the one validation selects.</summary>
    /// <param name="Of">The searched variant (LDS, FDS, LDS+FDS).</param>
    /// <param name="Candidates">Every point that ran.</param>
    /// <param name="Selected">The point with the lowest mean validation score (MSE or MAE, the experiment's criterion); ties keep grid order.</param>
    /// <param name="SelectByMse">Whether MSE (else MAE) decided.</param>
    public sealed record Outcome(string Of, IReadOnlyList<Candidate> Candidates, Candidate Selected, bool SelectByMse);

    /// <summary>
    /// Selects each search's point on validation only: the lowest mean over seeds of the validation MSE
    /// (or MAE). Test metrics play no part. Runs that are not search points are ignored.
    /// </summary>
    public static IReadOnlyList<Outcome> Select(IEnumerable<(string Variant, string? SearchOf, ShotReport Validation)> runs, bool selectByMse)
    {
        var outcomes = new List<Outcome>();
        foreach (var search in runs.Where(r => r.SearchOf is not null).GroupBy(r => r.SearchOf!))
        {
            var candidates = search.GroupBy(r => r.Variant)
                .Select(g => new Candidate(g.Key, g.Average(r => r.Validation.Overall.Mse), g.Average(r => r.Validation.Overall.Mae), g.Count()))
                .ToList();
            var scored = candidates.Where(c => double.IsFinite(selectByMse ? c.ValidationMse : c.ValidationMae)).ToList();
            if (scored.Count == 0) continue;
            var selected = scored.MinBy(c => selectByMse ? c.ValidationMse : c.ValidationMae)!;
            outcomes.Add(new Outcome(search.Key, candidates, selected, selectByMse));
        }
        return outcomes;
    }

    /// <summary>
    /// The search section of a report: every candidate's validation errors (the selected one marked), then
    /// the selected point's test errors per shot group, means over its seeds. Only the selected point's
    /// test numbers are shown, so nobody picks a point on test.
    /// </summary>
    public static string Render(IReadOnlyList<Outcome> outcomes, Func<string, IReadOnlyList<ShotReport>> testOf)
    {
        var text = new StringBuilder();
        foreach (var outcome in outcomes)
        {
            var criterion = outcome.SelectByMse ? "MSE" : "MAE";
            text.AppendLine(CultureInfo.InvariantCulture, $"Hyperparameter search of {outcome.Of}: {outcome.Candidates.Count} points, selected on validation {criterion} (mean over seeds).");
            text.AppendLine();
            text.AppendLine("| Point | Validation MSE | Validation MAE | Seeds | |");
            text.AppendLine("|---|---:|---:|---:|---|");
            foreach (var c in outcome.Candidates)
                text.AppendLine(CultureInfo.InvariantCulture, $"| {c.Variant} | {ResultWriter.Format(c.ValidationMse)} | {ResultWriter.Format(c.ValidationMae)} | {c.Seeds} | {(c == outcome.Selected ? "selected" : "")} |");
            text.AppendLine();
            var tests = testOf(outcome.Selected.Variant);
            text.AppendLine(CultureInfo.InvariantCulture, $"Selected {outcome.Selected.Variant} on test (mean over {tests.Count} seed(s)):");
            text.AppendLine();
            text.AppendLine("| Metric | All | Many | Medium | Few | Zero |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var (name, value) in new (string, Func<GroupMetrics, double>)[] { ("MSE", m => m.Mse), ("MAE", m => m.Mae) })
            {
                text.Append(CultureInfo.InvariantCulture, $"| {name} |");
                foreach (var group in new Func<ShotReport, GroupMetrics>[] { r => r.Overall, r => r.Many, r => r.Medium, r => r.Few, r => r.Zero })
                    text.Append(' ').Append(ResultWriter.Format(SeedStatistics.MeanInterval(tests.Select(t => value(group(t)))).Mean)).Append(" |");
                text.AppendLine();
            }
            text.AppendLine();
        }
        return text.ToString();
    }
}
