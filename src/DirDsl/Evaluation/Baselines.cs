using System.Globalization;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// The baseline rows of an ablation ([Ablation(Baselines)]): what a model needs no training to reach, so a table shows
/// what the deep model adds. "Mean" predicts each target element's mean over the training split; "Linear" is ridge
/// regression on the same mapped inputs the network reads (standardised numbers, one-hot categories, fill indicators,
/// flattened pixels), with an unpenalised intercept, fitted in closed form in double precision, and its penalty
/// alpha * n chosen from <see cref="RidgeAlphas"/> on the validation split only. Both are deterministic: a run with
/// several seeds repeats them per seed (their interval is 0). Inputs wider than <see cref="MaxLinearWidth"/> (images)
/// get no Linear row.
/// </summary>
public static class Baselines
{
    /// <summary>The row of the training mean.</summary>
    public const string MeanName = "Mean";

    /// <summary>The row of ridge regression.</summary>
    public const string LinearName = "Linear";

    /// <summary>The widest input the Linear row fits (its normal equations are width x width).</summary>
    public const int MaxLinearWidth = 4096;

    /// <summary>The most memory the Linear row's normal equations take (one width x width matrix per target element, in double).</summary>
    public const long MaxLinearGramBytes = 512L << 20;

    /// <summary>The ridge penalties tried, per training element (the penalty is alpha times the elements fitted).</summary>
    public static readonly IReadOnlyList<double> RidgeAlphas = new[] { 1e-6, 1e-4, 1e-3, 1e-2, 1e-1, 1.0 };

    /// <summary>Whether a row name is a baseline's.</summary>
    public static bool IsBaseline(string variant) => variant is MeanName or LinearName;

