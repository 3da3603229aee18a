using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using DirDsl.Images;
using DirDsl.Testing;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Benchmarks;

/// <summary>
/// By hand: <c>dotnet run -c Release --project tests/DirDsl.Benchmarks -- soak RUNS STEPS</c>. Trains the common-modules
/// encoder (<see cref="CommonModulesNet"/>) on JPEG files streamed through a <see cref="StreamingSplit{TRecord}"/> (its
/// decoding and augmenting workers allocate on every batch) for STEPS steps, RUNS times per case, each run in a process
/// of its own so that a native crash is counted rather than ending the count. Cases: TorchSharp's Adam and DirDsl's,
/// each under plain load (the image workers only) and under a thread that forces collections without pause. It prints
/// whether this build's TorchSharp.dll runs JIT-optimised (DirDslSafeTorchSharp=false) or not (the default), and per
/// case the runs that crashed natively, threw TorchSharp's native error or reached a non-finite loss.
/// </summary>
public static class GcSoak
{
    private const int ImageSize = 32, Batch = 16, Images = 128;

    private sealed record Photo(string Path, float Value);

    private sealed class PhotoMap(ImageSpec spec) : ImageFeatureMap<Photo>(spec, BadRecordPolicy.Error, "Path", "Value", p => ImageInput.File(p.Path), p => p.Value);

    private static readonly string[] Optimizers = { "torchsharp-adam", "dirdsl-adam" };
    private static readonly string[] Loads = { "image-workers", "forced-collections" };

    /// <summary>The parent: every case, RUNS child processes each; a table of outcomes.</summary>
    public static int Run(int runs, int steps)
    {
        var folder = Directory.CreateTempSubdirectory("dirdsl-soak").FullName;
        try
        {
            WriteImages(folder);
            Console.WriteLine($"TorchSharp.dll JIT: {TorchSharpSafety.Describe()}; {runs} runs of {steps} steps per case, batch {Batch} of {ImageSize} px, one torch thread");
            Console.WriteLine();
            Console.WriteLine("| optimiser | load | completed | native error | process crash | non-finite loss | steps/s (median) |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
            foreach (var optimizer in Optimizers)
                foreach (var load in Loads)
                {
                    int completed = 0, errors = 0, crashes = 0, nonFinite = 0;
                    var rates = new List<double>();
                    var where = new List<string>();
                    for (int run = 0; run < runs; run++)
                    {
                        var (code, output) = Child(optimizer, load, steps, run, folder);
                        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
                        switch (code)
                        {
                            case 0:
                                completed++;
                                rates.Add(double.Parse(last.Split(' ')[1], CultureInfo.InvariantCulture));
                                break;
                            case 3: errors++; where.Add(last); break;
                            case 4: nonFinite++; where.Add(output.Trim().Replace("\n", " | ", StringComparison.Ordinal)); break;
                            default: crashes++; where.Add($"exit {code}"); break;
                        }
                    }
                    string rate = rates.Count == 0 ? "-" : rates.Order().ElementAt(rates.Count / 2).ToString("0", CultureInfo.InvariantCulture);
                    Console.WriteLine($"| {optimizer} | {load} | {completed} | {errors} | {crashes} | {nonFinite} | {rate} |");
                    foreach (var line in where) Console.WriteLine($"    {line}");
                }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One child run; its exit code (0 completed, 3 native error, 4 non-finite loss, else a crash) and output.</summary>
    private static (int Code, string Output) Child(string optimizer, string load, int steps, int seed, string folder)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(GcSoak).Assembly.Location);
        foreach (var a in new[] { "soak-run", optimizer, load, steps.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture), folder })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>The child: one run of one case over the images in <paramref name="folder"/>.</summary>
    public static int RunOne(string optimizerName, string load, int steps, int seed, string folder)
    {
        torch.set_num_threads(1);
        torch.manual_seed(seed);
        var photos = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).Select((p, i) => new Photo(p, i % 10)).ToList();
        var spec = new ImageSpec(ImageSize);
        using var split = new StreamingSplit<Photo>(new PhotoMap(spec), photos, "train", LabelBins.Integer(10), 1, CPU);
        using var model = new CommonModulesNet();
        using var optimizer = optimizerName == "dirdsl-adam"
            ? TrainingKit.CreateOptimizer(OptimizerKind.Adam, model.parameters(), 1e-3, 1e-4)
            : optim.Adam(model.parameters(), 1e-3, weight_decay: 1e-4);
        using var collections = load == "forced-collections" ? new ForcedCollections() : null;
        model.train();
        int step = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            for (int epoch = 0; step < steps; epoch++)
            {
                using var reader = split.Read(TrainingKit.Batches(split.Count, Batch, seed, epoch), new Augmentation(seed, epoch));
                while (step < steps)
                {
                    using var scope = NewDisposeScope();
                    if (reader.Next() is not { } batch) break;
                    optimizer.zero_grad();
                    var loss = (model.call(batch.Inputs.reshape(-1, spec.Channels, ImageSize, ImageSize)) - batch.ScaledTargets.reshape(-1, 1)).abs().mean();
                    loss.backward();
                    optimizer.step();
                    if (!float.IsFinite(loss.item<float>()))
                    {

                        Console.WriteLine($"non-finite loss at step {step}");
                        return 4;
                    }
                    step++;
                }
            }
        }
        catch (ExternalException e)
        {
            // The first managed frame below TorchSharp's error check names the call that read a freed Scalar.
            var frame = e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal) && !l.Contains("CheckForErrors", StringComparison.Ordinal));
            Console.WriteLine($"native error at step {step} {frame}: {e.Message.Split('\n')[0]}");
            return 3;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"completed {steps / clock.Elapsed.TotalSeconds:0.0} steps/s"));
        return 0;
    }

    /// <summary>Small photos of smooth gradients with noise, as JPEG files the workers decode and augment.</summary>
    private static void WriteImages(string folder)
    {
        var random = new Random(1);
        for (int i = 0; i < Images; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(48, 48, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            for (int y = 0; y < 48; y++)
                for (int x = 0; x < 48; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)(x * 5 + random.Next(9)), (byte)(y * 5 + random.Next(9)), (byte)(i * 2)));
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(folder, $"{i:D3}.jpg"), data.ToArray());
        }
    }
}
