using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Images;

/// <summary>
/// Encoder-decoders for dense targets (depth from a photo), the kind the reference's NYUD2-DIR code trains: the network of
/// Hu et al., "Revisiting Single Image Depth Estimation" (WACV 2019), which the paper cites. A TorchVision ResNet encodes
/// (E), a decoder of up-projections brings its last stage back to half the input size (D), a multi-scale feature fusion
/// up-projects each of the four stages to that size (MFF), and a refinement (R) joins both with two 5x5 convolutions.
/// Its output, [n, <see cref="DepthEncoderDecoder.FeatureDim"/>, H / 2, W / 2], is what FDS calibrates pixel by pixel
/// (the reference's FDS sits at the same place, before R's last convolution), and <see cref="DepthEncoderDecoder.Regressor"/>
/// is that last convolution, to one depth per pixel. The ResNet's parameters keep TorchVision's names under <c>E.</c>
/// (<c>E.conv1.weight</c>, <c>E.layer1.0.bn1.running_mean</c>), so ImageNet weights load into it.
/// </summary>
public static class DepthNetworks
{
    /// <summary>The reference's network: ResNet-50 (stages of 256, 512, 1024, 2048 channels), features of 64 + 2048 / 32 = 128 channels.</summary>
    /// <param name="channels">Channels of the input images.</param>
    /// <param name="weights">Initial weights of the ResNet (a TorchVision state dict: ImageNet), or null for TorchVision's initialisation.</param>
    public static DepthEncoderDecoder ResNet50(int channels = 3, string? weights = null) =>
        new("resnet50_depth", torchvision.models.resnet50(), new[] { 256, 512, 1024, 2048 }, channels, weights);

    /// <summary>The same on ResNet-18 (stages of 64, 128, 256, 512 channels, features 64 + 512 / 32 = 80): small enough for a CPU.</summary>
    public static DepthEncoderDecoder ResNet18(int channels = 3, string? weights = null) =>
        new("resnet18_depth", torchvision.models.resnet18(), new[] { 64, 128, 256, 512 }, channels, weights);
}

/// <summary>
/// The encoder-decoder of <see cref="DepthNetworks"/>: [n, channels, H, W] images to [n, FeatureDim, H / 2, W / 2] per-pixel
/// features (H and W multiples of 32 keep every stage's size exact; others are resized between stages as the reference does).
/// </summary>
public sealed class DepthEncoderDecoder : nn.Module<Tensor, Tensor>
{
    /// <summary>Channels MFF gives each stage before fusing (four stages: 64).</summary>
    public const int FusionChannelsPerStage = 16;

    private readonly ResNetStages encoder;
    private readonly DepthDecoder decoder;
    private readonly MultiScaleFusion fusion;
    private readonly nn.Module<Tensor, Tensor> refine;

    internal DepthEncoderDecoder(string name, nn.Module<Tensor, Tensor> resnet, int[] stageChannels, int channels, string? weights) : base(name)
    {
        encoder = new ResNetStages(resnet, name, channels, stageChannels, keepPool: false);
        if (weights is not null) ModuleWeights.Load(encoder, weights);
        decoder = new DepthDecoder(stageChannels[3]);
        fusion = new MultiScaleFusion(stageChannels);
        // R without its last convolution: the features FDS calibrates.
        FeatureDim = 4 * FusionChannelsPerStage + stageChannels[3] / 32;
        refine = nn.Sequential(
            ("conv0", nn.Conv2d(FeatureDim, FeatureDim, 5, padding: 2, bias: false)), ("bn0", nn.BatchNorm2d(FeatureDim)), ("relu0", nn.ReLU()),
            ("conv1", nn.Conv2d(FeatureDim, FeatureDim, 5, padding: 2, bias: false)), ("bn1", nn.BatchNorm2d(FeatureDim)), ("relu1", nn.ReLU()));
        register_module("E", encoder);
        register_module("D", decoder);
        register_module("MFF", fusion);
        register_module("R", refine);
        BatchNormCounters.Detach(this);
        Channels = channels;
    }

