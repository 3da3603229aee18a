using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using System.Text.RegularExpressions;

namespace DirDsl.Images;

/// <summary>A depth map that cannot be read: missing, damaged, truncated or in a form the reader does not take.</summary>
public sealed class DepthMapReadException(string problem) : Exception(problem);

/// <summary>
/// How a record's dense target map becomes a target: the size the model predicts, the unit, and which pixels have no
/// target. A stored value v becomes v x <see cref="Scale"/> (a 16-bit PNG in millimetres with Scale 0.001 gives metres);
/// a pixel whose stored value is <see cref="MissingValue"/>, or whose scaled value is at or below <see cref="Min"/> or
/// above <see cref="Max"/>, has no target: it leaves the loss, the label counts and the metrics (NaN as a split holds it).
/// </summary>
/// <param name="Height">Rows of the target map (the model's output rows).</param>
/// <param name="Width">Columns of the target map.</param>
/// <param name="Scale">Multiplier from the stored value to the target's unit.</param>
/// <param name="Min">Scaled values at or below it are missing (0: a depth of 0, the usual "no reading", is missing).</param>
/// <param name="Max">Scaled values above it are missing.</param>
/// <param name="MissingValue">A stored value that marks a missing pixel, or null for none.</param>
public sealed record DepthMapSpec(int Height, int Width, double Scale = DslDefaults.DepthScale, double Min = DslDefaults.DepthMin,
    double Max = DslDefaults.DepthMax, double? MissingValue = null)
{
    /// <summary>Pixels of the target map.</summary>
    public int Elements => Height * Width;

    /// <summary>The target shape of the map.</summary>
    public TargetShape Shape => TargetShape.Map(Height, Width);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting outside its rule, named.</exception>
    public DepthMapSpec Validated()
    {
        if (!DslRules.IsValidDepthMapSide(Height)) throw new ArgumentException($"Depth map Height {Height} must be 1 to {DslRules.MaxImageSize}.", nameof(Height));
        if (!DslRules.IsValidDepthMapSide(Width)) throw new ArgumentException($"Depth map Width {Width} must be 1 to {DslRules.MaxImageSize}.", nameof(Width));
        if (!DslRules.IsValidDepthScale(Scale)) throw new ArgumentException($"Depth map Scale {Scale} must be positive and finite.", nameof(Scale));
        if (!DslRules.IsValidDepthRange(Min, Max)) throw new ArgumentException($"Depth map range ({Min}, {Max}] must have Max above Min.", nameof(Max));
        if (MissingValue is { } missing && !DslRules.IsValidMissingValue(missing)) throw new ArgumentException($"Depth map MissingValue {missing} must be finite.", nameof(MissingValue));
        return this;
    }

    /// <summary>The target of a stored value: scaled, or NaN when it marks or falls outside the valid range.</summary>
    public float TargetOf(double stored)
    {
        if (MissingValue is { } missing && stored == missing) return float.NaN;
        double value = stored * Scale;
        return value > Min && value <= Max && double.IsFinite(value) ? (float)value : float.NaN;
    }
}

/// <summary>Where a record's depth map comes from: a file (PNG, 8- or 16-bit grayscale; .npy), or values in memory.</summary>
public readonly struct DepthMapInput
{
    private DepthMapInput(string? path, float[]? values, int height, int width)
    {
        Path = path;
        Values = values;
        Height = height;
        Width = width;
    }

    /// <summary>The file's path, or null.</summary>
    public string? Path { get; }
    /// <summary>Stored values in memory, row-major, or null.</summary>
    public float[]? Values { get; }
    /// <summary>Rows of <see cref="Values"/>.</summary>
    public int Height { get; }
    /// <summary>Columns of <see cref="Values"/>.</summary>
    public int Width { get; }

    /// <summary>A depth map file.</summary>
    public static DepthMapInput File(string? path) => new(path ?? "", null, 0, 0);

    /// <summary>Stored values in memory (row-major, <paramref name="height"/> x <paramref name="width"/>, any size: resized as a file is).</summary>
    public static DepthMapInput FromValues(float[]? values, int height, int width) => new(null, values ?? Array.Empty<float>(), height, width);

    /// <summary>How errors name the map.</summary>
    public string Describe() => Path is not null ? $"depth map file '{Path}'" : $"depth values in memory ({Height} x {Width})";
}

