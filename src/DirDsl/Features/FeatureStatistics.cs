using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DirDsl;

/// <summary>
/// Feature distribution smoothing (FDS): per-bin running mean and variance of the encoder's
/// features, their kernel-smoothed versions, and the calibration that moves a training
/// sample's features from its bin's statistics to the smoothed ones.
/// </summary>
/// <remarks>
/// <para>The statistics are registered buffers (checkpoint keys <c>running_mean</c>,
/// <c>running_var</c>, <c>smoothed_mean</c>, <c>smoothed_var</c>, <c>seen</c>, <c>updates</c> and the
/// derived calibration tables), so saving the model saves them and a resumed run continues
/// exactly.</para>
/// <para>Update order (SPEC 4), <see cref="Order"/>: with <see cref="FdsOrder.Reference"/> (the default) an update at the end
/// of epoch e first smooths the running statistics as they were before it (the reference's "last epoch" statistics),
/// then updates the running statistics with epoch e's features; the batches of epoch e + 1 are whitened with the
/// updated running statistics and moved to the smoothed ones of one update earlier, as the reference's aliased
/// buffers do. The first update therefore calibrates nothing. With <see cref="FdsOrder.Snapshot"/> the update,
/// the smoothing and the calibration tables all come from one snapshot. With <see cref="FdsOrder.Lagged"/> (the
/// reference's depth code) the snapshot taken before each update calibrates the next epoch.</para>
/// </remarks>
public sealed class FeatureStatistics : nn.Module
{
    /// <summary>Bins whose variance components sum to less than this are left uncalibrated.</summary>
    public const double MinimumTotalVariance = 1e-10;

    // Field names are checkpoint keys: RegisterComponents registers tensors as buffers by field name.
#pragma warning disable IDE1006 // snake_case to match PyTorch state-dict keys
    private Tensor running_mean;
    private Tensor running_var;
    private Tensor smoothed_mean;
    private Tensor smoothed_var;
    private Tensor seen;            // [B] bool: bin has had a sample in some update
    private Tensor updates;         // scalar int64: number of updates applied
    private Tensor calibration_centre;  // [B, D]: running mean, 0 where calibration is the identity
    private Tensor calibration_scale;   // [B, D]: sqrt(clamp(var_s / var)), 1 where identity
    private Tensor calibration_target;  // [B, D]: smoothed mean, 0 where identity
#pragma warning restore IDE1006

    private readonly float[] window;

    /// <summary>Creates FDS statistics for <paramref name="bins"/> label bins and features of width <paramref name="featureDim"/>.</summary>
    /// <param name="bins">Number of label bins B; must exceed half the kernel size (reflect padding).</param>
    /// <param name="featureDim">Feature width D, at least 1.</param>
    /// <param name="momentum">Weight of the previous statistics in the update, in [0, 1).</param>
    /// <param name="kernel">Smoothing kernel over the bin axis.</param>
    /// <param name="size">Odd kernel size, at least 3.</param>
    /// <param name="sigma">Kernel width, greater than 0.</param>
    /// <param name="startEpoch">First epoch whose end updates the statistics (set directly then, blended after).</param>
    /// <param name="clampMin">Lower clamp of var_s / var (0.1 in the age code; 0.5 for STS-B-DIR).</param>
    /// <param name="clampMax">Upper clamp of var_s / var (10 in the age code; 2 for STS-B-DIR).</param>
    /// <param name="order">Which statistics calibrate the batches after an update (the reference's order, or one snapshot).</param>
    /// <param name="unseenBins">What never-seen bins hold: mean 0 and variance 1 (the age code) or their neighbours' values (the STS-B code).</param>
    /// <param name="window">A precomputed sum-normalised window of length <paramref name="size"/> (generated code passes its compile-time constant); null computes it.</param>
    public FeatureStatistics(int bins, int featureDim, double momentum = DslDefaults.Momentum, Kernel kernel = DslDefaults.FdsKernel,
        int size = DslDefaults.KernelSize, double sigma = DslDefaults.KernelSigma, int startEpoch = DslDefaults.StartEpoch,
        double clampMin = DslDefaults.ClampMin, double clampMax = DslDefaults.ClampMax,
        FdsOrder order = DslDefaults.FdsOrder, FdsUnseenBins unseenBins = DslDefaults.FdsUnseenBins, IReadOnlyList<double>? window = null)
        : base(nameof(FeatureStatistics))
    {
        if (featureDim < 1) throw new ArgumentOutOfRangeException(nameof(featureDim), featureDim, "FDS needs a feature dimension of at least 1.");
        if (!DslRules.IsValidMomentum(momentum)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "FDS momentum must lie in [0, 1).");
        if (startEpoch < 0) throw new ArgumentOutOfRangeException(nameof(startEpoch), startEpoch, "FDS start epoch must be 0 or more.");
        if (!DslRules.IsValidClamp(clampMin, clampMax))
            throw new ArgumentOutOfRangeException(nameof(clampMin), $"FDS clamp bounds must satisfy 0 < min <= max < inf, got [{clampMin}, {clampMax}].");
        if (!DslRules.HasEnoughBinsForFds(bins, size))
            throw new ArgumentOutOfRangeException(nameof(bins), bins, $"FDS reflect padding needs more bins than half the kernel size ({DslRules.FdsPadding(size)}).");
        var weights = window ?? KernelWindow.ForFds(kernel, size, sigma);
        if (weights.Count != size) throw new ArgumentException($"The FDS window has {weights.Count} weights but the kernel size is {size}.", nameof(window));
        this.window = weights.Select(w => (float)w).ToArray();

        Bins = bins;
        FeatureDim = featureDim;
        Momentum = momentum;
        StartEpoch = startEpoch;
        ClampMin = clampMin;
        ClampMax = clampMax;
        Order = Enum.IsDefined(order) ? order : throw new ArgumentOutOfRangeException(nameof(order), order, "Not an FdsOrder value.");
        UnseenBins = Enum.IsDefined(unseenBins) ? unseenBins : throw new ArgumentOutOfRangeException(nameof(unseenBins), unseenBins, "Not an FdsUnseenBins value.");

        running_mean = zeros(bins, featureDim);
        running_var = ones(bins, featureDim);
        smoothed_mean = zeros(bins, featureDim);
        smoothed_var = ones(bins, featureDim);
        seen = zeros(bins, dtype: ScalarType.Bool);
        updates = zeros(Array.Empty<long>(), dtype: ScalarType.Int64);
        calibration_centre = zeros(bins, featureDim);
        calibration_scale = ones(bins, featureDim);
        calibration_target = zeros(bins, featureDim);
        RegisterComponents();
    }

