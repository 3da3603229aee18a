using SkiaSharp;

namespace DirDsl.Images;

/// <summary>An image that cannot be read: missing, damaged, truncated or in a format the decoder does not know.</summary>
public sealed class ImageReadException(string problem) : Exception(problem);

/// <summary>
/// Decodes images with Skia (the decoder of Chrome and Android; PNG, JPEG, WebP, GIF, BMP, ICO, WBMP) and resizes them
/// to the spec's square size with bilinear filtering over mipmaps (so large downscales average rather than alias).
/// Output values are channel-major in [0, 1], as torchvision's ToTensor gives. Every failure is an
/// <see cref="ImageReadException"/> naming the image, never an exception from inside the decoder.
/// </summary>
public static class ImageDecoder
{
    private static readonly SKSamplingOptions Sampling = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    /// <summary>
    /// The most pixels an image may declare (128 megapixels: a 512 MB RGBA buffer per decoding worker). A header that
    /// declares more (a decompression bomb, or a damaged size field) is refused before any pixel is decoded.
    /// </summary>
    public const long MaxPixels = 128L * 1024 * 1024;

    /// <summary>Null when the image exists and its header decodes; otherwise what is wrong (the pre-training check).</summary>
    public static string? Check(ImageInput input, ImageSpec spec)
    {
        if (input.Pixels is { } pixels) return PixelProblem(pixels, spec);
        try
        {
            using var codec = OpenCodec(input);
            return null;
        }
        catch (ImageReadException e)
        {
            return e.Message;
        }
    }

    /// <summary>Decodes, resizes and converts an image into <paramref name="chw"/> (channels x size x size values in [0, 1]).</summary>
    /// <exception cref="ImageReadException">The image cannot be read, naming it.</exception>
    public static void Decode(ImageInput input, ImageSpec spec, Span<float> chw)
    {
        if (chw.Length != spec.Width) throw new ArgumentException($"The output holds {chw.Length} values; the image has {spec.Width}.", nameof(chw));
        if (input.Pixels is { } pixels)
        {
            if (PixelProblem(pixels, spec) is { } problem) throw new ImageReadException(problem);
            pixels.AsSpan().CopyTo(chw);
            return;
        }
        var levels = System.Buffers.ArrayPool<byte>.Shared.Rent(spec.Width);
        try
        {
            DecodeLevels(input, spec, levels.AsSpan(0, spec.Width));
            ToValues(levels.AsSpan(0, spec.Width), chw);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(levels);
        }
    }

    /// <summary>
    /// Decodes and resizes an encoded image (a file or bytes, not a pixel array) into its 8-bit channel levels,
    /// channel-major: the values <see cref="Decode"/> gives are exactly these divided by 255, so a decode cache can keep
    /// a quarter of the bytes and still hand out the same floats.
    /// </summary>
    /// <exception cref="ImageReadException">The image cannot be read, naming it.</exception>
    public static void DecodeLevels(ImageInput input, ImageSpec spec, Span<byte> levels)
    {
        if (levels.Length != spec.Width) throw new ArgumentException($"The output holds {levels.Length} values; the image has {spec.Width}.", nameof(levels));
        if (input.Pixels is not null) throw new ArgumentException("A pixel array has no 8-bit levels to decode.", nameof(input));
        using var codec = OpenCodec(input);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw new ImageReadException($"{input.Describe()} is damaged or truncated: the decoder stopped with {result} after its header.");
        using var resized = info.Width == spec.Columns && info.Height == spec.Rows
            ? null
            : decoded.Resize(new SKImageInfo(spec.Columns, spec.Rows, SKColorType.Rgba8888, SKAlphaType.Unpremul), Sampling)
                ?? throw new ImageReadException($"{input.Describe()} could not be resized to {spec.Describe()}.");
        var bitmap = resized ?? decoded;
        Convert(bitmap.GetPixelSpan(), bitmap.RowBytes, spec, levels);
    }

