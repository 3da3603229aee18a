using DirDsl.Generators.Model;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Emitting;

/// <summary>
/// Emits <c>Model</c>: the runtime's <c>DirModel</c> (encoder -> FDS calibration in training only -> regressor)
/// with this experiment's encoder, regressor and FDS settings.
/// </summary>
internal static class ModelEmitter
{
    public static string Emit(ExperimentModel m) => ExperimentFile.Write(m, w =>
    {
        // A target map's default regressor is a 1x1 convolution: each pixel's features to its one value.
        bool map = m.Record.DepthMap is not null;
        var regressor = m.RegressorMember is not null ? $"{m.RegressorMember}(Configuration.FeatureDim)"
            : map ? "global::TorchSharp.torch.nn.Conv2d(Configuration.FeatureDim, 1, 1)"
            : "global::TorchSharp.torch.nn.Linear(Configuration.FeatureDim, context.Target.Elements)";
        var regressorText = m.RegressorMember is not null ? $"the [Regressor] {m.RegressorMember}"
            : map ? "a 1x1 convolution (one output per pixel of the target map)" : "a linear regressor (one output per target element)";
        var fdsText = m.Fds is null ? "" : " FDS calibration of the features (training only, in variants with FDS), then";
        w.Line("/// <summary>");
        w.Line($"/// The {m.ClassName} model: the [Encoder] {m.Encoder.Name}, then{fdsText} {regressorText}.");
        w.Line("/// Checkpoint keys: encoder, regressor" + (m.Fds is null ? "" : ", fds") + (!m.UsesBalancedMseLoss ? "." : ", balanced_mse (in Balanced MSE variants)."));
        w.Line("/// </summary>");
        w.Line(GeneratedCodeAttribute);
        w.Open("public sealed class Model : global::DirDsl.DirModel");
        w.Line("/// <summary>Builds the model of one variant; the encoder is created before the regressor, so initial weights depend on the seed alone.</summary>");
        w.Line("public Model(global::DirDsl.ModelContext context)");
        w.Line($"    : base({Literal(m.ClassName + "Model")}, context, {m.Encoder.Name}({(m.Encoder.TakesInputDim ? "context.InputDim" : "")}), {regressor},");
        w.Line($"        Configuration.FeatureDim, {Literal(m.Encoder.Name)})");
        w.Line("{");
        w.Line("}");
        w.Close();
    });
}