    /// <summary>Channels of the per-pixel features: [Encoder(FeatureDim)] of an experiment that uses this network.</summary>
    public int FeatureDim { get; }

    /// <summary>Channels of the input images.</summary>
    public int Channels { get; }

    /// <summary>R's last convolution (5x5, with a bias), from <paramref name="featureDim"/> channels to one value per pixel: the [Regressor].</summary>
    public static nn.Module<Tensor, Tensor> Regressor(int featureDim) => nn.Conv2d(featureDim, 1, 5, padding: 2);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (input.ndim != 4 || input.shape[1] != Channels)
            throw new ArgumentException($"{GetName()} takes images [n, {Channels}, h, w], not [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        var blocks = encoder.Blocks(input);
        var decoded = decoder.Decode(blocks);
        var fused = fusion.Fuse(blocks, new[] { decoded.shape[2], decoded.shape[3] });
        return refine.call(cat(new[] { decoded, fused }, 1)).MoveToOuterDisposeScope();
    }
}

/// <summary>A TorchVision ResNet's stem and four stages under TorchVision's names, giving each stage's output.</summary>
internal sealed class ResNetStages : nn.Module
{
    private static readonly string[] Stem = { "conv1", "bn1", "relu", "maxpool" };
    private static readonly string[] Layers = { "layer1", "layer2", "layer3", "layer4" };
    private readonly nn.Module<Tensor, Tensor>[] stem;
    private readonly nn.Module<Tensor, Tensor>[] layers;

    public ResNetStages(nn.Module<Tensor, Tensor> resnet, string name, int channels, int[] stageChannels, bool keepPool) : base(name)
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "An image has at least one channel.");
        var children = resnet.named_children().ToDictionary(c => c.name, c => c.module);
        var missing = Stem.Concat(Layers).Where(s => !children.ContainsKey(s)).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"TorchVision's ResNet has no {string.Join(", ", missing)}; this TorchVision version is not supported.");
        nn.Module<Tensor, Tensor> Take(string stage)
        {
            var module = Stage(children, stage, channels);
            register_module(stage, module);
            return module;
        }
        stem = Stem.Select(Take).ToArray();
        layers = Layers.Select(Take).ToArray();
        foreach (var unused in children.Where(c => !Stem.Contains(c.Key) && !Layers.Contains(c.Key) && !(keepPool && c.Key == "avgpool")))
            unused.Value.Dispose();
        StageChannels = stageChannels;
    }

    /// <summary>
    /// A TorchVision ResNet's child <paramref name="stage"/>; for images of other than 3 channels the first convolution is
    /// replaced by one of the same shape for <paramref name="channels"/> channels, He-initialised as TorchVision does.
    /// </summary>
    internal static nn.Module<Tensor, Tensor> Stage(IReadOnlyDictionary<string, nn.Module> children, string stage, int channels)
    {
        var module = (nn.Module<Tensor, Tensor>)children[stage];
        if (stage != "conv1" || channels == 3) return module;
        module.Dispose();
        var conv = nn.Conv2d(channels, 64, kernel_size: 7, stride: 2, padding: 3, bias: false);
        nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        return conv;
    }

    /// <summary>Channels of the four stages' outputs.</summary>
    public IReadOnlyList<int> StageChannels { get; }

    /// <summary>The four stages' outputs (strides 4, 8, 16, 32).</summary>
    public Tensor[] Blocks(Tensor input)
    {
        var x = input;
        foreach (var module in stem) x = module.call(x);
        var blocks = new Tensor[layers.Length];
        for (int i = 0; i < layers.Length; i++) blocks[i] = x = layers[i].call(x);
        return blocks;
    }
}

