using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using DirDsl.Images;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>
/// Dense target maps from files and with their images: 16-bit PNG depth read whole (values above 255 survive), .npy
/// arrays, the unit and the missing pixels, errors naming the file and the record, and the joint augmentation (the map
/// shows the image's crop and flip, pixel for pixel) as a streamed split's batches carry it.
/// </summary>
public sealed class DepthMapTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-depth").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>
    /// A grayscale PNG written here by the forward PNG filters (row r uses filter r mod 5: None, Sub, Up, Average, Paeth),
    /// the inverse of what the reader undoes, so every filter path is checked against known samples.
    /// </summary>
    internal static byte[] GrayPng(ushort[] samples, int width, int height, int bitDepth, byte colorType = 0)
    {
        int bpp = bitDepth / 8, stride = width * bpp;
        var raw = new byte[height * (stride + 1)];
        var previous = new byte[stride];
        for (int y = 0; y < height; y++)
        {
            var line = new byte[stride];
            for (int x = 0; x < width; x++)
                if (bitDepth == 16) BinaryPrimitives.WriteUInt16BigEndian(line.AsSpan(2 * x), samples[y * width + x]);
                else line[x] = (byte)samples[y * width + x];
            int filter = y % 5;
            raw[y * (stride + 1)] = (byte)filter;
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? line[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    // Paeth: the nearest of a, b, c to p = a + b - c (ties a, then b): |p - a| = |b - c|, |p - b| = |a - c|, |p - c| = |a + b - 2c|.
                    _ => Math.Abs(b - c) <= Math.Abs(a - c) && Math.Abs(b - c) <= Math.Abs(a + b - 2 * c) ? a : Math.Abs(a - c) <= Math.Abs(a + b - 2 * c) ? b : c,
                };
                raw[y * (stride + 1) + 1 + i] = (byte)(line[i] - predictor);
            }
            previous = line;
        }
        using var png = new MemoryStream();
        png.Write(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 });
        void Chunk(string type, byte[] data)
        {
            var head = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
            png.Write(head);
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            png.Write(typed);
            var crc = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typed));
            png.Write(crc);
        }
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = colorType;
        Chunk("IHDR", ihdr);
        using (var compressed = new MemoryStream())
        {
            using (var deflate = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(raw);
            Chunk("IDAT", compressed.ToArray());
        }
        Chunk("IEND", Array.Empty<byte>());
        return png.ToArray();
    }

    private static ushort[] Samples(int count, int bitDepth) =>
        Enumerable.Range(0, count).Select(i => (ushort)(bitDepth == 16 ? i * 4_099 % 65_536 : i * 37 % 256)).ToArray();

    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void PngDepthIsReadWholeThroughEveryFilter(int bitDepth)
    {
        var samples = Samples(9 * 11, bitDepth);
        samples[0] = 0;
        if (bitDepth == 16) samples[1] = 65_535;
        var path = Path.Combine(folder, $"d{bitDepth}.png");
        File.WriteAllBytes(path, GrayPng(samples, 9, 11, bitDepth));
        var (values, height, width) = DepthMapReader.Stored(DepthMapInput.File(path));
        Assert.Equal((11, 9), (height, width));
        Assert.Equal(samples.Select(s => (float)s).ToArray(), values);
        Assert.Contains(values, v => v > 255 || bitDepth == 8);
    }

    [Fact]
    public void MillimetresBecomeMetresAndZeroOrOutOfRangePixelsHaveNoTarget()
    {
        // A 2 x 3 map in millimetres: 0 (no reading), 1500, 65535 (saturated: beyond Max 10 m), 800, 9999, 2000 marked missing.
        var samples = new ushort[] { 0, 1500, 65_535, 800, 9_999, 2_000 };
        var path = Path.Combine(folder, "mm.png");
        File.WriteAllBytes(path, GrayPng(samples, 3, 2, 16));
        var spec = new DepthMapSpec(2, 3, Scale: 0.001, Min: 0, Max: 10, MissingValue: 2_000);
        var target = new float[6];
        DepthMapReader.Read(DepthMapInput.File(path), spec, target);
        Assert.True(float.IsNaN(target[0]));
        Assert.Equal(1.5f, target[1]);
        Assert.True(float.IsNaN(target[2]));
        Assert.Equal(0.8f, target[3]);
        Assert.Equal((float)(9_999 * 0.001), target[4]);
        Assert.True(float.IsNaN(target[5]));
    }

    [Fact]
    public void NearestResizeTakesThePixelUnderEachCentre()
    {
        // 4 x 6 stored values v = 10 y + x, read at 2 x 3: output (y, x) takes stored (2y + 1, 2x + 1) (centre (2y + 1, 2x + 1) of
        // the 2 x 2 block, floor), never a mix.
        var values = Enumerable.Range(0, 24).Select(i => (float)(10 * (i / 6) + i % 6 + 1)).ToArray();
        var target = new float[6];
        DepthMapReader.Read(DepthMapInput.FromValues(values, 4, 6), new DepthMapSpec(2, 3), target);
        Assert.Equal(new float[] { 12, 14, 16, 32, 34, 36 }, target);
    }

    [Fact]
    public void NpyArraysOfFloat32AndUint16AreRead()
    {
        static byte[] Npy(string descr, string shape, byte[] data)
        {
            var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
            int total = (10 + header.Length + 1 + 63) / 64 * 64;   // numpy aligns the data to 64 bytes
            header = header.PadRight(total - 10 - 1) + "\n";
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            return new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }.Concat(length).Concat(Encoding.ASCII.GetBytes(header)).Concat(data).ToArray();
        }
        var floats = new float[] { 0.5f, 1.25f, float.NaN, 7f, 3.5f, 2f };
        var data = new byte[24];
        for (int i = 0; i < 6; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), floats[i]);
        var path = Path.Combine(folder, "d.npy");
        File.WriteAllBytes(path, Npy("<f4", "(2, 3)", data));
        var target = new float[6];
        DepthMapReader.Read(DepthMapInput.File(path), new DepthMapSpec(2, 3), target);
        Assert.Equal(new[] { 0.5f, 1.25f, float.NaN, 7f, 3.5f, 2f }, target);

        var shorts = new byte[12];
        for (int i = 0; i < 6; i++) BinaryPrimitives.WriteUInt16LittleEndian(shorts.AsSpan(2 * i), (ushort)(1000 * (i + 1)));
        File.WriteAllBytes(path, Npy("<u2", "(3, 2, 1)", shorts));
        var (values, height, width) = DepthMapReader.Stored(DepthMapInput.File(path));
        Assert.Equal((3, 2), (height, width));
        Assert.Equal(new float[] { 1000, 2000, 3000, 4000, 5000, 6000 }, values);

        File.WriteAllBytes(path, Npy("<i8", "(2, 3)", new byte[48]));
        Assert.Contains("'<i8'", Assert.Throws<DepthMapReadException>(() => DepthMapReader.Stored(DepthMapInput.File(path))).Message);
        File.WriteAllBytes(path, Npy("<f4", "(2, 3)", new byte[20]));
        Assert.Contains("truncated", Assert.Throws<DepthMapReadException>(() => DepthMapReader.Stored(DepthMapInput.File(path))).Message);
    }

    [Fact]
    public void ADamagedOrWrongDepthFileIsAnErrorNamingTheFile()
    {
        var good = GrayPng(Samples(12, 16), 4, 3, 16);
        var damaged = good.ToArray();
        damaged[60] ^= 0x55;   // inside the IDAT chunk: its CRC no longer matches
        var cases = new (string Name, byte[] Bytes, string Expected)[]
        {
            ("crc.png", damaged, "CRC"),
            ("cut.png", good.Take(good.Length - 20).ToArray(), "truncated"),
            ("rgb.png", GrayPng(Samples(12, 8), 4, 3, 8, colorType: 2), "color type 2"),
            ("text.png", Encoding.ASCII.GetBytes("not a depth map"), "neither a PNG nor a .npy"),
        };
        foreach (var (name, bytes, expected) in cases)
        {
            var path = Path.Combine(folder, name);
            File.WriteAllBytes(path, bytes);
            var error = Assert.Throws<DepthMapReadException>(() => DepthMapReader.Stored(DepthMapInput.File(path)));
            Assert.Contains(path, error.Message);
            Assert.Contains(expected, error.Message);
        }
        Assert.Contains("cannot be read", DepthMapReader.Check(DepthMapInput.File(Path.Combine(folder, "absent.png"))));
    }

    [Fact]
    public void AMissingDepthFileStopsTheSplitNamingTheRecordAndTheFile()
    {
        var records = Photos(3).Select((r, i) => i == 1 ? r with { DepthPath = Path.Combine(folder, "gone.png") } : r).ToList();
        var map = new PhotoDepthMap(new ImageSpec(Side, ImageColor.Gray, Augment: false, Padding: 0), new DepthMapSpec(Side, Side));
        var error = Assert.Throws<DirDataException>(() => SplitData.Create(map, records, "train", LabelBins.Uniform(0, 12, 12), 1, CPU, DataPath.Streaming));
        Assert.Contains("train split, record 1, member 'Depth'", error.Message);
        Assert.Contains("gone.png", error.Message);
        // The check before training names the depth member, not the image's.
        var problem = Assert.IsType<ScreenProblem>(map.Screen(records[1]));
        Assert.Equal("Depth", problem.Member);
        Assert.Contains("gone.png", problem.Problem);
        Assert.Null(map.Screen(records[0]));
    }

    private const int Side = 8;

    /// <summary>A photo of distinct gray levels and a depth map of ten times the same levels, in memory or at a path.</summary>
    public sealed record Photo(float[] Pixels, float[] Depth, string? DepthPath = null);

    private static List<Photo> Photos(int count) => Enumerable.Range(0, count).Select(r =>
    {
        var pixels = Enumerable.Range(0, Side * Side).Select(i => (float)(0.1 + 0.8 * ((i * 7 + r * 13) % 64) / 63.0)).ToArray();
        return new Photo(pixels, pixels.Select(p => 10 * p).ToArray());
    }).ToList();

    private sealed class PhotoDepthMap(ImageSpec spec, DepthMapSpec map) : ImageDepthFeatureMap<Photo>(spec, map, BadRecordPolicy.Error, "Photo", "Depth",
        record => ImageInput.FromPixels(record.Pixels),
        record => record.DepthPath is { } path ? DepthMapInput.File(path) : DepthMapInput.FromValues(record.Depth, Side, Side));

    [Fact]
    public void TheMapShowsTheImagesCropAndFlipPixelForPixel()
    {
        var spec = new ImageSpec(Side, ImageColor.Gray, Mean: 0.5, Std: 0.25, Augment: true, Padding: 2, Flip: true);
        var map = new PhotoDepthMap(spec, new DepthMapSpec(Side, Side));
        var records = Photos(16);
        using var split = SplitData.Create(map, records, "train", LabelBins.Uniform(0, 12, 12), 1, CPU, DataPath.Streaming);
        int padded = 0, flipped = 0;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            using var reader = split.Read(new[] { Enumerable.Range(0, 16).Select(i => (long)i).ToArray() }, new Augmentation(5, epoch));
            var batch = reader.Next()!;
            var inputs = batch.Inputs.data<float>().ToArray();
            var targets = batch.ScaledTargets.data<float>().ToArray();
            var mask = batch.Mask!.data<float>().ToArray();
            var bins = batch.Bins.data<long>().ToArray();
            for (int r = 0; r < 16; r++)
            {
                if (ImageTransform.Draw(spec, new Augmentation(5, epoch).For(r)).Flip) flipped++;
                for (int p = 0; p < Side * Side; p++)
                {
                    int at = r * Side * Side + p;
                    double level = inputs[at] * 0.25 + 0.5;   // the image pixel before normalisation; 0 on the padding
                    if (mask[at] == 1)
                    {
                        Assert.Equal(10 * level, targets[at], 4);
                        Assert.Equal((long)Math.Floor(targets[at]), bins[at]);
                    }
                    else
                    {
                        padded++;
                        Assert.Equal(0, level, 5);
                        Assert.Equal(SplitData.MissingBin, bins[at]);
                    }
                }
                // The stored map itself is unmoved: the split still holds record r's depths in order.
                Assert.Equal(records[r].Depth[0], split.Targets[r * Side * Side]);
            }
        }
        Assert.True(padded > 0 && flipped > 0, $"the draws should pad some pixels ({padded}) and flip some records ({flipped})");
    }

    [Fact]
    public void AHalfSizeMapMirrorsWithTheFlipAndIsIdentityWithoutADraw()
    {
        var spec = new ImageSpec(Side, ImageColor.Gray, Augment: true, Padding: 0, Flip: true);
        var map = new PhotoDepthMap(spec, new DepthMapSpec(Side / 2, Side / 2));
        var sources = new int[16];
        for (int record = 0; record < 8; record++)
        {
            var draw = new AugmentationDraw(1, 0, record);
            map.TargetSources(draw, sources);
            bool flip = ImageTransform.Draw(spec, draw).Flip;
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++)
                    Assert.Equal(y * 4 + (flip ? 3 - x : x), sources[y * 4 + x]);
        }
    }

    [Fact]
    public void AMapsLossWeightsAreGatheredByPixelBinAndAMissingPixelWeighsNothing()
    {
        // Depths above 8 are outside the declared range: those pixels have no target.
        var map = new PhotoDepthMap(new ImageSpec(Side, ImageColor.Gray, Augment: false, Padding: 0), new DepthMapSpec(Side, Side, Max: 8));
        var records = Photos(6);
        var bins = LabelBins.Uniform(0, 12, 12);
        using var split = SplitData.Create(map, records, "train", bins, 1, CPU, DataPath.Streaming);
        Assert.NotNull(split.ValidPositions);
        var lds = new LdsOptions(Kernel.Gaussian, 5, 2) { Padding = LdsPadding.Reflect, StartBin = 1 };
        var perElement = LabelDistribution.ElementWeights(split.ValidTargets, bins, Reweight.SqrtInverse, lds);
        using var table = SampleWeightTable.For(split, perElement, bins.Count, CPU);
        Assert.True(table.PerBin);
        Assert.Equal(bins.Count + 1, table.Values.shape[0]);
        using var reader = split.Read(new[] { new long[] { 4, 0, 5 } });
        var batch = reader.Next()!;
        var gathered = table.Gather(batch).data<float>().ToArray();
        var expected = new Dictionary<int, float>();
        for (int i = 0; i < perElement.Length; i++) expected[split.ValidPositions![i]] = perElement[i];
        var order = new[] { 4, 0, 5 };
        for (int slot = 0; slot < 3; slot++)
            for (int p = 0; p < Side * Side; p++)
                Assert.Equal(expected.TryGetValue(order[slot] * Side * Side + p, out var w) ? w : 0f, gathered[slot * Side * Side + p]);
    }
}
