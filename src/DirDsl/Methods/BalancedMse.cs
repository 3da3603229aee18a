using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// Balanced MSE (Ren, Zhang, Li, Liu, Loy; CVPR 2022): the regression loss for a balanced test
/// distribution, L = -log N(y; y_hat, s^2) + log integral p_train(y') N(y_hat; y', s^2) dy',
/// multiplied by 2 s^2 (detached) so its scale matches MSE. The noise scale s is a trained
/// parameter (registered as <c>noise_sigma</c>). The integral is estimated from the other targets of
/// the batch (BMC), a Gaussian mixture of the training targets (GAI) or their histogram (BNI).
/// </summary>
public sealed class BalancedMseLoss : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // checkpoint keys
    private readonly TorchSharp.Modules.Parameter noise_sigma;
    private readonly Tensor prior_means;      // GAI: component means; BNI: bin centres
    private readonly Tensor prior_variances;  // GAI: component variances; BNI: zeros
    private readonly Tensor prior_log_weights;
#pragma warning restore IDE1006

    private BalancedMseLoss(BalancedMseKind kind, double initialSigma, double[] means, double[] variances, double[] weights)
        : base(nameof(BalancedMseLoss))
    {
        if (!(initialSigma > 0)) throw new ArgumentOutOfRangeException(nameof(initialSigma), initialSigma, "The initial noise sigma must be greater than 0.");
        Kind = kind;
        noise_sigma = new TorchSharp.Modules.Parameter(tensor((float)initialSigma));
        prior_means = tensor(means.Select(v => (float)v).ToArray());
        prior_variances = tensor(variances.Select(v => (float)v).ToArray());
        prior_log_weights = tensor(weights.Select(w => (float)Math.Log(Math.Max(w, 1e-12))).ToArray());
        RegisterComponents();
    }

    /// <summary>The normaliser's estimate.</summary>
    public BalancedMseKind Kind { get; }

    /// <summary>The current noise scale s.</summary>
    public double NoiseSigma => noise_sigma.item<float>();

    /// <summary>BMC: needs nothing from the training set.</summary>
    public static BalancedMseLoss Bmc(double initialSigma = 1.0) => new(BalancedMseKind.Bmc, initialSigma, new double[1], new double[1], new[] { 1.0 });

    /// <summary>GAI from a fitted mixture of the (scaled) training targets.</summary>
    public static BalancedMseLoss Gai(GaussianMixture prior, double initialSigma = 1.0) =>
        new(BalancedMseKind.Gai, initialSigma, prior.Means, prior.Variances, prior.Weights);

    /// <summary>BNI from the training label histogram: bin centres (in the loss's target unit) and their frequencies.</summary>
    public static BalancedMseLoss Bni(IReadOnlyList<double> binCentres, IReadOnlyList<int> counts, double initialSigma = 1.0)
    {
        double total = counts.Sum();
        if (total <= 0) throw new ArgumentException("BNI needs at least one training target.", nameof(counts));
        return new(BalancedMseKind.Bni, initialSigma, binCentres.ToArray(), new double[binCentres.Count], counts.Select(c => c / total).ToArray());
    }

    /// <summary>The loss of predictions [n, 1] against targets [n, 1] (in the loss's target unit).</summary>
    public override Tensor forward(Tensor predictions, Tensor targets)
    {
        var p = predictions.reshape(-1, 1);
        var y = targets.reshape(-1, 1);
        // Constants as KeptScalars: a temporary Scalar can be freed by its finalizer during the native call.
        var two = KeptScalars.Of(2);
        var half = KeptScalars.Of(0.5);
        var twoPi = KeptScalars.Of(2 * Math.PI);
        var variance = noise_sigma.pow(two);
        Tensor loss;
        if (Kind == BalancedMseKind.Bmc)
        {
            // Cross-entropy over the batch: the right target's logit against every target's.
            var logits = -(p - y.reshape(1, -1)).pow(two) / variance.mul(two);                // [n, n]
            loss = nn.functional.cross_entropy(logits, arange(p.shape[0], device: p.device));
        }
        else
        {
            // -log N(y; p, s^2) + log sum_k w_k N(p; mu_k, var_k + s^2)
            var one = KeptScalars.Of(1);
            var fit = ((p - y).pow(two) / variance.mul(two)).add(variance.mul(twoPi).log().mul(half), one);
            var total = prior_variances.reshape(1, -1).add(variance, one);                      // [1, K]
            var log_normal = -(p - prior_means.reshape(1, -1)).pow(two) / total.mul(two) - total.mul(twoPi).log().mul(half);
            var normaliser = prior_log_weights.reshape(1, -1).add(log_normal, one).logsumexp(1, keepdim: true);
            loss = fit.add(normaliser, one).mean();
        }
        return loss * variance.mul(two).detach();
    }
}

