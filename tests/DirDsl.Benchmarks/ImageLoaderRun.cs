using System.Diagnostics;
using System.Globalization;
using DirDsl.Images;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Benchmarks;

/// <summary>
/// The image loader against the training step it feeds, side by side on this machine: images per second of decoding,
/// resizing and augmenting JPEG files through a streamed split (its worker threads and prefetch queue, as in
/// training), against images per second of a ResNet-18 training step (forward, backward, Adam) at the same size.
/// Runs alternate (loader, step, loader, step, ...) so both see the same machine; medians are reported.
/// </summary>
public static class ImageLoaderRun
{
    private sealed record Photo(string Path, float Age);

    private sealed class PhotoMap(ImageSpec spec) : ImageFeatureMap<Photo>(spec, BadRecordPolicy.Error, "Path", "Age", p => ImageInput.File(p.Path), p => p.Age);

    public static int Run(int repeats)
    {
        torch.set_num_threads(Math.Min(2, Environment.ProcessorCount));
        var folder = Directory.CreateTempSubdirectory("dirdsl-loader").FullName;
        try
        {
            // 256 face-sized JPEGs (250 x 250, as AgeDB's crops are about), smooth gradients with noise.
            var random = new Random(1);
            var photos = new List<Photo>();
            for (int i = 0; i < 256; i++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(250, 250, SKColorType.Rgba8888, SKAlphaType.Unpremul));
                for (int y = 0; y < 250; y++)
                    for (int x = 0; x < 250; x++)
                        bitmap.SetPixel(x, y, new SKColor((byte)(x + random.Next(5)), (byte)(y + random.Next(5)), (byte)((x + y + i) % 256)));
                string path = Path.Combine(folder, $"{i}.jpg");
                using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
                File.WriteAllBytes(path, data.ToArray());
                photos.Add(new Photo(path, i % 100));
            }
            Console.WriteLine($"{Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}, {repeats} alternating repeats, medians:");
            Console.WriteLine();
            Console.WriteLine("| size | loader (images/s) | ResNet-18 training step (images/s) | loader / step |");
            Console.WriteLine("|---:|---:|---:|---:|");
            foreach (int size in new[] { 64, 224 })
            {
                var map = new PhotoMap(new ImageSpec(size));
                using var split = new StreamingSplit<Photo>(map, photos, "train", LabelBins.Integer(100), 1, CPU);
                using var model = ImageEncoders.ResNet18();
                using var head = nn.Linear(512, 1);
                using var optimizer = TrainingKit.CreateOptimizer(OptimizerKind.Adam, model.parameters().Concat(head.parameters()), 1e-3, 0);
                int batch = size == 64 ? 32 : 8;
                var loader = new List<double>();
                var step = new List<double>();
                for (int r = 0; r < repeats; r++)
                {
                    loader.Add(LoaderRate(split, r));
                    step.Add(StepRate(model, head, optimizer, batch, size));
                }
                double l = Median(loader), s = Median(step);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {size} | {l:0} | {s:0.0} (batch {batch}) | {l / s:0.0}x |"));
            }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>All 256 images, batches of 32, augmented for epoch <paramref name="epoch"/>, through the split's workers.</summary>
    private static double LoaderRate(SplitData split, int epoch)
    {
        var clock = Stopwatch.StartNew();
        using var reader = split.Read(TrainingKit.Batches(split.Count, 32, 1, epoch), new Augmentation(1, epoch));
        int images = 0;
        while (true)
        {
            using var scope = NewDisposeScope();
            if (reader.Next() is not { } batch) break;
            images += (int)batch.Inputs.shape[0];
        }
        return images / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Two training steps of ResNet-18 and a linear head on random images (after one untimed warm-up step).</summary>
    private static double StepRate(nn.Module<Tensor, Tensor> model, nn.Module<Tensor, Tensor> head, optim.Optimizer optimizer, int batch, int size)
    {
        model.train();
        Stopwatch? clock = null;
        for (int i = 0; i < 3; i++)
        {
            if (i == 1) clock = Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = head.call(model.call(randn(batch, 3, size, size))).abs().mean();
            loss.backward();
            optimizer.step();
        }
        return 2 * batch / clock!.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