    /// <summary>The baseline rows for each of <paramref name="seeds"/>, evaluated like the trained rows.</summary>
    public static IReadOnlyList<VariantResult> Evaluate(TrainingData data, LabelBins bins, bool selectByMse, IReadOnlyList<int> seeds, TextWriter log)
    {
        var rows = new List<(string Name, float[] Validation, float[] Test, string Detail)>();
        var mean = TrainMean(data.Train);
        rows.Add((MeanName, Fill(data.Validation, mean), Fill(data.Test, mean), "the training mean"));
        int width = data.InputDim;
        long gramBytes = (long)data.Train.Shape.Elements * (width + 1L) * (width + 1L) * sizeof(double);
        if (width > MaxLinearWidth)
            log.WriteLine($"Baselines: no Linear row, the input is {width} values wide (more than {MaxLinearWidth}); Mean only.");
        else if (gramBytes > MaxLinearGramBytes)
            log.WriteLine($"Baselines: no Linear row, its normal equations for {data.Train.Shape.Elements:N0} target elements would take {gramBytes >> 20:N0} MiB (more than {MaxLinearGramBytes >> 20} MiB); Mean only.");
        else if (!data.Train.HoldsTargets)
            log.WriteLine("Baselines: no Linear row, the training split reads its targets again with each batch (they are over the memory budget) and the ridge fit would hold them all; Mean only.");
        else
        {
            var (validation, test, alpha) = Ridge(data, selectByMse);
            rows.Add((LinearName, validation, test, FormattableString.Invariant($"ridge, alpha {alpha:g} chosen on validation")));
        }
        var results = new List<VariantResult>();
        foreach (var seed in seeds)
            foreach (var (name, validation, test, detail) in rows)
            {
                var testPresent = TargetElements.Select(test, data.Test.ValidPositions);
                results.Add(new VariantResult(name, -1, 0,
                    ShotMetrics.Evaluate(TargetElements.Select(validation, data.Validation.ValidPositions), data.Validation.ValidTargets, bins, data.Groups),
                    ShotMetrics.Evaluate(testPresent, data.Test.ValidTargets, bins, data.Groups),
                    data.ExplicitGroups is null ? null : ShotMetrics.Evaluate(testPresent, data.Test.ValidTargets, bins, data.ExplicitGroups),
                    Array.Empty<EpochRecord>(), testPresent, null, seed)
                {
                    TestDepth = DepthReports.For(data.Test.Shape, testPresent, data.Test.ValidTargets, bins, data.Groups),
                    TestDepthExplicitGroups = DepthReports.For(data.Test.Shape, testPresent, data.Test.ValidTargets, bins, data.ExplicitGroups),
                    Fingerprint = new SortedDictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["baseline"] = detail,
                        ["dirdsl"] = RunFingerprint.Version,
                        ["train data"] = data.Train.ContentHash,
                        ["validation data"] = data.Validation.ContentHash,
                        ["test data"] = data.Test.ContentHash,
                    },
                    TestElements = ShotMetrics.PerElement(test, data.Test.Targets, data.Test.Shape, bins, data.Groups),
                });
            }
        var first = results.Take(rows.Count).ToList();
        log.WriteLine("Baselines: " + string.Join("; ", first.Select((r, i) => FormattableString.Invariant(
            $"{r.Variant} ({rows[i].Detail}) test MAE {r.Test.Overall.Mae:0.###}, few-shot {r.Test.Few.Mae:0.###}"))) + ".");
        return results;
    }

    /// <summary>Each target element's mean over the training elements that are there.</summary>
    internal static double[] TrainMean(SplitData train) => train.Summary.ElementMeans();

    private static float[] Fill(SplitData split, double[] mean) =>
        Enumerable.Range(0, split.Targets.Length).Select(i => (float)mean[i % mean.Length]).ToArray();

    /// <summary>
    /// Ridge per target element on [inputs, 1]: the normal equations summed batch by batch over the training rows where the
    /// element is there (streamed splits are read once), solved for each alpha; the alpha with the lowest validation error
    /// (MSE or MAE, as the run selects) predicts the test split.
    /// </summary>
    internal static (float[] Validation, float[] Test, double Alpha) Ridge(TrainingData data, bool selectByMse)
    {
        int elements = data.Train.Shape.Elements;
        int width = data.InputDim + 1;
        var gram = Enumerable.Range(0, elements).Select(_ => zeros(width, width, dtype: float64)).ToArray();
        var moments = Enumerable.Range(0, elements).Select(_ => zeros(width, 1, dtype: float64)).ToArray();
        var fitted = new long[elements];
        try
        {
            var trainTargets = data.Train.Targets;
            using (no_grad())
            using (var reader = data.Train.ReadInOrder())
                while (true)
                {
                    using var scope = NewDisposeScope();
                    if (reader.Next() is not { } batch) break;
                    var (x, rows) = Augmented(batch);
                    for (int e = 0; e < elements; e++)
                    {
                        var (y, present) = Column(trainTargets, rows, elements, e);
                        fitted[e] += (long)present.sum().item<double>();
                        var weighted = x * present.unsqueeze(1);
                        gram[e].add_(weighted.t().matmul(x));
                        moments[e].add_(weighted.t().matmul(y.unsqueeze(1)));
                    }
                }

            float[]? bestValidation = null;
            double bestError = double.PositiveInfinity, bestAlpha = RidgeAlphas[0];
            Tensor[]? bestWeights = null;
            foreach (var alpha in RidgeAlphas)
            {
                var weights = Solve(gram, moments, fitted, alpha, width);
                var validation = Predict(data.Validation, weights, elements);
                var present = TargetElements.Select(validation, data.Validation.ValidPositions);
                double error = Error(present, data.Validation.ValidTargets, selectByMse);
                if (error < bestError)
                {
                    foreach (var old in bestWeights ?? Array.Empty<Tensor>()) old.Dispose();
                    (bestError, bestAlpha, bestValidation, bestWeights) = (error, alpha, validation, weights);
                }
                else
                    foreach (var w in weights) w.Dispose();
            }
            if (bestWeights is null) throw new InvalidOperationException("the Linear baseline found no finite fit (every ridge penalty gave a non-finite validation error).");
            var test = Predict(data.Test, bestWeights, elements);
            foreach (var w in bestWeights) w.Dispose();
            return (bestValidation!, test, bestAlpha);
        }
        finally
        {
            foreach (var t in gram.Concat(moments)) t.Dispose();
        }
    }

    /// <summary>A batch's inputs flattened to [n, W] in double with a column of ones, and its record indices.</summary>
    private static (Tensor X, long[] Rows) Augmented(DataBatch batch)
    {
        long n = batch.Inputs.shape[0];
        var x = batch.Inputs.reshape(n, -1).to(float64).cpu();
        var rows = batch.Index.cpu().data<long>().ToArray();
        return (cat(new[] { x, ones(n, 1, dtype: float64) }, 1), rows);
    }

    /// <summary>Element <paramref name="e"/> of the rows' targets (0 where missing) and 1/0 for present.</summary>
    private static (Tensor Y, Tensor Present) Column(float[] targets, long[] rows, int elements, int e)
    {
        var y = new double[rows.Length];
        var present = new double[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            float value = targets[rows[i] * elements + e];
            if (float.IsNaN(value)) continue;
            y[i] = value;
            present[i] = 1;
        }
        return (tensor(y), tensor(present));
    }

    private static Tensor[] Solve(Tensor[] gram, Tensor[] moments, long[] fitted, double alpha, int width)
    {
        var penalty = ones(width, dtype: float64);
        penalty[width - 1] = 0;                  // the intercept is not penalised
        var weights = new Tensor[gram.Length];
        for (int e = 0; e < gram.Length; e++)
        {
            // An element no training row has (a map pixel that is always missing) predicts 0; its rows are never evaluated.
            if (fitted[e] == 0)
            {
                weights[e] = zeros(width, 1, dtype: float64);
                continue;
            }
            using var scope = NewDisposeScope();
            var regularised = gram[e] + diag(penalty * (alpha * Math.Max(1, fitted[e])));
            weights[e] = linalg.solve(regularised, moments[e]).MoveToOuterDisposeScope();
        }
        penalty.Dispose();
        return weights;
    }

    private static float[] Predict(SplitData split, Tensor[] weights, int elements)
    {
        var predictions = new float[split.Targets.Length];
        using var noGrad = no_grad();
        using var reader = split.ReadInOrder();
        while (true)
        {
            using var scope = NewDisposeScope();
            if (reader.Next() is not { } batch) break;
            var (x, rows) = Augmented(batch);
            for (int e = 0; e < elements; e++)
            {
                var values = x.matmul(weights[e]).reshape(-1).data<double>().ToArray();
                for (int i = 0; i < rows.Length; i++) predictions[rows[i] * elements + e] = (float)values[i];
            }
        }
        return predictions;
    }

    private static double Error(float[] predictions, float[] targets, bool mse)
    {
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double d = predictions[i] - targets[i];
            sum += mse ? d * d : Math.Abs(d);
        }
        return predictions.Length == 0 || !double.IsFinite(sum) ? double.PositiveInfinity : sum / predictions.Length;
    }
}