/// <summary>
/// Reads depth maps as stored values and resizes them to a <see cref="DepthMapSpec"/>'s size by nearest neighbour (each
/// output pixel takes the stored pixel under its centre: depths are never mixed across an edge). PNG files must be
/// one-channel grayscale of 8 or 16 bits, not interlaced (how NYU Depth v2 and KITTI store depth); the 16-bit samples
/// are read whole, which Skia's decoder cannot do (it reduces them to 8 bits). .npy files hold a 2-D array (or one
/// channel of a 3-D one) of float32, float64, uint16 or uint8, little-endian, in C order. Every failure is a
/// <see cref="DepthMapReadException"/> naming the map.
/// </summary>
public static class DepthMapReader
{
    private static readonly byte[] PngSignature = { 137, 80, 78, 71, 13, 10, 26, 10 };
    private static readonly byte[] NpyMagic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>The most pixels a stored map may declare (as <see cref="ImageDecoder.MaxPixels"/>).</summary>
    public const long MaxPixels = ImageDecoder.MaxPixels;

    /// <summary>The map's targets at the spec's size (NaN where a pixel has none), into <paramref name="target"/>.</summary>
    /// <exception cref="DepthMapReadException">The map cannot be read, naming it.</exception>
    public static void Read(DepthMapInput input, DepthMapSpec spec, Span<float> target)
    {
        if (target.Length != spec.Elements) throw new ArgumentException($"The target holds {target.Length} values; the map has {spec.Elements}.", nameof(target));
        var (values, height, width) = Stored(input);
        for (int y = 0; y < spec.Height; y++)
        {
            int sy = (int)(((long)y * 2 + 1) * height / (2L * spec.Height));
            for (int x = 0; x < spec.Width; x++)
            {
                int sx = (int)(((long)x * 2 + 1) * width / (2L * spec.Width));
                target[y * spec.Width + x] = spec.TargetOf(values[(long)sy * width + sx]);
            }
        }
    }

    /// <summary>Null when the map exists and its header reads; otherwise what is wrong (the pre-training check).</summary>
    public static string? Check(DepthMapInput input)
    {
        try
        {
            if (input.Path is { } path)
            {
                using var stream = Open(path);
                var head = new byte[8];
                int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
                if (read < NpyMagic.Length || !(head.AsSpan(0, Math.Min(read, 8)).StartsWith(PngSignature) || head.AsSpan().StartsWith(NpyMagic)))
                    return $"{input.Describe()} is neither a PNG nor a .npy file.";
                return null;
            }
            Stored(input);
            return null;
        }
        catch (DepthMapReadException e)
        {
            return e.Message;
        }
    }

