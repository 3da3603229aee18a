using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>Weighted losses on hand-derived values (d = prediction - target = 0.5 and -2).</summary>
public sealed class WeightedLossTests
{
    private static double Loss(LossOptions o, float[]? w = null)
    {
        using var p = tensor(new float[] { 1.5f, 1f });
        using var t = tensor(new float[] { 1f, 3f });
        using var weights = w is null ? null : tensor(w);
        return WeightedLoss.Compute(p, t, o, weights).item<float>();
    }

    [Fact]
    public void Mse_L1_Huber()
    {
        Assert.Equal((0.25 + 4) / 2, Loss(new LossOptions(LossKind.Mse)), 6);
        Assert.Equal((0.5 + 2) / 2, Loss(new LossOptions(LossKind.L1)), 6);
        // beta 1: 0.5 * 0.25 / 1 and 2 - 0.5.
        Assert.Equal((0.125 + 1.5) / 2, Loss(new LossOptions(LossKind.Huber, Beta: 1)), 6);
        // weights 2 and 0.5 on MSE: (2 * 0.25 + 0.5 * 4) / 2.
        Assert.Equal((0.5 + 2.0) / 2, Loss(new LossOptions(LossKind.Mse), new[] { 2f, 0.5f }), 6);
    }

    [Fact]
    public void FocalR_SigmoidAndTanh()
    {
        double Sig(double x) => 2 / (1 + Math.Exp(-x)) - 1;
        var o = new LossOptions(LossKind.FocalL1, Beta: 0.2, Gamma: 1);
        Assert.Equal((0.5 * Sig(0.1) + 2 * Sig(0.4)) / 2, Loss(o), 6);
        var t = new LossOptions(LossKind.FocalMse, Beta: 0.2, Gamma: 2, Activation: FocalActivation.Tanh);
        Assert.Equal((0.25 * Math.Pow(Math.Tanh(0.1), 2) + 4 * Math.Pow(Math.Tanh(0.4), 2)) / 2, Loss(t), 6);
    }

    [Fact]
    public void BadParameters_AndShapes_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss(new LossOptions(LossKind.Huber, Beta: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss(new LossOptions(LossKind.FocalL1, Gamma: -1)));
        Assert.Throws<ArgumentException>(() => Loss(new LossOptions(LossKind.Mse), new[] { 1f, 1f, 1f }));
    }
}
