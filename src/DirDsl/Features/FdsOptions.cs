using System.Globalization;

namespace DirDsl;

/// <summary>The settings of [Fds], which a search point may override in part.</summary>
/// <param name="Momentum">Weight of the previous statistics in each update.</param>
/// <param name="Kernel">Smoothing kernel over the bin axis.</param>
/// <param name="Size">Odd window size.</param>
/// <param name="Sigma">Kernel width.</param>
/// <param name="StartEpoch">First epoch whose end updates the statistics.</param>
/// <param name="ClampMin">Lower clamp of the variance ratio.</param>
/// <param name="ClampMax">Upper clamp of the variance ratio.</param>
/// <param name="StartSmooth">First epoch whose batches are calibrated.</param>
public sealed record FdsOptions(double Momentum, Kernel Kernel, int Size, double Sigma, int StartEpoch, double ClampMin, double ClampMax,
    int StartSmooth = DslDefaults.StartSmooth)
{
    /// <summary>The sum-normalised window of (Kernel, Size, Sigma) computed at compile time, or null to compute it.</summary>
    public IReadOnlyList<double>? Window { get; init; }

    /// <summary>Which features feed the statistics: a second pass after each epoch (the reference) or the training steps' own.</summary>
    public FdsStatistics Statistics { get; init; } = DslDefaults.FdsStatisticsSource;

    /// <summary>Which statistics calibrate an epoch's batches after the updates: the reference's order or one snapshot.</summary>
    public FdsOrder Order { get; init; } = DslDefaults.FdsOrder;

    /// <summary>What the statistics of a bin never seen hold: mean 0 and variance 1 (the age code) or their neighbours' values (the STS-B code).</summary>
    public FdsUnseenBins UnseenBins { get; init; } = DslDefaults.FdsUnseenBins;

    /// <summary>
    /// The first label bin with its own statistics: samples (pixels) of the bins below it are calibrated and counted as
    /// its own (the reference's depth code: <c>bucket_start</c> 7). 0 keeps statistics for every bin.
    /// </summary>
    public int StartBin { get; init; } = DslDefaults.StartBin;

    /// <summary>
    /// With <see cref="FdsStatistics.UnaugmentedPass"/>, the training records (indices into the training split) whose
    /// features feed the statistics, in this order (the reference's depth code: 600 fixed images); null takes them all.
    /// </summary>
    public IReadOnlyList<int>? Subset { get; init; }

    /// <summary>
    /// These settings with a run's overrides (<c>--fds-statistics</c>, <c>--fds-order</c>, <c>--fds-unseen-bins</c>,
    /// <c>--fds-momentum</c>, <c>--fds-start-epoch</c>, <c>--fds-start-smooth</c>) where it has them, checked by the
    /// rules [Fds] is checked by at compile time.
    /// </summary>
    /// <exception cref="ArgumentException">The overridden settings break a rule (naming the option and the declared value it clashes with).</exception>
    public FdsOptions With(FdsChoices? choices)
    {
        if (choices is null) return this;
        var chosen = this with
        {
            Statistics = choices.Statistics ?? Statistics,
            Order = choices.Order ?? Order,
            UnseenBins = choices.UnseenBins ?? UnseenBins,
            Momentum = choices.Momentum ?? Momentum,
            StartEpoch = choices.StartEpoch ?? StartEpoch,
            StartSmooth = choices.StartSmooth ?? StartSmooth,
        };
        if (!DslRules.IsValidMomentum(chosen.Momentum))
            throw new ArgumentException($"--fds-momentum must lie in [0, 1), not {chosen.Momentum.ToString("R", CultureInfo.InvariantCulture)}.");
        if (!DslRules.IsValidStartEpoch(chosen.StartEpoch))
            throw new ArgumentException($"--fds-start-epoch must be 0 or more, not {chosen.StartEpoch}.");
        if (!DslRules.IsValidStartSmooth(chosen.StartEpoch, chosen.StartSmooth))
        {
            string epoch = choices.StartEpoch is null ? $"StartEpoch {chosen.StartEpoch} (as [Fds] declares)" : $"--fds-start-epoch {chosen.StartEpoch}";
            string smooth = choices.StartSmooth is null ? $"StartSmooth {chosen.StartSmooth} (as [Fds] declares)" : $"--fds-start-smooth {chosen.StartSmooth}";
            throw new ArgumentException($"FDS calibrates only after its first statistics update, so its StartSmooth must be above its StartEpoch: "
                + $"{smooth} is not above {epoch}; pass --fds-start-smooth {chosen.StartEpoch + 1} or more.");
        }
        return chosen;
    }

    /// <summary>These settings with a search point's values where it has them (a changed window is recomputed).</summary>
    public FdsOptions At(SearchPoint? point) => point is null ? this : this with
    {
        Kernel = point.Kernel ?? Kernel,
        Size = point.Size ?? Size,
        Sigma = point.Sigma ?? Sigma,
        Momentum = point.Momentum ?? Momentum,
        Window = point.Kernel is null && point.Size is null && point.Sigma is null ? Window : null,
    };

    /// <summary>The FDS module for <paramref name="bins"/> label bins and features of width <paramref name="featureDim"/>.</summary>
    public FeatureStatistics Create(int bins, int featureDim) => new(bins, featureDim, momentum: Momentum, kernel: Kernel, size: Size,
        sigma: Sigma, startEpoch: StartEpoch, clampMin: ClampMin, clampMax: ClampMax, order: Order, unseenBins: UnseenBins, window: Window);
}

/// <summary>
/// A run's overrides of [Fds] (the command line's <c>--fds-statistics</c>, <c>--fds-order</c>, <c>--fds-unseen-bins</c>,
/// <c>--fds-momentum</c>, <c>--fds-start-epoch</c> and <c>--fds-start-smooth</c>), for ablations without a rebuild;
/// null keeps what [Fds] declares. A run with overrides writes its own fingerprint, so <c>--resume</c> refuses a
/// checkpoint of the other settings by name.
/// </summary>
/// <param name="Statistics">Which features feed the statistics.</param>
/// <param name="Order">Which statistics calibrate an epoch's batches.</param>
/// <param name="UnseenBins">What never-seen bins hold.</param>
/// <param name="Momentum">Weight of the previous statistics in each update.</param>
/// <param name="StartEpoch">First epoch whose end updates the statistics.</param>
/// <param name="StartSmooth">First epoch whose batches are calibrated.</param>
public sealed record FdsChoices(FdsStatistics? Statistics = null, FdsOrder? Order = null, FdsUnseenBins? UnseenBins = null,
    double? Momentum = null, int? StartEpoch = null, int? StartSmooth = null)
{
    /// <summary>True when nothing is overridden.</summary>
    public bool IsEmpty => Statistics is null && Order is null && UnseenBins is null && Momentum is null && StartEpoch is null && StartSmooth is null;

    /// <summary>The overrides as "name value" pairs, or "as declared" (the run fingerprint's entry).</summary>
    public override string ToString() => IsEmpty ? "as declared" : string.Join(", ",
        new[]
        {
            ("statistics", Statistics?.ToString()), ("order", Order?.ToString()), ("unseen bins", UnseenBins?.ToString()),
            ("momentum", Momentum?.ToString("R", CultureInfo.InvariantCulture)), ("start epoch", StartEpoch?.ToString(CultureInfo.InvariantCulture)),
            ("start smooth", StartSmooth?.ToString(CultureInfo.InvariantCulture)),
        }.Where(pair => pair.Item2 is not null).Select(pair => $"{pair.Item1} {pair.Item2}"));
}