    /// <summary>The stored values of a map at its own size.</summary>
    /// <exception cref="DepthMapReadException">The map cannot be read, naming it.</exception>
    public static (float[] Values, int Height, int Width) Stored(DepthMapInput input)
    {
        if (input.Path is not { } path)
        {
            var values = input.Values!;
            if (input.Height < 1 || input.Width < 1 || (long)input.Height * input.Width != values.Length)
                throw new DepthMapReadException($"{input.Describe()}: {values.Length:N0} values do not make {input.Height} x {input.Width}.");
            return (values, input.Height, input.Width);
        }
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DepthMapReadException($"{input.Describe()} cannot be read: {e.Message}");
        }
        if (bytes.AsSpan().StartsWith(PngSignature)) return Png(bytes, input.Describe());
        if (bytes.AsSpan().StartsWith(NpyMagic)) return Npy(bytes, input.Describe());
        throw new DepthMapReadException($"{input.Describe()} is neither a PNG nor a .npy file ({bytes.Length:N0} bytes).");
    }

    private static FileStream Open(string path)
    {
        try
        {
            return System.IO.File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DepthMapReadException($"depth map file '{path}' cannot be read: {e.Message}");
        }
    }

    /// <summary>A grayscale PNG's samples: chunks checked (lengths, CRCs), IDAT inflated, scanlines unfiltered.</summary>
    private static (float[] Values, int Height, int Width) Png(byte[] bytes, string what)
    {
        int width = 0, height = 0, depth = 0;
        bool header = false, end = false;
        using var compressed = new MemoryStream();
        int at = PngSignature.Length;
        while (!end)
        {
            if (at + 12 > bytes.Length) throw new DepthMapReadException($"{what} is truncated: a PNG chunk is cut off at byte {at:N0}.");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
            if (length > int.MaxValue || at + 12L + length > bytes.Length)
                throw new DepthMapReadException($"{what} is truncated or damaged: a PNG chunk at byte {at:N0} declares {length:N0} bytes.");
            var type = Encoding.ASCII.GetString(bytes, at + 4, 4);
            var data = bytes.AsSpan(at + 8, (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 8 + (int)length));
            if (Crc32.HashToUInt32(bytes.AsSpan(at + 4, 4 + (int)length)) != crc)
                throw new DepthMapReadException($"{what} is damaged: the CRC of its {type} chunk at byte {at:N0} does not match.");
            switch (type)
            {
                case "IHDR":
                    if (length != 13) throw new DepthMapReadException($"{what} is damaged: its IHDR chunk has {length} bytes, not 13.");
                    width = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data));
                    height = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                    depth = data[8];
                    int color = data[9], interlace = data[12];
                    if (color != 0)
                        throw new DepthMapReadException($"{what} is a PNG of color type {color}; a depth map must be one-channel grayscale (color type 0).");
                    if (depth is not (8 or 16))
                        throw new DepthMapReadException($"{what} has {depth}-bit samples; a depth map PNG must have 8 or 16.");
                    if (interlace != 0) throw new DepthMapReadException($"{what} is interlaced (Adam7); save depth maps without interlacing.");
                    if (width < 1 || height < 1 || (long)width * height > MaxPixels)
                        throw new DepthMapReadException($"{what} declares {width} x {height} pixels (at most {MaxPixels:N0}).");
                    header = true;
                    break;
                case "IDAT":
                    if (!header) throw new DepthMapReadException($"{what} is damaged: image data before its IHDR chunk.");
                    compressed.Write(data);
                    break;
                case "IEND":
                    end = true;
                    break;
            }
            at += 12 + (int)length;
        }
        if (!header) throw new DepthMapReadException($"{what} has no IHDR chunk.");
        int bytesPerSample = depth / 8, stride = width * bytesPerSample;
        var raw = new byte[checked((long)(stride + 1) * height)];
        try
        {
            compressed.Position = 0;
            using var inflate = new ZLibStream(compressed, CompressionMode.Decompress);
            int read = inflate.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (read < raw.Length) throw new DepthMapReadException($"{what} is truncated: its image data holds {read:N0} of {raw.Length:N0} bytes.");
        }
        catch (InvalidDataException e)
        {
            throw new DepthMapReadException($"{what} is damaged: its image data does not inflate ({e.Message}).");
        }
        var values = new float[(long)width * height];
        var previous = new byte[stride];
        var line = new byte[stride];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[(long)y * (stride + 1)];
            Array.Copy(raw, (long)y * (stride + 1) + 1, line, 0, stride);
            Unfilter(filter, line, previous, bytesPerSample, what, y);
            for (int x = 0; x < width; x++)
                values[(long)y * width + x] = depth == 16 ? BinaryPrimitives.ReadUInt16BigEndian(line.AsSpan(2 * x)) : line[x];
            (previous, line) = (line, previous);
        }
        return (values, height, width);
    }

    /// <summary>Undoes a PNG scanline filter (None, Sub, Up, Average, Paeth) in place.</summary>
    private static void Unfilter(int filter, byte[] line, byte[] previous, int bpp, string what, int row)
    {
        switch (filter)
        {
            case 0: return;
            case 1:
                for (int i = bpp; i < line.Length; i++) line[i] += line[i - bpp];
                return;
            case 2:
                for (int i = 0; i < line.Length; i++) line[i] += previous[i];
                return;
            case 3:
                for (int i = 0; i < line.Length; i++) line[i] += (byte)(((i >= bpp ? line[i - bpp] : 0) + previous[i]) / 2);
                return;
            case 4:
                for (int i = 0; i < line.Length; i++)
                {
                    int a = i >= bpp ? line[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    line[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                return;
            default:
                throw new DepthMapReadException($"{what} is damaged: row {row} has PNG filter type {filter} (0 to 4 exist).");
        }
    }

    /// <summary>A .npy array's values: version 1-3 header, C order, one of the element types a depth map is stored in.</summary>
    private static (float[] Values, int Height, int Width) Npy(byte[] bytes, string what)
    {
        if (bytes.Length < 10) throw new DepthMapReadException($"{what} is truncated: a .npy header needs 10 bytes.");
        int major = bytes[6];
        int headerLength, start;
        if (major == 1) (headerLength, start) = (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), 10);
        else if (major is 2 or 3 && bytes.Length >= 12) (headerLength, start) = (checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8))), 12);
        else throw new DepthMapReadException($"{what} is a .npy file of version {major}, which this reader does not know (1 to 3).");
        if (start + (long)headerLength > bytes.Length) throw new DepthMapReadException($"{what} is truncated inside its .npy header.");
        var header = Encoding.UTF8.GetString(bytes, start, headerLength);
        string descr = Regex.Match(header, @"'descr'\s*:\s*'([^']*)'").Groups[1].Value;
        if (Regex.IsMatch(header, @"'fortran_order'\s*:\s*True"))
            throw new DepthMapReadException($"{what} is stored in Fortran order; save it in C order (numpy's default).");
        var shapeText = Regex.Match(header, @"'shape'\s*:\s*\(([^)]*)\)").Groups[1].Value;
        var dims = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1).ToArray();
        long height, width;
        if (dims.Length == 2 && dims.All(d => d > 0)) (height, width) = (dims[0], dims[1]);
        else if (dims.Length == 3 && dims.All(d => d > 0) && dims[2] == 1) (height, width) = (dims[0], dims[1]);
        else if (dims.Length == 3 && dims.All(d => d > 0) && dims[0] == 1) (height, width) = (dims[1], dims[2]);
        else throw new DepthMapReadException($"{what} holds an array of shape ({shapeText}); a depth map is 2-D (height, width), or 3-D with one channel.");
        if (height * width > MaxPixels) throw new DepthMapReadException($"{what} declares {height} x {width} values (at most {MaxPixels:N0}).");
        int size = descr switch { "<f4" => 4, "<f8" => 8, "<u2" => 2, "|u1" or "<u1" => 1, _ => 0 };
        if (size == 0) throw new DepthMapReadException($"{what} holds '{descr}' values; a depth map .npy must be float32, float64, uint16 or uint8 (little-endian).");
        long count = height * width, offset = start + headerLength;
        if (offset + count * size > bytes.Length)
            throw new DepthMapReadException($"{what} is truncated: {height} x {width} values of {size} bytes need {offset + count * size:N0} bytes, the file has {bytes.Length:N0}.");
        var values = new float[count];
        var data = bytes.AsSpan((int)offset);
        for (int i = 0; i < count; i++)
            values[i] = size switch
            {
                4 => BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]),
                8 => (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]),
                2 => BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]),
                _ => data[i],
            };
        return (values, checked((int)height), checked((int)width));
    }
}
