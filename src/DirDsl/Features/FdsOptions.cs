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
    public FdsStatistics Statistics { get; init; } = FdsStatistics.EpochEndPass;

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
        sigma: Sigma, startEpoch: StartEpoch, clampMin: ClampMin, clampMax: ClampMax, window: Window);
}
