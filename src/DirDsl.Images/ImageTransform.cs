namespace DirDsl.Images;

/// <summary>
/// From decoded pixels (channel-major, [0, 1]) to a model input: normalised, and in training augmented as the
/// reference's face recipe does: zero padding of <see cref="ImageSpec.Padding"/> pixels, a random crop back to the
/// image's size (offsets uniform in [0, 2 x Padding] on each axis), a random horizontal flip with probability 1/2,
/// then (v - Mean) / Std. Padding is applied before normalisation, as RandomCrop pads the PIL image, so a padded pixel
/// becomes (0 - Mean) / Std.
/// </summary>
public static class ImageTransform
{
    /// <summary>Draw stream of the vertical crop offset.</summary>
    public const int CropYStream = 0;
    /// <summary>Draw stream of the horizontal crop offset.</summary>
    public const int CropXStream = 1;
    /// <summary>Draw stream of the flip.</summary>
    public const int FlipStream = 2;

    /// <summary>The crop offsets and flip of one record in one epoch (offsets into the padded image).</summary>
    public static (int Top, int Left, bool Flip) Draw(ImageSpec spec, AugmentationDraw draw)
    {
        int top = spec.Padding > 0 ? draw.Below(CropYStream, 2 * spec.Padding + 1) : spec.Padding;
        int left = spec.Padding > 0 ? draw.Below(CropXStream, 2 * spec.Padding + 1) : spec.Padding;
        return (top, left, spec.Flip && draw.Coin(FlipStream));
    }

    /// <summary>Normalises without augmenting (evaluation, prediction, FDS statistics).</summary>
    public static void Normalize(ReadOnlySpan<float> chw, ImageSpec spec, Span<float> row) =>
        Write(chw, spec, row, spec.Padding, spec.Padding, false);

    /// <summary>Augments (crop and flip from <paramref name="draw"/>) and normalises.</summary>
    public static void Augment(ReadOnlySpan<float> chw, ImageSpec spec, AugmentationDraw draw, Span<float> row)
    {
        var (top, left, flip) = Draw(spec, draw);
        Write(chw, spec, row, top, left, flip);
    }

    /// <summary>
    /// row[c, y, x] = normalise(padded[c, top + y, left + x']) with x' = columns - 1 - x when flipped; padded[c, i, j] is
    /// chw[c, i - Padding, j - Padding] inside the image and 0 outside.
    /// </summary>
    private static void Write(ReadOnlySpan<float> chw, ImageSpec spec, Span<float> row, int top, int left, bool flip)
    {
        int rows = spec.Rows, columns = spec.Columns, plane = rows * columns, padding = spec.Padding;
        float mean = (float)spec.Mean, scale = (float)(1 / spec.Std);
        float fill = (0 - mean) * scale;
        for (int c = 0; c < spec.Channels; c++)
        {
            var source = chw.Slice(c * plane, plane);
            var target = row.Slice(c * plane, plane);
            for (int y = 0; y < rows; y++)
            {
                int sy = top + y - padding;
                for (int x = 0; x < columns; x++)
                {
                    int sx = left + (flip ? columns - 1 - x : x) - padding;
                    target[y * columns + x] = sy >= 0 && sy < rows && sx >= 0 && sx < columns ? (source[sy * columns + sx] - mean) * scale : fill;
                }
            }
        }
    }
}
