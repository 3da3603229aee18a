using System.Buffers;
using System.Collections.Concurrent;

namespace DirDsl.Images;

/// <summary>
/// The feature map of a record type with an [Image] member: each record's image decoded, resized, converted and
/// normalised into a [channels, size, size] input; training rows augmented from (seed, epoch, record). Nothing is
/// fitted on the training split (the normalisation is declared). The generated <c>FeatureMap</c> derives from it and
/// supplies the member accessors. With a budget (<see cref="SetDecodeCache"/>, which a run sets from --image-cache) the
/// decoded 8-bit pixels of each image file or encoded image are kept, so later reads (epochs, the FDS pass, evaluation,
/// other variants and seeds) only augment and normalise them; the values are the same either way.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public abstract class ImageFeatureMap<T> : IAugmentingMap<T>, IScreeningMap<T>, IDecodeCachingMap
{
    // Decoded levels by image: a file by its path, an encoded image by its array (the same array is the same image).
    private readonly ConcurrentDictionary<object, byte[]> decoded = new(ImageKey.Comparer);
    private long budget, keptBytes, hits, decodes;
    private readonly Func<T, ImageInput> image;
    private readonly Func<T, double> target;
    private readonly string targetMember;

    /// <summary>A map reading <paramref name="image"/> as <paramref name="spec"/> says.</summary>
    /// <param name="spec">Size, colour, normalisation and augmentation.</param>
    /// <param name="badImages">What an unreadable image does.</param>
    /// <param name="imageMember">The [Image] member's name, for errors.</param>
    /// <param name="targetMember">The [Target] member's name, for errors.</param>
    /// <param name="image">Reads a record's image.</param>
    /// <param name="target">Reads a record's target.</param>
    /// <exception cref="ArgumentException">A setting of <paramref name="spec"/> outside its rule.</exception>
    protected ImageFeatureMap(ImageSpec spec, BadRecordPolicy badImages, string imageMember, string targetMember, Func<T, ImageInput> image,
        Func<T, double> target)
    {
        Spec = spec.Validated();
        BadRecords = badImages;
        ScreenedMember = imageMember;
        this.targetMember = targetMember;
        this.image = image;
        this.target = target;
    }

    /// <summary>The image settings.</summary>
    public ImageSpec Spec { get; }
    /// <inheritdoc />
    public object? Settings => Spec;
    /// <inheritdoc />
    public int Width => Spec.Width;
    /// <inheritdoc />
    public FeatureLayout Layout => Spec.Layout;
    /// <inheritdoc />
    public bool Augments => Spec.Augments;
    /// <inheritdoc />
    public BadRecordPolicy BadRecords { get; }
    /// <summary>The image member's name.</summary>
    public string ScreenedMember { get; }
    /// <inheritdoc />
    public IReadOnlyList<string> ScreenedMembers => new[] { ScreenedMember };

    /// <inheritdoc />
    public IReadOnlyList<string> FitNotes => new[]
    {
        FormattableString.Invariant($"{ScreenedMember}: images {Spec.Describe()} {Spec.Color}, normalised as (v - {Spec.Mean}) / {Spec.Std}; ")
        + (Augments ? $"training images augmented (crop with padding {Spec.Padding}{(Spec.Flip ? ", horizontal flip" : "")}) per seed, epoch and record."
            : "no augmentation."),
    };

    /// <summary>Nothing to fit: the normalisation is declared, not estimated.</summary>
    public void Fit(IReadOnlyList<T> train)
    {
        if (train.Count == 0) throw new DirDataException("train", "it has no records.");
    }

    /// <inheritdoc />
    public void Write(T record, Span<float> row, string split, int index) => WriteRow(record, row, split, index, null);

    /// <inheritdoc />
    public void WriteAugmented(T record, Span<float> row, string split, int index, AugmentationDraw draw) =>
        WriteRow(record, row, split, index, Augments ? draw : null);

    /// <summary>Decodes the record's image into pooled pixels, then augments (with a draw) or only normalises it into the row.</summary>
    private void WriteRow(T record, Span<float> row, string split, int index, AugmentationDraw? draw)
    {
        var pixels = ArrayPool<float>.Shared.Rent(Spec.Width);
        try
        {
            var chw = pixels.AsSpan(0, Spec.Width);
            DecodeInto(record, chw, split, index);
            if (draw is { } d) ImageTransform.Augment(chw, Spec, d, row);
            else ImageTransform.Normalize(chw, Spec, row);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pixels);
        }
    }

    /// <inheritdoc />
    public float Target(T record, string split, int index) => DirDataset.CheckTarget(target(record), split, index, targetMember);

    /// <inheritdoc />
    public ScreenProblem? Screen(T record) => ImageDecoder.Check(image(record), Spec) is { } problem ? new ScreenProblem(ScreenedMember, problem) : null;

    /// <summary>A kept image's levels and what holding them costs beside (the array's header, the dictionary's entry).</summary>
    public long CacheBytesPerRecord => Spec.Width + EntryOverhead;

    /// <summary>Bytes a kept image costs beyond its levels: the array header and the dictionary entry and bucket, about.</summary>
    private const int EntryOverhead = 64;

    /// <inheritdoc />
    public void SetDecodeCache(long budgetBytes) => Interlocked.Exchange(ref budget, Math.Max(0, budgetBytes));

    /// <inheritdoc />
    public DecodeCacheUse DecodeCacheUse => new(decoded.Count, Interlocked.Read(ref keptBytes), Interlocked.Read(ref hits), Interlocked.Read(ref decodes));

    private void DecodeInto(T record, Span<float> chw, string split, int index)
    {
        try
        {
            var input = image(record);
            if (input.Pixels is null && Interlocked.Read(ref budget) > 0)
            {
                DecodeCached(input, chw);
                return;
            }
            if (input.Pixels is null) Interlocked.Increment(ref decodes);
            ImageDecoder.Decode(input, Spec, chw);
        }
        catch (ImageReadException e)
        {
            throw new DirDataException(split, index, ScreenedMember, e.Message);
        }
    }

    /// <summary>
    /// An encoded image's values from the cache, or decoded and kept while the budget allows. Two workers reading one
    /// image at once may both decode it; one copy is kept.
    /// </summary>
    private void DecodeCached(ImageInput input, Span<float> chw)
    {
        object key = (object?)input.Path ?? input.Encoded!;
        if (decoded.TryGetValue(key, out var kept))
        {
            Interlocked.Increment(ref hits);
            ImageDecoder.ToValues(kept, chw);
            return;
        }
        long cost = CacheBytesPerRecord;
        if (Interlocked.Read(ref keptBytes) + cost > Interlocked.Read(ref budget))
        {
            // The cache is full: decode into pooled memory, as without a cache, rather than into an array nobody keeps.
            ImageDecoder.Decode(input, Spec, chw);
            Interlocked.Increment(ref decodes);
            return;
        }
        var levels = new byte[Spec.Width];
        ImageDecoder.DecodeLevels(input, Spec, levels);
        Interlocked.Increment(ref decodes);
        if (Interlocked.Add(ref keptBytes, cost) > Interlocked.Read(ref budget) || !decoded.TryAdd(key, levels))
            Interlocked.Add(ref keptBytes, -cost);
        ImageDecoder.ToValues(levels, chw);
    }

    /// <summary>Image identities: paths compare as text, encoded images as arrays (by reference, not by content).</summary>
    private sealed class ImageKey : IEqualityComparer<object>
    {
        public static readonly ImageKey Comparer = new();

        public new bool Equals(object? x, object? y) => x is string a ? y is string b && string.Equals(a, b, StringComparison.Ordinal) : ReferenceEquals(x, y);

        public int GetHashCode(object value) => value is string text ? StringComparer.Ordinal.GetHashCode(text) : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value);
    }
}