/// <summary>
/// Hu et al.'s up-projection: resize bilinearly to a given size, then two branches, 5x5 conv-BN-ReLU then 3x3 conv-BN, and
/// 5x5 conv-BN, summed and passed through a ReLU.
/// </summary>
internal sealed class UpProjection : nn.Module
{
    private readonly nn.Module<Tensor, Tensor> conv1, bn1, conv1_2, bn1_2, conv2, bn2;

    public UpProjection(string name, int inputs, int outputs) : base(name)
    {
        conv1 = nn.Conv2d(inputs, outputs, 5, padding: 2, bias: false);
        bn1 = nn.BatchNorm2d(outputs);
        conv1_2 = nn.Conv2d(outputs, outputs, 3, padding: 1, bias: false);
        bn1_2 = nn.BatchNorm2d(outputs);
        conv2 = nn.Conv2d(inputs, outputs, 5, padding: 2, bias: false);
        bn2 = nn.BatchNorm2d(outputs);
        RegisterComponents();
    }

    public Tensor Up(Tensor x, long[] size)
    {
        // PyTorch's F.upsample(mode='bilinear') of the reference: corners not aligned.
        x = nn.functional.interpolate(x, size: size, mode: InterpolationMode.Bilinear, align_corners: false);
        var first = bn1_2.call(conv1_2.call(nn.functional.relu(bn1.call(conv1.call(x)))));
        return nn.functional.relu(first + bn2.call(conv2.call(x)));
    }
}

/// <summary>D: a 1x1 convolution halving the last stage's channels, then four up-projections halving them again each, to twice the first stage's size.</summary>
internal sealed class DepthDecoder : nn.Module
{
    private readonly nn.Module<Tensor, Tensor> conv, bn;
    private readonly UpProjection up1, up2, up3, up4;

    public DepthDecoder(int features) : base("D")
    {
        conv = nn.Conv2d(features, features / 2, 1, bias: false);
        bn = nn.BatchNorm2d(features / 2);
        up1 = new UpProjection("up1", features / 2, features / 4);
        up2 = new UpProjection("up2", features / 4, features / 8);
        up3 = new UpProjection("up3", features / 8, features / 16);
        up4 = new UpProjection("up4", features / 16, features / 32);
        RegisterComponents();
    }

    public Tensor Decode(Tensor[] blocks)
    {
        long[] SizeOf(Tensor block, long factor = 1) => new[] { block.shape[2] * factor, block.shape[3] * factor };
        var x = nn.functional.relu(bn.call(conv.call(blocks[3])));
        x = up1.Up(x, SizeOf(blocks[2]));
        x = up2.Up(x, SizeOf(blocks[1]));
        x = up3.Up(x, SizeOf(blocks[0]));
        return up4.Up(x, SizeOf(blocks[0], 2));
    }
}

/// <summary>MFF: each stage up-projected to the decoder's size with 16 channels, concatenated, then 5x5 conv-BN-ReLU.</summary>
internal sealed class MultiScaleFusion : nn.Module
{
    private readonly UpProjection up1, up2, up3, up4;
    private readonly nn.Module<Tensor, Tensor> conv, bn;

    public MultiScaleFusion(int[] stageChannels) : base("MFF")
    {
        const int each = DepthEncoderDecoder.FusionChannelsPerStage;
        up1 = new UpProjection("up1", stageChannels[0], each);
        up2 = new UpProjection("up2", stageChannels[1], each);
        up3 = new UpProjection("up3", stageChannels[2], each);
        up4 = new UpProjection("up4", stageChannels[3], each);
        conv = nn.Conv2d(4 * each, 4 * each, 5, padding: 2, bias: false);
        bn = nn.BatchNorm2d(4 * each);
        RegisterComponents();
    }

    public Tensor Fuse(Tensor[] blocks, long[] size) => nn.functional.relu(bn.call(conv.call(cat(new[]
    {
        up1.Up(blocks[0], size), up2.Up(blocks[1], size), up3.Up(blocks[2], size), up4.Up(blocks[3], size),
    }, 1))));
}
