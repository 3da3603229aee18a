namespace DirDsl;

/// <summary>
/// An image input of the model: a <c>string</c> member is the path of an image file (PNG, JPEG, WebP, GIF, BMP), a
/// <c>byte[]</c> member an encoded image in memory, a <c>float[]</c> member raw pixels (channel-major, values in [0, 1],
/// already at the declared size). Every image is resized to <see cref="Size"/> x <see cref="Size"/> (or Size wide and <see cref="Height"/> high),
/// converted to <see cref="Color"/> and normalised as (v - Mean) / Std; in training it is also padded by
/// <see cref="Padding"/> pixels, randomly cropped back to its size and randomly flipped, the draws being a function of
/// (seed, epoch, record). A record type has one [Image] member and no [Feature] members; the [Encoder] receives
/// batches of shape [n, channels, rows, Size]. The generator checks every argument (DIR041).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class ImageAttribute : Attribute
{
    /// <summary>Declares an image member of <paramref name="size"/> x <paramref name="size"/> pixels.</summary>
    public ImageAttribute(int size) => Size = size;

    /// <summary>Pixels per side after resizing (1 to 4096): the width, and the height unless <see cref="Height"/> is set.</summary>
    public int Size { get; }
    /// <summary>Rows after resizing when the image is not square (1 to 4096; NYU Depth v2's 304 x 228 is [Image(304, Height = 228)]); 0, the default, for Size x Size.</summary>
    public int Height { get; set; }
    /// <summary>Colour mode: RGB (3 channels) or gray (1).</summary>
    public ImageColor Color { get; set; } = DslDefaults.ImageColor;
    /// <summary>Normalisation mean of every channel (pixel values are in [0, 1] before it).</summary>
    public double Mean { get; set; } = DslDefaults.ImageMean;
    /// <summary>Normalisation standard deviation of every channel (positive).</summary>
    public double Std { get; set; } = DslDefaults.ImageStd;
    /// <summary>Whether training images are augmented (random crop with <see cref="Padding"/>, flip if <see cref="Flip"/>).</summary>
    public bool Augment { get; set; } = DslDefaults.ImageAugment;
    /// <summary>Zero padding of the random crop, in pixels (0 to Size; 0 turns the crop off).</summary>
    public int Padding { get; set; } = DslDefaults.ImagePadding;
    /// <summary>Whether training images are flipped horizontally with probability 1/2.</summary>
    public bool Flip { get; set; } = DslDefaults.ImageFlip;
    /// <summary>A missing or unreadable image stops the run (Error, the default) or its record is skipped and reported (Skip).</summary>
    public BadRecordPolicy BadImages { get; set; } = DslDefaults.BadImages;
}