    /// <summary>Number of label bins.</summary>
    public int Bins { get; }
    /// <summary>Calibrates with the tensor kernels on the CPU too, as on a device (the tests compare both forms).</summary>
    internal bool TensorKernels { get; set; }
    /// <summary>Feature width.</summary>
    public int FeatureDim { get; }
    /// <summary>Momentum of the running statistics.</summary>
    public double Momentum { get; }
    /// <summary>First epoch that updates the statistics.</summary>
    public int StartEpoch { get; }
    /// <summary>Lower clamp of the variance ratio.</summary>
    public double ClampMin { get; }
    /// <summary>Upper clamp of the variance ratio.</summary>
    public double ClampMax { get; }
    /// <summary>Which statistics calibrate the batches after an update.</summary>
    public FdsOrder Order { get; }
    /// <summary>What never-seen bins hold.</summary>
    public FdsUnseenBins UnseenBins { get; }
    /// <summary>The sum-normalised smoothing window over the bin axis (float32, as the reference).</summary>
    public IReadOnlyList<float> Window => window;

    /// <summary>Running per-bin mean [B, D].</summary>
    public Tensor RunningMean => running_mean;
    /// <summary>Running per-bin variance [B, D].</summary>
    public Tensor RunningVar => running_var;
    /// <summary>Smoothed per-bin mean [B, D].</summary>
    public Tensor SmoothedMean => smoothed_mean;
    /// <summary>Smoothed per-bin variance [B, D].</summary>
    public Tensor SmoothedVar => smoothed_var;
    /// <summary>Number of updates applied so far (0 before the first).</summary>
    public long UpdateCount => updates.item<long>();

    /// <summary>The current statistics as plain arrays (for figures and results).</summary>
    public FdsSnapshot Snapshot()
    {
        float[][] Rows(Tensor t)
        {
            var flat = t.cpu().data<float>().ToArray();
            return Enumerable.Range(0, Bins).Select(j => flat.AsSpan(j * FeatureDim, FeatureDim).ToArray()).ToArray();
        }
        return new FdsSnapshot(Rows(running_mean), Rows(running_var), Rows(smoothed_mean), Rows(smoothed_var));
    }

    /// <summary>Starts an epoch-end pass in streaming form: add batches, then call <see cref="Update(BinMoments, int)"/>.</summary>
    public BinMoments BeginPass() => new(Bins, FeatureDim, running_mean.device);

