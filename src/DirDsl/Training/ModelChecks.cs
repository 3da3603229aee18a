using static TorchSharp.torch;

namespace DirDsl;

/// <summary>Checks a generated model's parts agree with the attributes before any training starts.</summary>
public static class ModelChecks
{
    /// <summary>
    /// Runs two zero rows through the encoder and the regressor: the encoder must return
    /// [n, featureDim] and the regressor [n, 1]. A mismatch is an error naming the [Encoder] member.
    /// </summary>
    public static void CheckShapes(nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> regressor, int inputDim, int featureDim, string encoderName)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        bool encoderTraining = encoder.training, regressorTraining = regressor.training;
        encoder.eval();
        regressor.eval();
        try
        {
            var features = encoder.call(zeros(2, inputDim));
            if (features.ndim != 2 || features.shape[1] != featureDim)
                throw new InvalidOperationException(
                    $"[Encoder] {encoderName} returns features of shape [{string.Join(", ", features.shape)}] for inputs of width {inputDim}, "
                    + $"but [Encoder(FeatureDim = {featureDim})] says [n, {featureDim}]. Make them agree.");
            var output = regressor.call(features);
            if (output.ndim != 2 || output.shape[1] != 1)
                throw new InvalidOperationException($"The regressor returns shape [{string.Join(", ", output.shape)}]; it must return [n, 1].");
        }
        finally
        {
            if (encoderTraining) encoder.train();
            if (regressorTraining) regressor.train();
        }
    }
}
