using DirDsl.Images;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>The depth encoder-decoder (Hu et al.'s E / D / MFF / R on a TorchVision ResNet) and a map output resized to the target's size.</summary>
public sealed class DepthNetworkTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-depth-net").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ResNet18EncoderDecoder_GivesHalfSizeFeatureMaps_WithTorchVisionNamesUnderE()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        using var network = DepthNetworks.ResNet18();
        network.eval();
        // Features: the decoder's 512 / 32 = 16 channels and MFF's 4 x 16, at half the input's size.
        Assert.Equal(16 + 64, network.FeatureDim);
        using (no_grad())
        {
            var features = network.call(randn(2, 3, 64, 96));
            Assert.Equal(new long[] { 2, 80, 32, 48 }, features.shape);
            Assert.Equal(new long[] { 2, 1, 32, 48 }, DepthEncoderDecoder.Regressor(network.FeatureDim).call(features).shape);
        }
        // Every TorchVision ResNet-18 parameter and buffer but the classifier, under E (batch-norm counters are detached:
        // BatchNormCounters).
        var names = network.state_dict().Keys.ToHashSet();
        using var resnet = torchvision.models.resnet18();
        var torchVision = resnet.state_dict().Keys.Where(k => !k.StartsWith("fc.", StringComparison.Ordinal) && !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
        Assert.All(torchVision, key => Assert.Contains("E." + key, names));
        Assert.DoesNotContain(names, n => n.StartsWith("E.fc.", StringComparison.Ordinal) || n.StartsWith("E.avgpool", StringComparison.Ordinal));
        Assert.Contains("D.up4.conv1_2.weight", names);
        Assert.Contains("MFF.up1.bn2.running_mean", names);
        Assert.Contains("R.conv1.weight", names);
    }

    [Fact]
    public void ResNetWeights_LoadIntoTheEncoder_AsTorchVisionSavedThem()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(4);
        using var resnet = torchvision.models.resnet18();
        string file = Path.Combine(folder, "resnet18.dat");
        resnet.save(file);
        torch.manual_seed(5);
        using var network = DepthNetworks.ResNet18(weights: file);
        var loaded = network.state_dict();
        foreach (var (key, value) in resnet.state_dict().Where(p => !p.Key.StartsWith("fc.", StringComparison.Ordinal) && !p.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)))
            Assert.True(loaded["E." + key].equal(value).all().item<bool>(), $"E.{key} is not the saved value");
    }

    [Fact]
    public void ResNet50EncoderDecoder_HasTheReferencesFeatureWidth()
    {
        using var scope = NewDisposeScope();
        using var network = DepthNetworks.ResNet50();
        network.eval();
        // 64 + 2048 / 32 = 128, the reference's R width.
        Assert.Equal(128, network.FeatureDim);
        using (no_grad()) Assert.Equal(new long[] { 1, 128, 32, 32 }, network.call(randn(1, 3, 64, 64)).shape);
    }

    [Fact]
    public void AMapOutputOfAnotherSize_IsResizedBilinearlyWithAlignedCorners_HandDerived()
    {
        using var scope = NewDisposeScope();
        // The "network" passes a 2 x 2 image through; the target map is 3 x 3. Aligned corners keep the four corners and
        // put each new pixel at the mean of its neighbours: [[0, .5, 1], [1, 1.5, 2], [2, 2.5, 3]].
        var context = new ModelContext(4, DirVariant.Vanilla, Array.Empty<float>(), LabelBins.Uniform(0, 4, 4), 1)
        {
            InputShape = new long[] { 1, 2, 2 },
            Target = TargetShape.Map(3, 3),
        };
        using var model = new PassThrough(context);
        var output = model.call(tensor(new float[] { 0, 1, 2, 3 }, new long[] { 1, 1, 2, 2 }));
        Assert.Equal(new long[] { 1, 1, 3, 3 }, output.shape);
        Assert.Equal(new float[] { 0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3 }, output.data<float>().ToArray());
        // Training goes through the same resize.
        var trained = model.forward(tensor(new float[] { 0, 1, 2, 3 }, new long[] { 1, 1, 2, 2 }), zeros(new long[] { 1, 1, 3, 3 }, dtype: int64), 0);
        Assert.Equal(output.data<float>().ToArray(), trained.data<float>().ToArray());
    }

    private sealed class PassThrough(ModelContext context) : DirModel("pass", context, nn.Identity(), nn.Identity(), 1, "Encoder");
}
