using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>Checks a generated model's parts agree with the attributes before any training starts.</summary>
public static class ModelChecks
{
    /// <summary>
    /// Runs two zero inputs of shape [2, ..<paramref name="inputShape"/>] through the encoder and the regressor: the
    /// encoder must return [n, featureDim] (for a map target, a feature map [n, featureDim, ..]) and the regressor
    /// [n, ..<paramref name="target"/>] ([n, 1] for a scalar). A mismatch is an error naming the [Encoder] member or the target.
    /// </summary>
    public static void CheckShapes(nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> regressor, IReadOnlyList<long> inputShape, int featureDim,
        string encoderName, TargetShape? target = null)
    {
        target ??= TargetShape.Scalar;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        bool encoderTraining = encoder.training, regressorTraining = regressor.training;
        encoder.eval();
        regressor.eval();
        string input = inputShape.Count == 1 ? $"inputs of width {inputShape[0]}" : $"inputs of shape [n, {string.Join(", ", inputShape)}]";
        try
        {
            Tensor features;
            try
            {
                features = encoder.call(zeros(inputShape.Prepend(2L).ToArray()));
            }
            catch (Exception e) when (e is ExternalException or ArgumentException or InvalidOperationException)
            {
                // A shape error inside the user's module: say which input it was given, then what torch said.
                throw new InvalidOperationException($"[Encoder] {encoderName} fails on {input}: {e.Message.Split('\n')[0]}", e);
            }
            // A map target's encoder returns per-pixel features: a feature map whose channels are the features.
            bool perPixel = target.Kind == TargetKind.Map;
            if (perPixel ? features.ndim < 2 || features.shape[1] != featureDim : features.ndim != 2 || features.shape[1] != featureDim)
                throw new InvalidOperationException(
                    $"[Encoder] {encoderName} returns features of shape [{string.Join(", ", features.shape)}] for {input}, "
                    + $"but [Encoder(FeatureDim = {featureDim})] says [n, {featureDim}{(perPixel ? ", .." : "")}]. Make them agree.");
            var output = regressor.call(features);
            var expected = target.BatchShape(2);
            // A map's output may be of another size: the model resizes it to the target map's (DirModel, bilinear).
            bool fits = perPixel
                ? output.ndim == 4 && output.shape[0] == 2 && output.shape[1] == 1
                : output.shape.SequenceEqual(expected);
            if (!fits)
                throw new InvalidOperationException($"The regressor returns shape [{string.Join(", ", output.shape)}] for 2 inputs; a {target} target needs "
                    + $"[{string.Join(", ", expected)}] (one value per target element){(perPixel ? ", or [n, 1, h, w] of another size, which is resized to the map's" : "")}.");
        }
        finally
        {
            if (encoderTraining) encoder.train();
            if (regressorTraining) regressor.train();
        }
    }
}
