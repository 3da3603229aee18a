using System.Globalization;
using DirDsl;
using SkiaSharp;

namespace Examples.DialDir;

/// <summary>
/// Renders the gauge pictures once per seed into a cache folder (PNG files and a labels file written last, so an
/// interrupted render is redone), then lists them as records. Deterministic for a seed.
/// </summary>
public static class DialImages
{
    public const int Size = 32;
    public const int TrainSize = 6000;
    public const int PerReadingInValidation = 5;
    public const int PerReadingInTest = 10;
    /// <summary>Bumped whenever the rendering changes, so stale caches are not reused.</summary>
    private const int RenderVersion = 1;

    /// <summary>The folder the images of a seed go to (under the working directory).</summary>
    public static string Folder(int seed) => Path.Combine(".dirdsl-cache", "dial-dir", $"v{RenderVersion}-seed-{seed}");

    public static DirSplits<Dial> Splits(int seed, TextWriter log)
    {
        string folder = Folder(seed);
        string labels = Path.Combine(folder, "labels.csv");
        if (!File.Exists(labels)) Render(seed, folder, labels, log);
        var splits = new Dictionary<string, List<Dial>> { ["train"] = new(), ["validation"] = new(), ["test"] = new() };
        foreach (var line in File.ReadLines(labels).Skip(1))
        {
            var cells = line.Split(',');
            splits[cells[0]].Add(new Dial(Path.Combine(folder, cells[1]), int.Parse(cells[2], CultureInfo.InvariantCulture)));
        }
        return new DirSplits<Dial>(splits["train"], splits["validation"], splits["test"]);
    }

    private static void Render(int seed, string folder, string labels, TextWriter log)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var rows = new List<(string Split, int Reading)>();
        rows.AddRange(Enumerable.Range(0, TrainSize).Select(_ => ("train", SkewedReading(random))));
        rows.AddRange(Enumerable.Range(0, 100).SelectMany(r => Enumerable.Repeat(("validation", r), PerReadingInValidation)));
        rows.AddRange(Enumerable.Range(0, 100).SelectMany(r => Enumerable.Repeat(("test", r), PerReadingInTest)));
        log.WriteLine($"Rendering {rows.Count:N0} gauge pictures into {folder} (once per seed)...");
        var lines = new List<string> { "split,file,reading" };
        var pixels = new float[Size * Size];
        for (int i = 0; i < rows.Count; i++)
        {
            string file = $"{rows[i].Split}-{i:D5}.png";
            Draw(rows[i].Reading, random, pixels);
            WritePng(pixels, Path.Combine(folder, file));
            lines.Add($"{rows[i].Split},{file},{rows[i].Reading}");
        }
        // The labels file last and atomically: its presence means every picture is complete.
        File.WriteAllLines(labels + ".tmp", lines);
        File.Move(labels + ".tmp", labels, overwrite: true);
    }

    /// <summary>Log-normal around 30, clipped to 0..99 (the skew of ages in AgeDB-DIR's training split).</summary>
    public static int SkewedReading(Random random) => Math.Clamp((int)Math.Round(Math.Exp(3.45 + 0.38 * Normal(random))), 0, 99);

    /// <summary>
    /// A dial: a ring, the needle at angle 225 - 2.7 x reading degrees (a 270-degree sweep, clockwise), a shorter
    /// distractor hand at a random angle, a random background level and Gaussian noise; lines anti-aliased.
    /// </summary>
    public static void Draw(int reading, Random random, float[] pixels)
    {
        double cx = 15.5 + (random.NextDouble() - 0.5) * 2, cy = 15.5 + (random.NextDouble() - 0.5) * 2;
        double background = 0.1 + 0.2 * random.NextDouble();
        double angle = (225 - 2.7 * (reading + random.NextDouble() - 0.5)) * Math.PI / 180;
        double length = 9 + 3 * random.NextDouble(), width = 1.2 + 0.8 * random.NextDouble();
        double other = random.NextDouble() * 2 * Math.PI, otherLength = 4 + 2 * random.NextDouble();
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                double px = x + 0.5, py = y + 0.5;
                double ring = Math.Clamp(1.2 - Math.Abs(Math.Sqrt((px - cx) * (px - cx) + (py - cy) * (py - cy)) - 14), 0, 1);
                double needle = Ink(px, py, cx, cy, cx + length * Math.Cos(angle), cy - length * Math.Sin(angle), width);
                double hand = Ink(px, py, cx, cy, cx + otherLength * Math.Cos(other), cy - otherLength * Math.Sin(other), 1.5);
                double v = background + 0.5 * ring + 0.8 * needle + 0.35 * hand + 0.06 * Normal(random);
                pixels[y * Size + x] = (float)Math.Clamp(v, 0, 1);
            }
        }
    }

    /// <summary>Coverage of a segment of the given width at a pixel centre (1 inside, fading over one pixel).</summary>
    private static double Ink(double px, double py, double x0, double y0, double x1, double y1, double width)
    {
        double dx = x1 - x0, dy = y1 - y0;
        double t = Math.Clamp(((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy), 0, 1);
        double distance = Math.Sqrt(Math.Pow(px - x0 - t * dx, 2) + Math.Pow(py - y0 - t * dy, 2));
        return Math.Clamp(width / 2 + 0.5 - distance, 0, 1);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static void WritePng(float[] pixels, string path)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(Size, Size, SKColorType.Gray8, SKAlphaType.Opaque));
        var bytes = new byte[Size * Size];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Round(pixels[i] * 255);
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
