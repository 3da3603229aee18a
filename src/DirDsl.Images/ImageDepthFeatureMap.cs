namespace DirDsl.Images;

/// <summary>
/// The feature map of a record with an image and a dense target map (a photo and its depth): the image decoded,
/// normalised and in training augmented as <see cref="ImageFeatureMap{T}"/> does, the map read at its declared size
/// (nearest neighbour, <see cref="DepthMapReader"/>) with its unit and missing pixels, and the training augmentation
/// applied to both together: the map shows the same crop and the same flip as the image, pixel for pixel when both have
/// one size, and the map pixel under each output pixel's centre when the map is smaller (a decoder's half-size output),
/// so depths are never mixed. A map pixel the crop moves onto the padding has no target in that epoch.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public abstract class ImageDepthFeatureMap<T> : IJointAugmentingMap<T>, IScreeningMap<T>, IDecodeCachingMap
{
    // The image side is an image map's (decoding, its decode cache, augmentation, the image check); this class adds the map.
    private readonly ImagePart image;
    private readonly Func<T, DepthMapInput> depth;
    private readonly string depthMember;

    /// <summary>A map reading <paramref name="image"/> as <paramref name="spec"/> says and <paramref name="depth"/> as <paramref name="map"/> says.</summary>
    /// <param name="spec">The image's size, colour, normalisation and augmentation.</param>
    /// <param name="map">The target map's size, unit and valid range.</param>
    /// <param name="badImages">What an unreadable image or map does before training.</param>
    /// <param name="imageMember">The image member's name, for errors.</param>
    /// <param name="depthMember">The target map member's name, for errors.</param>
    /// <param name="image">Reads a record's image.</param>
    /// <param name="depth">Reads a record's target map.</param>
    /// <exception cref="ArgumentException">A setting outside its rule.</exception>
    protected ImageDepthFeatureMap(ImageSpec spec, DepthMapSpec map, BadRecordPolicy badImages, string imageMember, string depthMember,
        Func<T, ImageInput> image, Func<T, DepthMapInput> depth)
    {
        this.image = new ImagePart(spec, badImages, imageMember, image);
        Spec = this.image.Spec;
        Map = map.Validated();
        BadRecords = badImages;
        ScreenedMember = imageMember;
        this.depthMember = depthMember;
        this.depth = depth;
    }

    /// <summary>The image settings.</summary>
    public ImageSpec Spec { get; }
    /// <summary>The target map settings.</summary>
    public DepthMapSpec Map { get; }
    /// <inheritdoc />
    public object? Settings => (Spec, Map);
    /// <inheritdoc />
    public int Width => Spec.Width;
    /// <inheritdoc />
    public FeatureLayout Layout => Spec.Layout;
    /// <inheritdoc />
    public TargetShape TargetShape => Map.Shape;
    /// <inheritdoc />
    public bool Augments => Spec.Augments;
    /// <inheritdoc />
    public BadRecordPolicy BadRecords { get; }
    /// <summary>The image member's name.</summary>
    public string ScreenedMember { get; }
    /// <inheritdoc />
    public IReadOnlyList<string> ScreenedMembers => new[] { ScreenedMember, depthMember };

    /// <inheritdoc />
    public IReadOnlyList<string> FitNotes => new[]
    {
        FormattableString.Invariant($"{ScreenedMember}: images {Spec.Describe()} {Spec.Color}, normalised as (v - {Spec.Mean}) / {Spec.Std}; ")
        + FormattableString.Invariant($"{depthMember}: target maps {Map.Height} x {Map.Width} (nearest), stored value x {Map.Scale}, pixels outside ({Map.Min}, {Map.Max}]")
        + (Map.MissingValue is { } missing ? FormattableString.Invariant($" or stored as {missing}") : "") + " have no target; "
        + (Augments ? $"training images and their maps augmented together (crop with padding {Spec.Padding}{(Spec.Flip ? ", horizontal flip" : "")}) per seed, epoch and record."
            : "no augmentation."),
    };

    /// <summary>Nothing to fit.</summary>
    public void Fit(IReadOnlyList<T> train)
    {
        if (train.Count == 0) throw new DirDataException("train", "it has no records.");
    }

    /// <inheritdoc />
    public void Write(T record, Span<float> row, string split, int index) => image.Write(record, row, split, index);

    /// <inheritdoc />
    public void WriteAugmented(T record, Span<float> row, string split, int index, AugmentationDraw draw) =>
        image.WriteAugmented(record, row, split, index, draw);

    /// <inheritdoc />
    public long CacheBytesPerRecord => image.CacheBytesPerRecord;

    /// <inheritdoc />
    public void SetDecodeCache(long budgetBytes) => image.SetDecodeCache(budgetBytes);

    /// <inheritdoc />
    public DecodeCacheUse DecodeCacheUse => image.DecodeCacheUse;

    /// <inheritdoc />
    /// <exception cref="DirDataException">The map cannot be read, naming the split, record, member and file.</exception>
    public void WriteTarget(T record, Span<float> target, string split, int index)
    {
        try
        {
            DepthMapReader.Read(depth(record), Map, target);
        }
        catch (DepthMapReadException e)
        {
            throw new DirDataException(split, index, depthMember, e.Message);
        }
    }

    /// <inheritdoc />
    public ScreenProblem? Screen(T record)
    {
        if (image.Screen(record) is { } imageProblem) return imageProblem;
        return DepthMapReader.Check(depth(record)) is { } mapProblem ? new ScreenProblem(depthMember, mapProblem) : null;
    }

    /// <summary>
    /// The crop and flip of <paramref name="draw"/> (<see cref="ImageTransform.Draw"/>, the image's own) as map pixels:
    /// output pixel (y, x) shows the stored map pixel under the centre of the image pixels it covers, after the image's
    /// crop offset and flip; -1 where that centre lies on the padding.
    /// </summary>
    public void TargetSources(AugmentationDraw draw, Span<int> source)
    {
        if (source.Length != Map.Elements) throw new ArgumentException($"{source.Length} sources for a map of {Map.Elements} pixels.", nameof(source));
        var (top, left, flip) = Augments ? ImageTransform.Draw(Spec, draw) : (Spec.Padding, Spec.Padding, false);
        long rows = Spec.Rows, columns = Spec.Columns, h = Map.Height, w = Map.Width;
        for (int y = 0; y < h; y++)
        {
            // Map row y covers image rows around (y + 1/2) R / h; shifted by the crop and back to map rows: floor(((2y + 1) R + 2 (top - P) h) / 2R).
            long sy = FloorDiv((2L * y + 1) * rows + 2L * (top - Spec.Padding) * h, 2 * rows);
            for (int x = 0; x < w; x++)
            {
                long mirrored = flip ? w - 1 - x : x;
                long sx = FloorDiv((2 * mirrored + 1) * columns + 2L * (left - Spec.Padding) * w, 2 * columns);
                source[(int)(y * w + x)] = sy >= 0 && sy < h && sx >= 0 && sx < w ? (int)(sy * w + sx) : -1;
            }
        }
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>The image side: an image map whose target this class never reads (the map is the target).</summary>
    private sealed class ImagePart(ImageSpec spec, BadRecordPolicy badImages, string imageMember, Func<T, ImageInput> image)
        : ImageFeatureMap<T>(spec, badImages, imageMember, imageMember, image, static _ => 0);
}
