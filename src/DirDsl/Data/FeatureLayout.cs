namespace DirDsl;

/// <summary>
/// Which columns of an input row are numbers and which form the one-hot block of a category. Resampling
/// needs it: a category is compared by overlap and copied whole, never interpolated into fractions. The layout also
/// gives the shape of one record's input ([W] for a row, [C, H, W] for an image), which batches take.
/// </summary>
public sealed class FeatureLayout
{
    private readonly (int Start, int Width)[] categories;

    /// <summary>
    /// A row made of consecutive blocks of columns (one per [Feature] member, in row order), each a one-hot category or
    /// numbers; the generated feature map describes its rows this way.
    /// </summary>
    public static FeatureLayout FromBlocks(IReadOnlyList<(int Width, bool IsCategory)> blocks)
    {
        var categories = new List<(int Start, int Width)>();
        int at = 0;
        foreach (var (width, isCategory) in blocks)
        {
            if (isCategory) categories.Add((at, width));
            at += width;
        }
        return new FeatureLayout(at, categories);
    }

    /// <summary>A row of <paramref name="width"/> columns whose given ranges are one-hot blocks.</summary>
    /// <exception cref="ArgumentException">A block outside the row or overlapping another.</exception>
    public FeatureLayout(int width, IEnumerable<(int Start, int Width)> categories)
    {
        Width = width;
        Shape = new long[] { width };
        this.categories = categories.Where(c => c.Width > 0).OrderBy(c => c.Start).ToArray();
        var numeric = Enumerable.Repeat(true, width).ToArray();
        foreach (var (start, length) in this.categories)
        {
            if (start < 0 || start + length > width)
                throw new ArgumentException($"Category block [{start}, {start + length}) is outside a row of {width} columns.", nameof(categories));
            for (int j = start; j < start + length; j++)
            {
                if (!numeric[j]) throw new ArgumentException($"Category blocks overlap at column {j}.", nameof(categories));
                numeric[j] = false;
            }
        }
        NumericColumns = Enumerable.Range(0, width).Where(j => numeric[j]).ToArray();
    }

    /// <summary>Every column numeric.</summary>
    public static FeatureLayout Numeric(int width) => new(width, Array.Empty<(int, int)>());

    /// <summary>An image of <paramref name="channels"/> x <paramref name="height"/> x <paramref name="width"/> values (channel-major), all numeric.</summary>
    public static FeatureLayout Image(int channels, int height, int width) =>
        new(checked(channels * height * width), Array.Empty<(int, int)>()) { Shape = new long[] { channels, height, width } };

    /// <summary>The shape of one record's input: [Width] for a row, [C, H, W] for an image. A batch is [n, ..Shape].</summary>
    public IReadOnlyList<long> Shape { get; private init; }

    /// <summary>The shape of a batch of <paramref name="count"/> records.</summary>
    public long[] BatchShape(long count) => Shape.Prepend(count).ToArray();

    /// <summary>Row width.</summary>
    public int Width { get; }
    /// <summary>Indices of the numeric columns.</summary>
    public IReadOnlyList<int> NumericColumns { get; }
    /// <summary>The one-hot blocks, by start column.</summary>
    public IReadOnlyList<(int Start, int Width)> Categories => categories;
}