    /// <summary>
    /// End of epoch <paramref name="epoch"/>: all training features [N, D] with int64 bin indices [N].
    /// Processed in chunks of <see cref="SplitData.PassChunkRows"/> rows: temporaries of N x D floats would cost more
    /// in fresh memory than the arithmetic (about 4x slower at N = 200,000, D = 512).
    /// </summary>
    public void Update(Tensor features, Tensor bins, int epoch)
    {
        if (epoch < StartEpoch) return;
        using var moments = BeginPass();
        long count = features.shape[0];
        if (bins.ndim != 1 || bins.shape[0] != count)
            throw new ArgumentException($"FDS expected {count} bin indices, got [{string.Join(", ", bins.shape)}].", nameof(bins));
        for (long start = 0; start < count; start += SplitData.PassChunkRows)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(SplitData.PassChunkRows, count - start);
            moments.Add(features.narrow(0, start, length), bins.narrow(0, start, length));
        }
        Update(moments, epoch);
    }

    /// <summary>End of epoch <paramref name="epoch"/> from per-bin moments accumulated batch by batch.</summary>
    public void Update(BinMoments moments, int epoch)
    {
        if (epoch < StartEpoch) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var present = moments.Count > 0;                     // [B]
        var presentRows = present.unsqueeze(1);
        var currentVar = moments.Variance();
        bool first = epoch == StartEpoch || UpdateCount == 0;
        // The reference's order: the smoothed statistics are those of the running statistics before this update.
        bool lagged = Order == FdsOrder.Reference;
        if (lagged && !first) SmoothRunning();
        // The depth code's order: the running statistics before this update and their smoothed form calibrate the next
        // epoch whole (the first update leaves the identity).
        bool behind = Order == FdsOrder.Lagged;
        if (behind)
        {
            if (first) ResetCalibration();
            else
            {
                SmoothRunning();
                RebuildCalibration();
            }
        }
        var m = first ? 0.0 : Momentum;
        var one = KeptScalars.Of(1);
        var kept = KeptScalars.Of(1 - m);
        var previous = KeptScalars.Of(m);
        var blendedMean = moments.Mean.mul(kept).add(running_mean.mul(previous), one);
        var blendedVar = currentVar.mul(kept).add(running_var.mul(previous), one);
        running_mean.copy_(where(presentRows, blendedMean, running_mean));
        running_var.copy_(where(presentRows, blendedVar, running_var));
        seen.logical_or_(present);
        if (UnseenBins == FdsUnseenBins.Fill) FillFromNeighbours();

        if (!behind)
        {
            if (!lagged) SmoothRunning();
            // The reference's first update leaves its "last epoch" statistics at their initial 0 / 1: an identity calibration.
            if (lagged && first) ResetCalibration();
            else RebuildCalibration();
        }
        updates.add_(KeptScalars.OfInteger(1), KeptScalars.OfInteger(1));
    }

    /// <summary>
    /// Calibrates a batch of training features [n, D] with int64 bins [n]:
    /// z' = (z - mu[j]) * sqrt(clamp(var_s[j] / var[j], min, max)) + mu_s[j]. Bins whose variance
    /// components sum below 1e-10, and components with variance exactly 0, are left unchanged.
    /// Before the first update this is the identity.
    /// </summary>
    public Tensor Calibrate(Tensor features, Tensor bins)
    {
        if (features.ndim != 2 || features.shape[1] != FeatureDim)
            throw new ArgumentException($"FDS calibration expected features [n, {FeatureDim}], got [{string.Join(", ", features.shape)}].", nameof(features));
        var index = bins.to_type(ScalarType.Int64);
        // On the CPU the same three operations run in one managed loop (CalibrateRows, each element rounded as the tensor
        // kernels round it): plainly for features that need no gradient (the statistics pass), and as one autograd node
        // (HostCalibration) for training features, whose gradient is then the output's gradient times the scale, the one
        // product the tensor form's backward computes.
        if (!TensorKernels && HostIndex(features, index) is { } rowBins)
            return features.requires_grad && is_grad_enabled()
                ? HostCalibration.apply(features, this, rowBins)
                : CalibrateRows(features, MemoryMarshal.Cast<byte, long>(rowBins.bytes));
        // add with an explicit kept alpha: Tensor + Tensor would create a temporary Scalar (see KeptScalars).
        return ((features - calibration_centre.index_select(0, index)) * calibration_scale.index_select(0, index))
            .add(calibration_target.index_select(0, index), KeptScalars.Of(1));
    }

    /// <summary>
    /// The bins of a batch whose calibration can run in managed code, as a contiguous int64 CPU tensor (read in place, no
    /// managed copy): float32 features and statistics on the CPU, one bin per row, every bin within the statistics. Null
    /// otherwise (the tensor form then runs, and refuses a bin outside or a count that disagrees as it always has).
    /// </summary>
    private Tensor? HostIndex(Tensor features, Tensor index)
    {
        if (features.device_type != DeviceType.CPU || features.dtype != ScalarType.Float32 || features.ndim != 2
            || calibration_centre.device_type != DeviceType.CPU || index.device_type != DeviceType.CPU || index.ndim != 1
            || index.shape[0] != features.shape[0])
            return null;
        var rows = index.contiguous();
        foreach (long bin in MemoryMarshal.Cast<byte, long>(rows.bytes))
            if ((ulong)bin >= (ulong)Bins) return null;
        return rows;
    }

    /// <summary>
    /// The calibrated rows of <paramref name="features"/> [n, D] (float32, CPU) in bins <paramref name="rowBins"/>, in managed
    /// code: each element ((z - centre) * scale) + target, each operation rounded once as the tensor kernels round it (no
    /// fused multiply-add), so the values are the same floats without three gathers and three kernels. No gradient flows
    /// through it (<see cref="HostCalibration"/> gives it one).
    /// </summary>
    internal Tensor CalibrateRows(Tensor features, ReadOnlySpan<long> rowBins)
    {
        using var scope = NewDisposeScope();
        var rows = features.detach().contiguous();
        var output = empty(rows.shape, dtype: ScalarType.Float32, device: CPU);
        var source = MemoryMarshal.Cast<byte, float>(rows.bytes);
        var target = MemoryMarshal.Cast<byte, float>(output.bytes);
        var centre = MemoryMarshal.Cast<byte, float>(calibration_centre.bytes);
        var scale = MemoryMarshal.Cast<byte, float>(calibration_scale.bytes);
        var moved = MemoryMarshal.Cast<byte, float>(calibration_target.bytes);
        int width = FeatureDim;
        for (int i = 0; i < rowBins.Length; i++)
        {
            int at = (int)rowBins[i] * width;
            HostVectors.Calibrate(source.Slice(i * width, width), centre.Slice(at, width), scale.Slice(at, width), moved.Slice(at, width), target.Slice(i * width, width));
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The gradient of the calibration's input from its output's, [n, D] in bins <paramref name="rowBins"/>: each element
    /// times its bin's scale, the product the tensor form's backward computes (the centre and the target add nothing).
    /// </summary>
    internal Tensor ScaleRows(Tensor gradient, ReadOnlySpan<long> rowBins)
    {
        using var scope = NewDisposeScope();
        var rows = gradient.contiguous();
        var output = empty(rows.shape, dtype: ScalarType.Float32, device: CPU);
        var source = MemoryMarshal.Cast<byte, float>(rows.bytes);
        var target = MemoryMarshal.Cast<byte, float>(output.bytes);
        var scale = MemoryMarshal.Cast<byte, float>(calibration_scale.bytes);
        int width = FeatureDim;
        for (int i = 0; i < rowBins.Length; i++)
        {
            int at = (int)rowBins[i] * width;
            HostVectors.Multiply(source.Slice(i * width, width), scale.Slice(at, width), target.Slice(i * width, width));
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// What the calibration tables do now, per bin: the mean over the D components of how far they move the bin's own
    /// running mean (|(mu - centre) * scale + target - mu|; 0 where the calibration is the identity), and whether any
    /// component of the bin is calibrated. For <see cref="FdsEpoch"/>.
    /// </summary>
    public (float[] Shift, bool[] Calibrated) CalibrationEffect()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var moved = running_mean.sub(calibration_centre).mul(calibration_scale).add(calibration_target, KeptScalars.Of(1));
        var shift = moved.sub(running_mean).abs().mean(new long[] { 1 }).cpu().data<float>().ToArray();
        var identity = calibration_centre.eq(KeptScalars.Of(0)).logical_and(calibration_scale.eq(KeptScalars.Of(1))).logical_and(calibration_target.eq(KeptScalars.Of(0)));
        var calibrated = identity.all(1).logical_not().cpu().data<bool>().ToArray();
        return (shift, calibrated);
    }

    /// <summary>The mean L1 distance between the running and the smoothed statistics (means, variances), over bins and components.</summary>
    public (double Mean, double Variance) SmoothingDistance()
    {
        using var scope = NewDisposeScope();
        return (running_mean.sub(smoothed_mean).abs().mean().item<float>(), running_var.sub(smoothed_var).abs().mean().item<float>());
    }

    /// <summary>Convolves [B, D] statistics along the bin axis with the window, reflect padding (no edge repeat).</summary>
    private Tensor Smooth(Tensor statistics)
    {
        int half = window.Length / 2;
        var rows = statistics.t().unsqueeze(1);                                  // [D, 1, B]
        var padded = F.pad(rows, new long[] { half, half }, PaddingModes.Reflect); // [D, 1, B + 2h]
        var weight = tensor(window, device: statistics.device).reshape(1, 1, window.Length);
        return F.conv1d(padded, weight).squeeze(1).t();                          // [B, D]
    }

    /// <summary>
    /// Never-seen bins take their neighbours' values, in ascending bin order as the reference does:
    /// the first copies the second, the last copies the one before, others average both
    /// (the left neighbour already filled). Only the few empty bins are visited.
    /// </summary>
    private void FillFromNeighbours()
    {
        var seenFlags = seen.cpu().data<bool>().ToArray();
        if (seenFlags.All(s => s) || !seenFlags.Any(s => s)) return;
        for (int j = 0; j < Bins; j++)
        {
            if (seenFlags[j]) continue;
            foreach (var statistic in new[] { running_mean, running_var })
            {
                var filled = j == 0 ? statistic[1].clone()
                    : j == Bins - 1 ? statistic[j - 1].clone()
                    : statistic[j - 1].add(statistic[j + 1], KeptScalars.Of(1)).div(KeptScalars.Of(2));
                statistic[j].copy_(filled);
            }
        }
    }

    /// <summary>The smoothed statistics from the running ones as they stand.</summary>
    private void SmoothRunning()
    {
        smoothed_mean.copy_(Smooth(running_mean));
        smoothed_var.copy_(Smooth(running_var));
    }

    /// <summary>The identity calibration (centre 0, scale 1, target 0).</summary>
    private void ResetCalibration()
    {
        calibration_centre.zero_();
        calibration_scale.fill_(KeptScalars.Of(1));
        calibration_target.zero_();
    }

    /// <summary>
    /// The tables that calibrate a batch: whitening by the running statistics, moving to the smoothed ones, the identity
    /// where the running variance is exactly 0 or a bin's variances sum below <see cref="MinimumTotalVariance"/>.
    /// </summary>
    private void RebuildCalibration()
    {
        var binActive = (running_var.sum(1) >= MinimumTotalVariance).unsqueeze(1);  // [B, 1]
        var active = binActive.logical_and(running_var.ne(0));                   // [B, D]
        var safeVar = where(active, running_var, ones_like(running_var));
        var scale = (smoothed_var / safeVar).clamp(KeptScalars.Of(ClampMin), KeptScalars.Of(ClampMax)).sqrt();
        calibration_centre.copy_(where(active, running_mean, zeros_like(running_mean)));
        calibration_scale.copy_(where(active, scale, ones_like(scale)));
        calibration_target.copy_(where(active, smoothed_mean, zeros_like(smoothed_mean)));
    }
}

/// <summary>
/// FDS's calibration of training features on the CPU as one autograd node: forward, each element ((z - centre) * scale) +
/// target in managed code; backward, the output's gradient times the scale. The tensor form builds the same values from
/// three gathers and three kernels, and its backward the same product; this node does it in two loops.
/// </summary>
internal sealed class HostCalibration : torch.autograd.SingleTensorFunction<HostCalibration>
{
    /// <inheritdoc />
    public override string Name => "FdsCalibration";

    /// <summary>
    /// Arguments: the features [n, D], the <see cref="FeatureStatistics"/>, the rows' bins (a contiguous int64 CPU tensor,
    /// saved for backward as autograd saves a tensor: kept until the backward pass, which reads it in place).
    /// </summary>
    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var statistics = (FeatureStatistics)vars[1];
        var bins = (Tensor)vars[2];
        ctx.save_data("statistics", statistics);
        ctx.save_for_backward(new List<Tensor> { bins });
        return statistics.CalibrateRows((Tensor)vars[0], MemoryMarshal.Cast<byte, long>(bins.bytes));
    }

    /// <summary>The features' gradient; the statistics and the bins have none.</summary>
    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
    {
        var statistics = (FeatureStatistics)ctx.get_data("statistics");
        using var scope = NewDisposeScope();
        var bins = ctx.get_saved_variables()[0];
        var gradient = statistics.ScaleRows(grad_output, MemoryMarshal.Cast<byte, long>(bins.bytes));
        return new List<Tensor> { gradient.MoveToOuterDisposeScope(), null!, null! };
    }
}
