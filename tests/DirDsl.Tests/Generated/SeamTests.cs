using System.Globalization;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>
/// The fingerprint is the definition: a checkpoint written by one experiment, resumed by a twin that differs in one
/// attribute argument or in its model, is refused naming that setting.
/// </summary>
public sealed class FingerprintTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-fingerprint").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private RunOptions Options(string folder, bool resume = false) => new()
    {
        OutputFolder = Path.Combine(output, folder), Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.Zero,
        Variants = { "LDS+FDS" }, Resume = resume,
    };

    /// <summary>Trains TinyExperiment into a folder laid out as <paramref name="twin"/>'s output, then resumes the twin there.</summary>
    private string Refusal(string twin, Func<RunOptions, ExperimentResult> runTwin)
    {
        var folder = twin.ToLowerInvariant();
        TinyExperiment.Run(Options(folder));
        Directory.Move(Path.Combine(output, folder, "TinyExperiment"), Path.Combine(output, folder, twin));
        var refused = Assert.Throws<CheckpointException>(() => runTwin(Options(folder, resume: true)));
        Assert.Contains($"experiment: TinyExperiment -> {twin}", refused.Message);
        return refused.Message;
    }

    [Fact]
    public void ChangedLoss_IsRefusedByName() =>
        Assert.Contains("loss.kind: Mse -> L1", Refusal(nameof(TinyL1Experiment), TinyL1Experiment.Run));

    [Fact]
    public void ChangedFdsMomentum_IsRefusedByName() =>
        Assert.Contains("fds.momentum: 0.9 -> 0.5", Refusal(nameof(TinyMomentumExperiment), TinyMomentumExperiment.Run));

    [Fact]
    public void ChangedEncoderWidth_IsRefusedNamingTheParameters()
    {
        var message = Refusal(nameof(TinyWideExperiment), TinyWideExperiment.Run);
        // Linear(5, 16) -> Linear(5, 32): the first layer's weight and bias, and the second layer's weight.
        Assert.Contains("model.encoder.0.weight: [16, 5] Float32 -> [32, 5] Float32", message);
        Assert.Contains("model.encoder.2.weight: [8, 16] Float32 -> [8, 32] Float32", message);
    }

    [Fact]
    public void ChangedLabelBins_IsRefusedByName()
    {
        var message = Refusal(nameof(TinyBinsExperiment), TinyBinsExperiment.Run);
        Assert.Contains("settings.bins: 10 equal bins over [0, 10] -> 20 equal bins over [0, 10]", message);
        // FDS keeps statistics per bin: its buffers change shape too.
        Assert.Contains("model.fds.", message);
    }

    [Fact]
    public void TheSameRun_Resumes_AndTheFingerprintListsEverySetting()
    {
        var first = TinyExperiment.Run(Options("same")).Variants.Single();
        var resumed = TinyExperiment.Run(Options("same", resume: true)).Variants.Single();
        Assert.Equal(first.TestPredictions, resumed.TestPredictions);
        var fingerprint = first.Fingerprint!;
        // Every [DirExperiment] setting, the loss and FDS settings, the variant's methods: read from the objects, not listed by hand.
        Assert.Equal("32", fingerprint["settings.batchSize"]);
        Assert.Equal("0.01", fingerprint["settings.learningRate"]);
        Assert.Equal("Mse", fingerprint["loss.kind"]);
        Assert.Equal("DirDsl.LossOptions", fingerprint["loss"]);
        Assert.Equal("3", fingerprint["fds.size"]);
        Assert.Equal("SqrtInverse", fingerprint["variant.methods.reweighting.kind"]);
        Assert.Equal("Gaussian", fingerprint["variant.methods.reweighting.lds.kernel"]);
        Assert.Equal("0.9", fingerprint["variant.methods.featureSmoothing.options.momentum"]);
        Assert.Equal("[16, 5] Float32", fingerprint["model.encoder.0.weight"]);
    }
}