    /// <summary>8-bit levels to values in [0, 1] (level / 255, as torchvision's ToTensor).</summary>
    public static void ToValues(ReadOnlySpan<byte> levels, Span<float> values)
    {
        for (int i = 0; i < levels.Length; i++) values[i] = levels[i] / 255f;
    }

    /// <summary>RGBA bytes to channel-major levels: RGB drops alpha, gray is PIL's luma (299, 587, 114 per mille).</summary>
    private static void Convert(ReadOnlySpan<byte> rgba, int rowBytes, ImageSpec spec, Span<byte> chw)
    {
        int rows = spec.Rows, columns = spec.Columns, plane = rows * columns;
        for (int y = 0; y < rows; y++)
        {
            var row = rgba.Slice(y * rowBytes, columns * 4);
            for (int x = 0; x < columns; x++)
            {
                byte r = row[4 * x], g = row[4 * x + 1], b = row[4 * x + 2];
                int at = y * columns + x;
                if (spec.Color == ImageColor.Gray)
                {
                    // PIL's convert("L"): integer luma with rounding, L = (R * 299 + G * 587 + B * 114) / 1000.
                    chw[at] = (byte)((r * 299 + g * 587 + b * 114 + 500) / 1000);
                }
                else
                {
                    chw[at] = r;
                    chw[plane + at] = g;
                    chw[2 * plane + at] = b;
                }
            }
        }
    }

    /// <summary>A codec over the image's bytes, its header read; a missing file or an unknown format is an error naming it.</summary>
    private static SKCodec OpenCodec(ImageInput input)
    {
        byte[] bytes;
        if (input.Path is { } path)
        {
            if (path.Length == 0) throw new ImageReadException("the image path is empty");
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new ImageReadException($"file '{path}' does not exist");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new ImageReadException($"file '{path}' cannot be read: {e.Message}");
            }
        }
        else
        {
            bytes = input.Encoded ?? Array.Empty<byte>();
        }
        if (bytes.Length == 0) throw new ImageReadException($"{input.Describe()} is empty");
        // The codec takes ownership of the stream, which holds its own native copy of the bytes.
        var codec = SKCodec.Create(new SKMemoryStream(bytes), out var result);
        if (codec is null)
            throw new ImageReadException(result == SKCodecResult.IncompleteInput
                ? $"{input.Describe()} is damaged or truncated: its header ends early ({result})"
                : $"{input.Describe()} is not an image the decoder can read (PNG, JPEG, WebP, GIF, BMP, ICO or WBMP): {result}");
        if (codec.Info.Width <= 0 || codec.Info.Height <= 0)
        {
            codec.Dispose();
            throw new ImageReadException($"{input.Describe()} has no pixels ({codec.Info.Width} x {codec.Info.Height})");
        }
        if ((long)codec.Info.Width * codec.Info.Height > MaxPixels)
        {
            var (width, height) = (codec.Info.Width, codec.Info.Height);
            codec.Dispose();
            throw new ImageReadException($"{input.Describe()} declares {width:N0} x {height:N0} pixels, more than the {MaxPixels:N0} an image may have; it is refused before decoding");
        }
        return codec;
    }

    private static string? PixelProblem(float[] pixels, ImageSpec spec)
    {
        if (pixels.Length != spec.Width)
            return $"pixel array has {pixels.Length:N0} values; [Image(Size = {spec.Size}{(spec.Height > 0 ? $", Height = {spec.Height}" : "")}, Color = {spec.Color})] needs {spec.Channels} x {spec.Rows} x {spec.Columns} = {spec.Width:N0}";
        for (int i = 0; i < pixels.Length; i++)
            if (!(pixels[i] >= 0 && pixels[i] <= 1)) return $"pixel array value {i} is {pixels[i]}; pixels must lie in [0, 1]";
        return null;
    }
}
