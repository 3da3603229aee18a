using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>The command line of generated entry points.</summary>
public sealed class RunOptionsTests
{
    [Fact]
    public void ParsesEveryOption()
    {
        var o = RunOptions.Parse(new[] { "--epochs", "3", "--seed", "-2", "--seeds", "4", "--device", "cuda:1", "--output", "out", "--variant", "LDS",
            "--variant", "FDS", "--experiment", "Exp", "--data", "d", "--resume", "--checkpoint-every", "0", "--holdout", "1:2" });
        Assert.Equal((3, -2, 4, "cuda:1", "out", "Exp", "d", true), (o.Epochs, o.Seed, o.Seeds, o.Device, o.OutputFolder, o.Experiment, o.DataRoot, o.Resume));
        Assert.Equal(new[] { "LDS", "FDS" }, o.Variants);
        Assert.Equal(TimeSpan.Zero, o.CheckpointInterval);
        Assert.Equal(new TargetRange(1, 2), o.Holdouts.Single());
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs needs a whole number of at least 1")]
    [InlineData("--device", "gpu", "--device must be auto, cpu, cuda or cuda:N")]
    [InlineData("--device", "cuda:x", "--device must be auto, cpu, cuda or cuda:N")]
    [InlineData("--checkpoint-every", "-1", "--checkpoint-every needs a number of seconds")]
    [InlineData("--frobnicate", "1", "Unknown option '--frobnicate'")]
    public void BadOptions_AreClearErrors(string option, string value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => RunOptions.Parse(new[] { option, value }));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Devices_Resolve()
    {
        Assert.Equal(DeviceType.CPU, new RunOptions { Device = "cpu" }.ResolveDevice().type);
        // No GPU on this machine: auto falls back to the CPU, an explicit cuda is an error.
        if (!cuda.is_available())
        {
            Assert.Equal(DeviceType.CPU, new RunOptions { Device = "auto" }.ResolveDevice().type);
            Assert.Contains("CUDA is not available", Assert.Throws<ArgumentException>(() => new RunOptions { Device = "cuda" }.ResolveDevice()).Message);
        }
        else
        {
            Assert.Equal(DeviceType.CUDA, new RunOptions { Device = "auto" }.ResolveDevice().type);
        }
    }
}
