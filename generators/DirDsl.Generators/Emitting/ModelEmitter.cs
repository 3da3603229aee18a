using DirDsl.Generators.Model;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Emitting;

/// <summary>Emits <c>Model</c>: encoder -> FDS calibration (training only) -> regressor, as a TorchSharp module.</summary>
internal static class ModelEmitter
{
    public static string Emit(ExperimentModel m) => ExperimentFile.Write(m, w =>
    {
        var fds = m.Fds;
        var regressor = m.RegressorMember is null
            ? "global::TorchSharp.torch.nn.Linear(Configuration.FeatureDim, 1)"
            : $"{m.RegressorMember}(Configuration.FeatureDim)";
        w.Line("/// <summary>");
        w.Line($"/// The {m.ClassName} model: the [Encoder] {m.Encoder.Name}, then{(fds is null ? "" : " FDS calibration of the features (training only), then")} the regressor.");
        w.Line("/// Field names are checkpoint keys: encoder, regressor" + (fds is null ? "." : ", fds (the per-bin feature statistics)."));
        w.Line("/// </summary>");
        w.Line(GeneratedCodeAttribute);
        w.Open("public sealed class Model : global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>");
        w.Line("private readonly global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor> encoder;");
        w.Line("private readonly global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor> regressor;");
        if (fds is not null) w.Line("private readonly global::DirDsl.FeatureStatistics? fds;");
        bool bmse = m.BalancedMse is not null;
        // With [Search] and [Fds], a search point's FDS settings and bin count come in at run time.
        bool searchedFds = m.Search is not null && fds is not null;
        if (bmse) w.Line("private readonly global::DirDsl.BalancedMseLoss? balanced_mse;");
        w.Line();
        w.Line("/// <summary>Builds the model for input rows of width <paramref name=\"inputDim\"/>; FDS only when <paramref name=\"useFds\"/>.</summary>");
        if (bmse || searchedFds)
        {
            w.Line("/// <param name=\"inputDim\">Width of an input row.</param>");
            w.Line("/// <param name=\"useFds\">Calibrate features with FDS.</param>");
        }
        if (bmse) w.Line("/// <param name=\"balancedMse\">The Balanced MSE loss of this variant (its noise scale is trained with the model), or null.</param>");
        if (searchedFds)
        {
            w.Line("/// <param name=\"point\">The hyperparameter-search point whose FDS settings apply, or null for [Fds] as written.</param>");
            w.Line("/// <param name=\"binCount\">Label bins of the FDS statistics (a search point may change them).</param>");
        }
        var parameters = "int inputDim, bool useFds"
            + (bmse ? ", global::DirDsl.BalancedMseLoss? balancedMse = null" : "")
            + (searchedFds ? ", global::DirDsl.SearchPoint? point = null, int binCount = Configuration.BinCount" : "");
        w.Open("public Model(" + parameters + ") : base(\"" + m.ClassName + "Model\")");
        w.Line($"encoder = {m.Encoder.Name}(inputDim);");
        w.Line($"regressor = {regressor};");
        w.Line("register_module(\"encoder\", encoder);");
        w.Line("register_module(\"regressor\", regressor);");
        if (fds is not null)
        {
            w.Open("if (useFds)");
            if (searchedFds)
            {
                // The window is computed at run time from the point's kernel (KernelWindow, the same numbers as FdsWindow).
                w.Line("fds = Configuration.FdsSettings.At(point).Create(binCount, Configuration.FeatureDim);");
            }
            else
            {
                w.Line($"fds = new global::DirDsl.FeatureStatistics(Configuration.BinCount, Configuration.FeatureDim, momentum: {Literal(fds.Momentum)},");
                w.Line($"    kernel: {ExperimentFile.Enum(fds.Kernel)}, size: {Literal(fds.Size)}, sigma: {Literal(fds.Sigma)}, startEpoch: {Literal(fds.StartEpoch)},");
                w.Line($"    clampMin: {Literal(fds.ClampMin)}, clampMax: {Literal(fds.ClampMax)}, window: Configuration.FdsWindow);");
            }
            w.Line("register_module(\"fds\", fds);");
            w.Close();
        }
        if (bmse)
        {
            w.Open("if (balancedMse is not null)");
            w.Line("balanced_mse = balancedMse;");
            w.Line("register_module(\"balanced_mse\", balanced_mse);");
            w.Close();
        }
        w.Line("global::DirDsl.ModelChecks.CheckShapes(encoder, regressor, inputDim, Configuration.FeatureDim, " + Literal(m.Encoder.Name) + ");");
        w.Close();
        w.Line();
        w.Line("/// <summary>The FDS statistics, or null when this variant has no FDS.</summary>");
        w.Line(fds is null
            ? "public global::DirDsl.FeatureStatistics? FeatureStatistics => null;"
            : "public global::DirDsl.FeatureStatistics? FeatureStatistics => fds;");
        w.Line();
        if (bmse)
        {
            w.Line("/// <summary>The Balanced MSE loss of this variant, or null.</summary>");
            w.Line("public global::DirDsl.BalancedMseLoss? BalancedMse => balanced_mse;");
            w.Line();
        }
        if (m.Rrt is not null)
        {
            w.Line("private bool encoderFrozen;");
            w.Line();
            w.Line("/// <summary>RRT's second stage: the encoder's weights stop changing and it stays in evaluation mode.</summary>");
            w.Open("public void FreezeEncoder()");
            w.Line("foreach (var parameter in encoder.parameters()) parameter.requires_grad = false;");
            w.Line("encoderFrozen = true;");
            w.Line("encoder.eval();");
            w.Close();
            w.Line();
            w.Line("/// <inheritdoc />");
            w.Open("public override void train(bool on = true)");
            w.Line("base.train(on);");
            w.Line("// A frozen encoder keeps dropout and normalisation in evaluation mode.");
            w.Line("if (encoderFrozen) encoder.eval();");
            w.Close();
            w.Line();
        }
        w.Line("/// <summary>Inference: raw features, no calibration. Output [n, 1] in the loss's target unit.</summary>");
        w.Line("public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input) => regressor.call(encoder.call(input));");
        w.Line();
        w.Line("/// <summary>Training: features of a sample in bin j are calibrated by FDS from epoch StartSmooth on.</summary>");
        w.Open("public global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input, global::TorchSharp.torch.Tensor bins, int epoch)");
        w.Line("var features = encoder.call(input);");
        if (fds is not null)
            w.Line("if (fds is not null && epoch >= Configuration.FdsStartSmooth) features = fds.Calibrate(features, bins);");
        w.Line("return regressor.call(features);");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// End of epoch: FDS statistics from the features of all training samples, computed batch by batch");
        w.Line("/// with the encoder in evaluation mode on raw (uncalibrated) features (a deliberate difference from");
        w.Line("/// the reference, which uses training mode and calibrated features). Memory stays bins x FeatureDim.");
        w.Line("/// </summary>");
        w.Open("public void UpdateFeatureStatistics(global::DirDsl.DirDataset train, int epoch)");
        if (fds is null)
        {
            w.Line("// This experiment has no [Fds]: there are no feature statistics to update.");
        }
        else
        {
            w.Line("if (fds is null) return;");
            w.Line("bool wasTraining = training;");
            w.Line("encoder.eval();");
            w.Open("using (global::TorchSharp.torch.no_grad())");
            w.Line("using var pass = fds.BeginPass();");
            w.Open("foreach (var (start, length) in global::DirDsl.TrainingKit.Chunks(train.Count, Configuration.BatchSize))");
            w.Line("using var scope = global::TorchSharp.torch.NewDisposeScope();");
            w.Line("pass.Add(encoder.call(train.Inputs.narrow(0, start, length)), train.BinTensor.narrow(0, start, length));");
            w.Close();
            w.Line("fds.Update(pass, epoch);");
            w.Close();
            w.Line("if (wasTraining) encoder.train();");
        }
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Open("protected override void Dispose(bool disposing)");
        w.Open("if (disposing)");
        w.Line("encoder.Dispose();");
        w.Line("regressor.Dispose();");
        if (fds is not null) w.Line("fds?.Dispose();");
        if (bmse) w.Line("balanced_mse?.Dispose();");
        w.Close();
        w.Line("base.Dispose(disposing);");
        w.Close();
        w.Close();
    });
}
