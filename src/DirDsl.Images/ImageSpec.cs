namespace DirDsl.Images;

/// <summary>
/// How an [Image] member becomes an input: its size, colour mode, normalisation and training augmentation. The
/// generated feature map builds one from the attribute; the rules it must meet are <see cref="DslRules"/>'s.
/// </summary>
/// <param name="Size">Pixels per side after resizing: the width, and the height too unless <see cref="Height"/> is set.</param>
/// <param name="Color">Colour mode.</param>
/// <param name="Mean">Normalisation mean of every channel.</param>
/// <param name="Std">Normalisation standard deviation of every channel.</param>
/// <param name="Augment">Whether training images are augmented.</param>
/// <param name="Padding">Zero padding of the random crop, in pixels.</param>
/// <param name="Flip">Whether training images are flipped horizontally with probability 1/2.</param>
public sealed record ImageSpec(int Size, ImageColor Color = DslDefaults.ImageColor, double Mean = DslDefaults.ImageMean, double Std = DslDefaults.ImageStd,
    bool Augment = DslDefaults.ImageAugment, int Padding = DslDefaults.ImagePadding, bool Flip = DslDefaults.ImageFlip)
{
    /// <summary>Rows of the resized image when they differ from <see cref="Size"/> (NYU Depth v2's 304 x 228: Size 304, Height 228); 0 for a square image.</summary>
    public int Height { get; init; }

    /// <summary>Rows after resizing: <see cref="Height"/>, or <see cref="Size"/> for a square image.</summary>
    public int Rows => Height > 0 ? Height : Size;

    /// <summary>Columns after resizing: <see cref="Size"/>.</summary>
    public int Columns => Size;

    /// <summary>Channels of the decoded image.</summary>
    public int Channels => DslRules.ImageChannels(Color);

    /// <summary>Values of one image: channels x rows x columns.</summary>
    public int Width => Channels * Rows * Columns;

    /// <summary>Whether training draws change the pixels at all (a crop with padding, or a flip).</summary>
    public bool Augments => Augment && (Padding > 0 || Flip);

    /// <summary>The input layout: [channels, rows, columns].</summary>
    public FeatureLayout Layout => FeatureLayout.Image(Channels, Rows, Columns);

    /// <summary>How messages name the size: 64 x 64, or 304 x 228 (columns x rows, as image sizes are usually written).</summary>
    public string Describe() => $"{Columns} x {Rows}";

    /// <summary>Checks the settings (the generator checks the same rules at compile time).</summary>
    /// <exception cref="ArgumentException">A setting outside its rule, named.</exception>
    public ImageSpec Validated()
    {
        if (!DslRules.IsValidImageSize(Size)) throw new ArgumentException($"Image Size {Size} must be 1 to {DslRules.MaxImageSize} pixels.", nameof(Size));
        if (Height != 0 && !DslRules.IsValidImageSize(Height)) throw new ArgumentException($"Image Height {Height} must be 1 to {DslRules.MaxImageSize} pixels, or 0 for a square image.", nameof(Height));
        if (!DslRules.IsValidImageMean(Mean)) throw new ArgumentException($"Image Mean {Mean} must be finite.", nameof(Mean));
        if (!DslRules.IsValidImageStd(Std)) throw new ArgumentException($"Image Std {Std} must be positive and finite.", nameof(Std));
        if (!DslRules.IsValidImagePadding(Padding, Math.Min(Rows, Columns))) throw new ArgumentException($"Image Padding {Padding} must be 0 to the shorter side ({Math.Min(Rows, Columns)}).", nameof(Padding));
        if (!Enum.IsDefined(Color)) throw new ArgumentException($"Image Color {(int)Color} is not an ImageColor.", nameof(Color));
        return this;
    }
}

/// <summary>Where a record's image comes from: a file, an encoded image in memory, or raw pixels.</summary>
public readonly struct ImageInput
{
    private ImageInput(string? path, byte[]? encoded, float[]? pixels)
    {
        Path = path;
        Encoded = encoded;
        Pixels = pixels;
    }

    /// <summary>The image file's path, or null.</summary>
    public string? Path { get; }
    /// <summary>An encoded image (PNG, JPEG, ...) in memory, or null.</summary>
    public byte[]? Encoded { get; }
    /// <summary>Raw pixels, channel-major, in [0, 1], already at the spec's size; or null.</summary>
    public float[]? Pixels { get; }

    /// <summary>An image file.</summary>
    public static ImageInput File(string? path) => new(path ?? "", null, null);
    /// <summary>An encoded image in memory.</summary>
    public static ImageInput FromEncoded(byte[]? encoded) => new(null, encoded ?? Array.Empty<byte>(), null);
    /// <summary>Raw pixels (channel-major, [0, 1]).</summary>
    public static ImageInput FromPixels(float[]? pixels) => new(null, null, pixels ?? Array.Empty<float>());

    /// <summary>How errors name the image: the file's path, or what kind of in-memory image it is.</summary>
    public string Describe() => Path is not null ? $"file '{Path}'" : Encoded is not null ? $"encoded image ({Encoded.Length:N0} bytes)" : "pixel array";
}
