using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>
/// The default CPU numerics run convolutions by ATen's kernels, not oneDNN's, whose backward pass gave non-finite input
/// gradients on this machine (a few output channels, 3x3 and 5x5 windows: a depth network's last layer).
/// </summary>
public sealed class CpuConvolutionTests
{
    [Fact]
    public void DefaultConvolutions_AreAtens_OneDnnOff()
    {
        Assert.True(OperatingSystem.IsLinux(), "the switch is called by its Linux (Itanium ABI) name");
        Assert.False(DirDsl.Native.OneDnn.Enabled, "the tests' process applies the default numerics (NativeSetup): oneDNN's convolutions are off");
        // Applying the default again is idempotent (the tests run in parallel: turning oneDNN on here would reach other tests).
        Assert.Equal(DirDsl.Native.CpuConvolutions.Aten, DirDsl.Native.CpuNumerics.DefaultConvolutions);
        Assert.Equal("ATen (oneDNN off)", DirDsl.Native.CpuNumerics.ApplyConvolutions(DirDsl.Native.CpuConvolutions.Aten));
        Assert.False(DirDsl.Native.OneDnn.Enabled);
        // The command line takes the choice by its keyword.
        Assert.Contains("--cpu-convolutions <aten|onednn>", DirDsl.Hosting.DirCommandLine.Help("test"));
    }

    [Theory]
    [InlineData(32, 3)]
    [InlineData(16, 5)]
    public void FewChannelConvolutionBackward_StaysFinite(int inputs, int window)
    {
        // With oneDNN (ISA capped at AVX2) 1 to 2 of every 10 such passes wrote NaN into the input gradient here.
        torch.manual_seed(11);
        for (int pass = 0; pass < 60; pass++)
        {
            using var scope = NewDisposeScope();
            using var conv = nn.Conv2d(inputs, 1, window, padding: window / 2);
            var x = randn(new long[] { 32, inputs, 16, 16 }, requires_grad: true);
            var y = conv.call(x);
            (y * y).mean().backward();
            Assert.True(x.grad!.isfinite().all().item<bool>(), $"pass {pass}: the input gradient has non-finite values");
            Assert.True(conv.weight!.grad!.isfinite().all().item<bool>(), $"pass {pass}: the weight gradient has non-finite values");
        }
    }
}
