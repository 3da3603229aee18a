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
        var fds = DirDsl.Hosting.DirCommandLine.Parse(new[] { "--fds-statistics", "evaluation-pass", "--fds-momentum", "0.5", "--fds-start-epoch", "3", "--fds-start-smooth", "4" }).FdsChoices;
        Assert.Equal(new FdsChoices(Statistics: FdsStatistics.EvaluationPass, Momentum: 0.5, StartEpoch: 3, StartSmooth: 4), fds);
        Assert.Equal("statistics EvaluationPass, momentum 0.5, start epoch 3, start smooth 4", fds!.ToString());
        Assert.Null(o.FdsChoices);
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
    [InlineData("--fds-momentum", "1", "--fds-momentum needs a number in [0, 1), not '1'")]
    [InlineData("--fds-momentum", "NaN", "--fds-momentum needs a number in [0, 1), not 'NaN'")]
    [InlineData("--fds-start-epoch", "-1", "--fds-start-epoch needs a whole number of at least 0, not '-1'")]
    [InlineData("--fds-start-smooth", "0", "--fds-start-smooth needs a whole number of at least 1, not '0'")]
    [InlineData("--image-cache", "12X", "--image-cache needs auto, off, or a size such as 512M or 2G, not '12X'")]
    [InlineData("--image-cache", "-1G", "--image-cache needs auto, off, or a size such as 512M or 2G, not '-1G'")]
    [InlineData("--image-cache", "lots", "--image-cache needs auto, off, or a size such as 512M or 2G, not 'lots'")]
    public void BadOptions_AreClearErrors(string option, string value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => DirDsl.Hosting.DirCommandLine.Parse(new[] { option, value }));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("auto", null)]
    [InlineData("off", 0L)]
    [InlineData("0", 0L)]
    [InlineData("4096", 4096L)]
    [InlineData("512M", 512L << 20)]
    [InlineData("2g", 2L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("800KB", 800L << 10)]
    public void ImageCache_TakesAutoOffOrASizeInBinaryUnits(string text, long? bytes)
    {
        Assert.Equal(bytes, DirDsl.Hosting.DirCommandLine.Parse(new[] { "--image-cache", text }).ImageCacheBytes);
        Assert.Null(DirDsl.Hosting.DirCommandLine.Parse(Array.Empty<string>()).ImageCacheBytes);
    }

    [Fact]
    public void ProgramStart_AppliesTheAllocatorSettings_AndRecordsThem()
    {
        Assert.NotNull(DirDsl.Hosting.DirCommandLine.TryParse(Array.Empty<string>(), "test", out int exitCode));
        Assert.Equal(0, exitCode);
        Assert.Equal("glibc, mmap threshold 64 MiB, trim threshold 256 MiB", RunEnvironment.Describe()["nativeAllocator"]);
    }

    [Fact]
    public void Help_SpellsEachKeywordOptionAsItIsTyped()
    {
        var help = DirDsl.Hosting.DirCommandLine.Help("test");
        Assert.Contains("--data-path <auto|memory|stream>", help);
        Assert.Contains("--fds-order <reference|snapshot|lagged>", help);
        // An enum's C# names are not what the parser takes.
        Assert.DoesNotContain("InMemory", help);
        Assert.DoesNotContain("<Auto|", help);
    }

    [Fact]
    public void FdsOverrides_ApplyOverTheDeclaredSettings_AndKeepItsRules()
    {
        var declared = new FdsOptions(Momentum: 0.9, Kernel: Kernel.Gaussian, Size: 5, Sigma: 2, StartEpoch: 0, ClampMin: 0.1, ClampMax: 10, StartSmooth: 1);
        var moved = declared.With(new FdsChoices(Momentum: 0.5, StartEpoch: 4, StartSmooth: 5));
        Assert.Equal((0.5, 4, 5, Kernel.Gaussian, 5), (moved.Momentum, moved.StartEpoch, moved.StartSmooth, moved.Kernel, moved.Size));
        Assert.Same(declared, declared.With(null));
        // A later StartEpoch alone would leave the declared StartSmooth (1) at or below it: refused, naming both and the way out.
        var e = Assert.Throws<ArgumentException>(() => declared.With(new FdsChoices(StartEpoch: 4)));
        Assert.Contains("StartSmooth 1 (as [Fds] declares) is not above --fds-start-epoch 4; pass --fds-start-smooth 5 or more", e.Message);
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
