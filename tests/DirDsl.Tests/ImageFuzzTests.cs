using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DirDsl.Images;
using SkiaSharp;
using Xunit;

namespace DirDsl.Tests;

/// <summary>
/// Hostile image files: every mutation of a real PNG and JPEG (truncated, bit-flipped, wrong magic, empty, a size field
/// of tens of thousands of pixels, a PNG that would decompress to 1.6 GB) either decodes or ends in one
/// <see cref="ImageReadException"/> naming the file, from the pre-training check and from the decoder alike; never
/// another exception, and a declared size above <see cref="ImageDecoder.MaxPixels"/> is refused before decoding.
/// </summary>
public sealed class ImageFuzzTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-fuzz").FullName;
    private static readonly ImageSpec Spec = new(16);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static byte[] Encoded(SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(40, 30, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 40; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 6), (byte)(y * 8), (byte)((x + y) * 3)));
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>Writes the bytes as a file and runs the check and the decoder on it; the decoder's message, or null when it decoded.</summary>
    private string? Attempt(string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        var input = ImageInput.File(path);
        var check = ImageDecoder.Check(input, Spec);
        if (check is not null) Assert.Contains(path, check);
        var output = new float[Spec.Width];
        try
        {
            ImageDecoder.Decode(input, Spec, output);
        }
        catch (ImageReadException e)
        {
            Assert.Contains(path, e.Message);
            return e.Message;
        }
        // Decoded: the values are pixels.
        Assert.All(output, v => Assert.InRange(v, 0f, 1f));
        return null;
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "png")]
    [InlineData(SKEncodedImageFormat.Jpeg, "jpg")]
    public void EveryMutation_DecodesOrIsOneErrorNamingTheFile(SKEncodedImageFormat format, string extension)
    {
        var original = Encoded(format);
        Assert.Null(Attempt("original." + extension, original));
        Assert.Contains("is empty", Attempt("empty." + extension, Array.Empty<byte>()));
        var magic = (byte[])original.Clone();
        Encoding.ASCII.GetBytes("NOTANIMG").CopyTo(magic, 0);
        Assert.Contains("is not an image the decoder can read", Attempt("magic." + extension, magic));
        int errors = 0;
        foreach (int length in new[] { 1, 4, 8, 16, 33, original.Length / 4, original.Length / 2, original.Length - 1 })
            if (Attempt($"truncated-{length}.{extension}", original[..length]) is not null) errors++;
        // A file cut short anywhere before its middle cannot decode.
        Assert.True(errors >= 6, $"{errors} of 8 truncations failed");
        var random = new Random(5);
        for (int i = 0; i < 150; i++)
        {
            var flipped = (byte[])original.Clone();
            for (int bits = random.Next(1, 5); bits > 0; bits--) flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            Attempt($"flipped-{i}.{extension}", flipped);
        }
    }

    [Fact]
    public void DeclaredSizesAboveTheLimit_AreRefusedBeforeDecoding()
    {
        // A PNG whose header says 30,000 x 30,000 (its CRC fixed, so the header itself is valid).
        var png = Encoded(SKEncodedImageFormat.Png);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 30_000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 30_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        Assert.Contains("declares 30,000 x 30,000 pixels", Attempt("huge.png", png));
        // A JPEG whose frame header (SOF0) says 65,000 x 65,000.
        var jpeg = Encoded(SKEncodedImageFormat.Jpeg);
        int sof = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xC0 });
        Assert.True(sof > 0, "the JPEG has no baseline frame header");
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 65_000);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 65_000);
        Assert.Contains("declares 65,000 x 65,000 pixels", Attempt("huge.jpg", jpeg));
        // A real decompression bomb: a valid 20,000 x 20,000 grayscale PNG of zeros, 1.6 GB as RGBA, a few hundred KB as a file.
        var bomb = Bomb(20_000);
        Assert.True(bomb.Length < 1_000_000, $"{bomb.Length} bytes");
        Assert.Contains("more than the 134,217,728 an image may have; it is refused before decoding", Attempt("bomb.png", bomb));
    }

    /// <summary>A valid 8-bit grayscale PNG of <paramref name="size"/> x <paramref name="size"/> zeros.</summary>
    private static byte[] Bomb(int size)
    {
        using var file = new MemoryStream();
        file.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, size);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), size);
        header[8] = 8; // bit depth; colour type 0 (gray), compression, filter and interlace 0
        Chunk(file, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[size + 1]; // filter byte 0, then the row's zeros
            for (int y = 0; y < size; y++) zlib.Write(row);
        }
        Chunk(file, "IDAT", compressed.ToArray());
        Chunk(file, "IEND", Array.Empty<byte>());
        return file.ToArray();
    }

    private static void Chunk(Stream file, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        file.Write(number);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        file.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typed));
        file.Write(number);
    }

    /// <summary>PNG's CRC-32 (ISO 3309, polynomial 0xEDB88320, reflected), bit by bit.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