/// <summary>Settings of a Balanced MSE variant.</summary>
/// <param name="Kind">BMC, GAI or BNI.</param>
/// <param name="InitNoiseSigma">Initial noise scale (trained), in the loss's target unit.</param>
/// <param name="Components">GAI mixture components.</param>
public sealed record BalancedMseOptions(BalancedMseKind Kind, double InitNoiseSigma = DslDefaults.NoiseSigma, int Components = DslDefaults.MixtureComponents)
{
    /// <summary>Builds the loss for a training set: GAI fits its mixture and BNI its histogram to the scaled targets.</summary>
    public BalancedMseLoss Create(IReadOnlyList<float> trainTargets, LabelBins bins, double targetScale) => Kind switch
    {
        BalancedMseKind.Bmc => BalancedMseLoss.Bmc(InitNoiseSigma),
        // EM on at most 20,000 evenly spaced targets keeps the fit under a second.
        BalancedMseKind.Gai => BalancedMseLoss.Gai(GaussianMixture.Fit(
            trainTargets.Where((_, i) => i % Math.Max(1, trainTargets.Count / 20_000) == 0).Select(t => t / targetScale).ToArray(), Components), InitNoiseSigma),
        _ => BalancedMseLoss.Bni(Enumerable.Range(0, bins.Count).Select(b => bins.Center(b) / targetScale).ToArray(),
            bins.Counts(trainTargets.ToArray()), InitNoiseSigma),
    };
}

/// <summary>A one-dimensional Gaussian mixture (GAI's prior), fitted by EM.</summary>
/// <param name="Means">Component means.</param>
/// <param name="Variances">Component variances.</param>
/// <param name="Weights">Mixing weights (sum 1).</param>
public sealed record GaussianMixture(double[] Means, double[] Variances, double[] Weights)
{
    /// <summary>
    /// Fits <paramref name="components"/> Gaussians to <paramref name="values"/> with EM, starting
    /// from equal-frequency quantiles (deterministic), for at most <paramref name="iterations"/> steps.
    /// </summary>
    public static GaussianMixture Fit(IReadOnlyList<double> values, int components = 8, int iterations = 100)
    {
        int n = values.Count;
        if (n == 0) throw new ArgumentException("A mixture needs at least one value.", nameof(values));
        components = Math.Max(1, Math.Min(components, n));
        var sorted = values.OrderBy(v => v).ToArray();
        double overall = Math.Max(1e-6, Variance(sorted, sorted.Average()));
        var means = Enumerable.Range(0, components).Select(k => sorted[(int)((k + 0.5) * n / components)]).ToArray();
        var variances = Enumerable.Repeat(overall / components, components).ToArray();
        var weights = Enumerable.Repeat(1.0 / components, components).ToArray();
        var responsibility = new double[n, components];
        double floor = overall * 1e-4;
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            for (int i = 0; i < n; i++)
            {
                double max = double.NegativeInfinity;
                var log = new double[components];
                for (int k = 0; k < components; k++)
                {
                    log[k] = Math.Log(weights[k]) - 0.5 * Math.Log(2 * Math.PI * variances[k]) - Math.Pow(values[i] - means[k], 2) / (2 * variances[k]);
                    max = Math.Max(max, log[k]);
                }
                double sum = 0;
                for (int k = 0; k < components; k++) sum += Math.Exp(log[k] - max);
                for (int k = 0; k < components; k++) responsibility[i, k] = Math.Exp(log[k] - max) / sum;
            }
            for (int k = 0; k < components; k++)
            {
                double mass = 0, first = 0;
                for (int i = 0; i < n; i++) { mass += responsibility[i, k]; first += responsibility[i, k] * values[i]; }
                if (mass < 1e-9) continue; // an empty component keeps its parameters
                means[k] = first / mass;
                double second = 0;
                for (int i = 0; i < n; i++) second += responsibility[i, k] * Math.Pow(values[i] - means[k], 2);
                variances[k] = Math.Max(second / mass, floor);
                weights[k] = mass / n;
            }
        }
        return new GaussianMixture(means, variances, weights);
    }

    private static double Variance(IReadOnlyList<double> values, double mean) => values.Sum(v => (v - mean) * (v - mean)) / values.Count;
}

/// <summary>
/// Balanced MSE as a method of a variant: its loss (the model part <c>balanced_mse</c>, whose noise scale trains with the
/// model) replaces the configured loss in the generated training step; the prior is fitted to the variant's training targets.
/// </summary>
/// <param name="Options">Kind, initial noise scale and mixture components.</param>
public sealed record BalancedMseMethod(BalancedMseOptions Options) : IVariantMethod
{
    /// <summary>The checkpoint key of the loss and its noise scale.</summary>
    public const string PartKey = "balanced_mse";

    /// <inheritdoc />
    public string Name => "BMSE-" + Options.Kind.ToString().ToUpperInvariant();

    /// <inheritdoc />
    public IModelPart? CreatePart(ModelContext context, int featureDim) =>
        new BalancedMsePart(Options.Create(context.FitTargets, context.Bins, context.TargetScale));
    /// <inheritdoc />
    /// <remarks>The method alone and, when the configured variant has FDS, with it (the row NAME+FDS).</remarks>
    public IEnumerable<DirVariant> Rows(DirVariant configured) => MethodRows.AloneAndWithFds(this, configured);
}

/// <summary>The Balanced MSE loss of a model (<see cref="BalancedMseMethod"/>).</summary>
/// <param name="Loss">The loss module.</param>
public sealed record BalancedMsePart(BalancedMseLoss Loss) : IModelPart
{
    /// <inheritdoc />
    public string Key => BalancedMseMethod.PartKey;

    /// <inheritdoc />
    public nn.Module Module => Loss;

    /// <inheritdoc />
    public void Dispose() => Loss.Dispose();
}