/// <summary>The seams: a loss of one's own, a training step of one's own, a method as one unit (BSAM).</summary>
public sealed class SeamTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-seams").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private RunOptions Options(string folder, params string[] variants)
    {
        var options = new RunOptions { OutputFolder = Path.Combine(output, folder), Device = "cpu", Log = TextWriter.Null };
        foreach (var variant in variants) options.Variants.Add(variant);
        return options;
    }

    [Fact]
    public void OwnLossType_TrainsExactlyAsTheSameBuiltInLoss_WithTheVariantsWeights()
    {
        int before = SquaredError.Calls;
        var own = TinyOwnLossExperiment.Run(Options("own-loss", "LDS", "Vanilla")).Variants;
        // 240 records in batches of 32: 8 steps per epoch, 2 epochs, 2 variants.
        Assert.Equal(32, SquaredError.Calls - before);
        var builtIn = TinyExperiment.Run(Options("built-in", "LDS", "Vanilla")).Variants;
        foreach (var name in new[] { "LDS", "Vanilla" })
            Assert.Equal(builtIn.Single(v => v.Variant == name).TestPredictions, own.Single(v => v.Variant == name).TestPredictions);
        Assert.Equal(typeof(SquaredError).FullName, own[0].Fingerprint!["loss"]);
    }

    /// <summary>Records what the trainer tells it and stops every training after its second epoch.</summary>
    private sealed class StopAfterTwo : ITrainingCallback
    {
        public List<string> Events { get; } = new();

        public List<(int Epoch, int Step, int Steps, double Loss)> Steps { get; } = new();

        public void OnTrainingStart(TrainingStart start) => Events.Add($"start {start.Variant} {start.Seed} {start.Epochs} {start.FirstEpoch}");

        public void OnEpochStart(EpochStart start) => Events.Add($"begin {start.Epoch} of {start.Epochs}");

        public void OnStepEnd(StepEnd step) => Steps.Add((step.Epoch, step.Step, step.Steps, step.Loss));

        public void OnEpochEnd(EpochEnd epochEnd, TrainingControl control)
        {
            Events.Add($"epoch {epochEnd.Record.Epoch}");
            if (epochEnd.Record.Epoch == 1) control.Stop("two epochs are enough");
        }

        public void OnTrainingEnd(VariantResult result) => Events.Add($"end {result.Variant} {result.EpochsRun}");
    }

    [Fact]
    public void Callback_SeesEveryTraining_AndStoppingAfterEpoch2OfFour_EqualsATwoEpochRun()
    {
        var callback = new StopAfterTwo();
        var options = Options("callback", "LDS");
        options.Epochs = 4;
        options.Callbacks.Add(callback);
        var log = new StringWriter();
        options.Log = log;
        var stopped = TinyExperiment.Run(options).Variants.Single();
        Assert.Equal(new[] { "start LDS 7 4 0", "begin 0 of 4", "epoch 0", "begin 1 of 4", "epoch 1", "end LDS 2" }, callback.Events);
        Assert.Contains("LDS seed 7: stopped after epoch 2: two epochs are enough", log.ToString());
        // 240 training records in batches of 32: 8 steps per epoch, each reported with its finite loss, numbered from 1.
        Assert.Equal(Enumerable.Range(0, 2).SelectMany(e => Enumerable.Range(1, 8).Select(s => (e, s))), callback.Steps.Select(s => (s.Epoch, s.Step)));
        Assert.All(callback.Steps, s => Assert.True(s.Steps == 8 && double.IsFinite(s.Loss) && s.Loss > 0));
        // The checkpoint callback ran after the stop: the training is saved as finished, so a resume trains nothing more.
        var resumed = new StopAfterTwo();
        var again = Options("callback", "LDS");
        again.Epochs = 4;
        again.Resume = true;
        again.Callbacks.Add(resumed);
        Assert.Equal(stopped.TestPredictions, TinyExperiment.Run(again).Variants.Single().TestPredictions);
        Assert.Equal(new[] { "start LDS 7 4 2", "end LDS 2" }, resumed.Events);
        // A constant learning rate: stopping after two of four epochs trains exactly what a two-epoch run trains.
        var twoEpochs = TinyExperiment.Run(Options("two", "LDS")).Variants.Single();
        Assert.Equal(twoEpochs.TestPredictions, stopped.TestPredictions);
    }

    [Fact]
    public void OwnTrainingStep_ReplacesTheGeneratedOne()
    {
        int before = TinyOwnStepExperiment.Steps;
        var own = TinyOwnStepExperiment.Run(Options("own-step", "LDS")).Variants.Single();
        Assert.Equal(16, TinyOwnStepExperiment.Steps - before);
        // Declared [Loss(Mse)], but its own step computes the weighted L1 loss: it trains as the L1 twin does.
        var l1 = TinyL1Experiment.Run(Options("l1", "LDS")).Variants.Single();
        Assert.Equal(l1.TestPredictions, own.TestPredictions);
        var mse = TinyExperiment.Run(Options("mse", "LDS")).Variants.Single();
        Assert.NotEqual(mse.TestPredictions, own.TestPredictions);
    }

    [Fact]
    public void Bsam_IsARowOfTheAblation_AndWithANegligibleRadiusTrainsAsInverseReweighting()
    {
        Assert.Contains(TinyBsamExperiment.Definition.Variants, v => v.Name == "BSAM");
        var rows = TinyBsamExperiment.Run(Options("bsam", "Inverse", "BSAM")).Variants;
        // Rho = 1e-30 cannot move a float32 weight: the perturbed gradient is the plain one, so BSAM = inverse-weighted L1.
        Assert.Equal(rows.Single(v => v.Variant == "Inverse").TestPredictions, rows.Single(v => v.Variant == "BSAM").TestPredictions);
        var bsam = rows.Single(v => v.Variant == "BSAM");
        Assert.Equal("DirDsl.Bsam", bsam.Fingerprint!["variant.methods.bsam"]);
        Assert.Equal("1E-30", bsam.Fingerprint["variant.methods.bsam.rho"]);

        // The paper's radius changes the training.
        var paper = TinyBsamPaperExperiment.Run(Options("bsam-paper", "BSAM")).Variants.Single();
        Assert.NotEqual(bsam.TestPredictions, paper.TestPredictions);
        Assert.All(paper.TestPredictions, p => Assert.True(float.IsFinite(p)));
    }

    /// <summary>
    /// One BSAM step on y = w x + b, hand-derived: weighted L1 loss L(w, b) = mean(c_i |w x_i + b - y_i|) with inverse
    /// frequency weights c_i; g = dL/d(w, b) = mean(c_i sign(r_i) (x_i, 1)); e = rho g / ||g||; the gradient g' at
    /// (w, b) + e; then plain SGD: (w, b) - lr g'.
    /// </summary>
    [Fact]
    public void BsamStep_MatchesAHandDerivedSharpnessAwareUpdate()
    {
        double[] x = { 1, 2, 3, 4 };
        double[] y = { 1.1, 2.2, 2.9, 9.0 };   // the first residual is +0.1: the ascent carries it across 0
        double[] c = { 0.5, 0.5, 1.0, 2.0 };
        double w0 = 0.8, b0 = 0.4, lr = 0.1, rho = 0.5;

        (double dw, double db) Gradient(double w, double b)
        {
            double dw = 0, db = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double sign = Math.Sign(w * x[i] + b - y[i]);
                dw += c[i] * sign * x[i] / x.Length;
                db += c[i] * sign / x.Length;
            }
            return (dw, db);
        }
        var (gw, gb) = Gradient(w0, b0);
        double norm = Math.Sqrt(gw * gw + gb * gb);
        var (pw, pb) = Gradient(w0 + rho * gw / norm, b0 + rho * gb / norm);
        double expectedW = w0 - lr * pw, expectedB = b0 - lr * pb;
        // The perturbation must cross a kink of |.| for the test to tell BSAM from a plain step.
        Assert.NotEqual((gw, gb), (pw, pb));

        using var layer = nn.Linear(1, 1);
        using (no_grad())
        {
            layer.weight!.fill_(w0);
            layer.bias!.fill_(b0);
        }
        using var inputs = tensor(x.Select(v => (float)v).ToArray(), new long[] { 4, 1 });
        using var targets = tensor(y.Select(v => (float)v).ToArray(), new long[] { 4, 1 });
        using var weights = tensor(c.Select(v => (float)v).ToArray(), new long[] { 4, 1 });
        var parameters = layer.parameters().ToList();
        using var sgd = optim.SGD(parameters, lr);
        var loss = new Bsam { Rho = rho }.Step(new StepContext(
            () => WeightedLoss.Compute(layer.call(inputs), targets, new LossOptions(LossKind.L1), weights), parameters, sgd, () => sgd.step()));

        Assert.Equal(expectedW, layer.weight!.item<float>(), 5);
        Assert.Equal(expectedB, layer.bias!.item<float>(), 5);
        // The reported loss is the one at the weights before the step.
        double lossAtStart = Enumerable.Range(0, 4).Sum(i => c[i] * Math.Abs(w0 * x[i] + b0 - y[i])) / 4;
        Assert.Equal(lossAtStart, loss.item<float>(), 5);
    }

    [Fact]
    public void AVariantWithTwoStepMethods_IsAClearError()
    {
        Assert.Same(PlainStep.Instance, DirVariant.Vanilla.Step);
        var e = Assert.Throws<InvalidOperationException>(() => new DirVariant("Twice", new Bsam(), new Bsam { Rho = 0.1 }).Step);
        Assert.Equal("Variant Twice: Bsam and Bsam each own the optimiser step; a variant can have one.", e.Message);
    }

    [Fact]
    public void BsamWeights_AreInverseLabelFrequency()
    {
        // Bins [0, 1) x2 and [1, 2) x1 of two bins: weights 1/2, 1/2, 1, scaled to mean 1 over the samples.
        var weights = new Bsam().SampleWeights(new[] { 0.2f, 0.7f, 1.5f }, LabelBins.Uniform(0, 2, 2), TargetShape.Scalar)!;
        double scale = 3 / (0.5 + 0.5 + 1);
        Assert.Equal(new[] { 0.5 * scale, 0.5 * scale, scale }, weights.Select(v => (double)v).ToArray(), new ToleranceComparer(1e-6));
    }

    [Fact]
    public void UserLossOfTheWrongShape_IsAClearError()
    {
        using var p = zeros(4, 1);
        using var t = ones(4, 1);
        var e = Assert.Throws<ArgumentException>(() => WeightedLoss.Compute(p, t, new SummedLoss()));
        Assert.Contains("SummedLoss: Elementwise returned []", e.Message);
    }

    private sealed class SummedLoss : IRegressionLoss
    {
        public Tensor Elementwise(Tensor predictions, Tensor targets) => (predictions - targets).abs().sum();
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double value) => 0;
    }
}

