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
        var o = DirDsl.Hosting.DirCommandLine.Parse(new[] { "--epochs", "3", "--seed", "-2", "--seeds", "4", "--device", "cuda:1", "--output", "out", "--variant", "LDS",
            "--variant", "FDS", "--experiment", "Exp", "--data", "d", "--resume", "--checkpoint-every", "0", "--holdout", "1:2", "--data-path", "stream" });
        Assert.Equal((3, -2, 4, "cuda:1", "out", "Exp", "d", true), (o.Epochs, o.Seed, o.Seeds, o.Device, o.OutputFolder, o.Experiment, o.DataRoot, o.Resume));
        Assert.Equal(new[] { "LDS", "FDS" }, o.Variants);
        Assert.Equal(TimeSpan.Zero, o.CheckpointInterval);
        Assert.Equal(new TargetRange(1, 2), o.Holdouts.Single());
        Assert.Equal(DataPath.Streaming, o.DataPath);
        Assert.Equal(FdsStatistics.TrainingPass, DirDsl.Hosting.DirCommandLine.Parse(new[] { "--fds-statistics", "training-pass" }).FdsStatistics);
        Assert.Null(o.FdsStatistics);
        Assert.Equal(DataPath.InMemory, DirDsl.Hosting.DirCommandLine.Parse(new[] { "--data-path", "memory" }).DataPath);
        Assert.Equal(DataPath.Auto, DirDsl.Hosting.DirCommandLine.Parse(Array.Empty<string>()).DataPath);
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs needs a whole number of at least 1")]
    [InlineData("--device", "gpu", "--device must be auto, cpu, cuda or cuda:N")]
    [InlineData("--device", "cuda:x", "--device must be auto, cpu, cuda or cuda:N")]
    [InlineData("--checkpoint-every", "-1", "--checkpoint-every needs a number of seconds")]
    [InlineData("--frobnicate", "1", "Unrecognized command or argument '--frobnicate'")]
    [InlineData("--checkpoint-every", "Infinity", "--checkpoint-every needs a number of seconds of 0 or more, not 'Infinity'")]
    [InlineData("--checkpoint-every", "1e300", "--checkpoint-every needs a number of seconds of 0 or more, not '1e300'")]
    [InlineData("--holdout", "6:4", "A held-out range is MIN:MAX with MIN < MAX")]
    [InlineData("--data-path", "disk", "--data-path needs auto, memory or stream, not 'disk'")]
    public void BadOptions_AreClearErrors(string option, string value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => DirDsl.Hosting.DirCommandLine.Parse(new[] { option, value }));
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
