using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DirDsl.Hosting;

/// <summary>
/// A trained model's weights for PyTorch users (TorchSharp.PyBridge): safetensors, or a pickled state dict that
/// <c>torch.load</c> reads. The names are the model's own state-dict names (encoder.*, regressor.*, and FDS's statistics
/// buffers when the variant has FDS); the file is written to a temporary name and moved into place.
/// </summary>
public static class ModelExport
{
    /// <summary>Writes <paramref name="model"/>'s state dict to <paramref name="path"/> by its extension; returns the number of tensors.</summary>
    /// <exception cref="ArgumentException">An extension other than .safetensors, .pt, .pth or .bin.</exception>
    public static int Write(nn.Module model, string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".safetensors" or ".pt" or ".pth" or ".bin"))
            throw new ArgumentException($"--export {path}: name the file .safetensors (safetensors) or .pt, .pth or .bin (a PyTorch state dict).");
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        try
        {
            if (extension == ".safetensors") model.save_safetensors(temporary);
            else model.save_py(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        return model.state_dict().Count;
    }
}
