using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DirDsl.Images;

/// <summary>
/// Image encoders for [Encoder] members: TorchVision's ResNets without their classification layer, returning the
/// pooled features (ResNet-18 and -34: 512, ResNet-50: 2048), which FDS calibrates before the regressor, as the
/// reference's ResNet does. Parameter names are TorchVision's (<c>conv1.weight</c>, <c>layer1.0.bn1.running_mean</c>,
/// ...), so a torchvision state dict loads as it is (its <c>fc.*</c> entries are left out).
/// </summary>
public static class ImageEncoders
{
    /// <summary>Pooled width of ResNet-18 and ResNet-34.</summary>
    public const int BasicBlockFeatures = 512;
    /// <summary>Pooled width of ResNet-50 (and deeper).</summary>
    public const int BottleneckFeatures = 2048;

    /// <summary>ResNet-18 (512 features) for images of <paramref name="channels"/> channels, with optional initial weights.</summary>
    public static ResNetEncoder ResNet18(int channels = 3, string? weights = null) =>
        new("resnet18", torchvision.models.resnet18(), BasicBlockFeatures, channels, weights);

    /// <summary>ResNet-34 (512 features).</summary>
    public static ResNetEncoder ResNet34(int channels = 3, string? weights = null) =>
        new("resnet34", torchvision.models.resnet34(), BasicBlockFeatures, channels, weights);

    /// <summary>ResNet-50 (2048 features).</summary>
    public static ResNetEncoder ResNet50(int channels = 3, string? weights = null) =>
        new("resnet50", torchvision.models.resnet50(), BottleneckFeatures, channels, weights);
}

/// <summary>A TorchVision ResNet up to its global average pool: [n, channels, h, w] to [n, FeatureDim].</summary>
public sealed class ResNetEncoder : nn.Module<Tensor, Tensor>
{
    // TorchVision's ResNet children in forward order; its last child, fc, is dropped.
    private static readonly string[] Stages = { "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool" };
    private readonly nn.Module<Tensor, Tensor>[] stages;

    internal ResNetEncoder(string name, nn.Module<Tensor, Tensor> resnet, int featureDim, int channels, string? weights) : base(name)
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "An image has at least one channel.");
        var children = resnet.named_children().ToDictionary(c => c.name, c => c.module);
        var missing = Stages.Where(s => !children.ContainsKey(s)).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"TorchVision's {name} has no {string.Join(", ", missing)}; this TorchVision version is not supported.");
        stages = new nn.Module<Tensor, Tensor>[Stages.Length];
        for (int i = 0; i < Stages.Length; i++)
        {
            var module = ResNetStages.Stage(children, Stages[i], channels);
            stages[i] = module;
            register_module(Stages[i], module);
        }
        if (children.TryGetValue("fc", out var fc)) fc.Dispose();
        BatchNormCounters.Detach(this);
        FeatureDim = featureDim;
        Channels = channels;
        if (weights is not null) ModuleWeights.Load(this, weights);
    }

    /// <summary>Width of the pooled features.</summary>
    public int FeatureDim { get; }

    /// <summary>Channels of the input images.</summary>
    public int Channels { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (input.ndim != 4 || input.shape[1] != Channels)
            throw new ArgumentException($"{GetName()} takes images [n, {Channels}, h, w], not [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var stage in stages) x = stage.call(x);
        return x.flatten(1).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Initial weights from a file the user supplies: TorchSharp's format (<c>Module.save</c>), a PyTorch state dict
/// (<c>torch.save(model.state_dict())</c>, .pt / .pth / .bin) or safetensors, read through TorchSharp.PyBridge.
/// Entries the module does not have (a classifier head) are ignored; a parameter or buffer of the module that the
/// file does not hold, or holds with another shape, is an error naming the file and the entries.
/// </summary>
public static class ModuleWeights
{
    /// <summary>Loads <paramref name="path"/> into <paramref name="module"/>; see the class remarks for the formats.</summary>
    /// <exception cref="DirDataException">The file is missing, unreadable, or lacks entries the module needs.</exception>
    public static void Load(nn.Module module, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Initial weights '{path}' do not exist.", path);
        var loaded = new Dictionary<string, bool>();
        var format = FormatOf(path);
        try
        {
            switch (format)
            {
                case "safetensors":
                    module.load_safetensors(path, strict: false, loadedParameters: loaded);
                    break;
                case "PyTorch":
                    module.load_py(path, strict: false, loadedParameters: loaded);
                    break;
                default:
                    module.load(path, strict: false, loadedParameters: loaded);
                    break;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"Initial weights '{path}' cannot be read as a {format} file: {e.Message.Split('\n')[0]}", e);
        }
        var expected = module.state_dict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
        var absent = expected.Where(k => !loaded.TryGetValue(k, out bool ok) || !ok).ToList();
        if (absent.Count > 0)
            throw new InvalidDataException($"Initial weights '{path}' ({format}) lack {absent.Count} of the {expected.Count} entries of {module.GetName()}, "
                + $"e.g. {string.Join(", ", absent.Take(3))}. Check that the file holds this architecture's state dict.");
    }

    /// <summary>The file's format, from its extension or its first bytes (a PyTorch zip or pickle).</summary>
    private static string FormatOf(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".safetensors") return "safetensors";
        if (extension is ".pt" or ".pth" or ".bin") return "PyTorch";
        Span<byte> head = stackalloc byte[2];
        using (var stream = File.OpenRead(path)) head = head[..stream.Read(head)];
        // torch.save writes a zip archive (PK) since PyTorch 1.6, a pickle (0x80) before.
        return head.Length == 2 && ((head[0] == (byte)'P' && head[1] == (byte)'K') || head[0] == 0x80) ? "PyTorch" : "TorchSharp";
    }
}