/// <summary>The canonical form the fingerprint is made of.</summary>
public sealed class CanonicalFormTests
{
    private sealed record Inner(double Rate, IReadOnlyList<int> Steps);

    private sealed record Outer(string Name, Inner Inner, IReadOnlyList<Inner> Many, LabelBins Bins)
    {
        public string Computed => Name + "!";
    }

    [Fact]
    public void Records_ListEveryStoredProperty_InvariantAndWithoutComputedOnes()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");   // a decimal comma must not leak in
            var entries = CanonicalForm.Of("x", new Outer("a", new Inner(0.5, new[] { 1, 2 }), new[] { new Inner(1e-3, Array.Empty<int>()) },
                LabelBins.Uniform(0, 2.5, 5)));
            Assert.Equal(new Dictionary<string, string>
            {
                ["x.bins"] = "5 equal bins over [0, 2.5]",
                ["x.inner.rate"] = "0.5",
                ["x.inner.steps"] = "[1, 2]",
                ["x.many[0].rate"] = "0.001",
                ["x.many[0].steps"] = "[]",
                ["x.name"] = "a",
            }, entries);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}

/// <summary>Early stopping is a callback: it asks to stop when the best epoch lies Patience epochs back.</summary>
public sealed class EarlyStoppingTests
{
    [Fact]
    public void StopsExactlyPatienceEpochsAfterTheBest()
    {
        var stopping = new EarlyStopping(2);
        // Validation improves at epochs 0, 1 and 3; with patience 2 the training stops after epoch 5 (3 + 2), not before.
        int[] bestAfter = { 0, 1, 1, 3, 3, 3, 3 };
        int? stoppedAt = null;
        for (int epoch = 0; epoch < bestAfter.Length && stoppedAt is null; epoch++)
        {
            var control = new TrainingControl();
            var record = new EpochRecord(epoch, 1, 1, 1, 1e-3, 0.1);
            stopping.OnEpochEnd(new EpochEnd("Vanilla", 0, record, null!, bestAfter[epoch] == epoch) { BestEpoch = bestAfter[epoch] }, control);
            if (control.StopReason is not null) stoppedAt = epoch;
        }
        Assert.Equal(5, stoppedAt);
        Assert.Empty(EarlyStopping.For(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(0));
    }
}
