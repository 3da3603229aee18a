using System.Globalization;

namespace DirDsl;

/// <summary>What kind of target a record has.</summary>
public enum TargetKind
{
    /// <summary>One number per record (an age, a score): the model returns [n, 1].</summary>
    Scalar,
    /// <summary>A fixed number of numbers per record (several targets of one record): the model returns [n, K].</summary>
    Vector,
    /// <summary>A value per pixel (depth, density), [1, H, W] per record: the model returns [n, 1, H, W].</summary>
    Map,
}

/// <summary>
/// The shape of one record's target, carried from the record to the loss and the metrics. Targets travel as tensors of
/// shape [n, ..<see cref="Dims"/>] in batches and as flat arrays of <see cref="Elements"/> values per record in splits.
/// Every element is binned, weighted (from the per-bin table of its own value) and evaluated on its own; an element that
/// is NaN in a vector or a map is missing: masked out of the loss, the label counts and the metrics. A scalar target is
/// never missing (a record without one is an error, as always).
/// </summary>
public sealed class TargetShape : IEquatable<TargetShape>
{
    private readonly int[] dims;
    private readonly string[]? names;

    private TargetShape(TargetKind kind, int[] dims, string[]? names)
    {
        Kind = kind;
        this.dims = dims;
        this.names = names;
        Elements = dims.Aggregate(1, (product, d) => checked(product * d));
    }

    /// <summary>One number per record.</summary>
    public static TargetShape Scalar { get; } = new(TargetKind.Scalar, new[] { 1 }, null);

    /// <summary>A vector of named targets (one element per name, in this order).</summary>
    /// <exception cref="ArgumentException">Fewer than one name, or names repeated or empty.</exception>
    public static TargetShape Vector(params string[] names)
    {
        if (names.Length < 1) throw new ArgumentException("A vector target needs at least one element.", nameof(names));
        if (names.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("A vector target's element names must not be empty.", nameof(names));
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"A vector target's element names repeat: {string.Join(", ", names)}.", nameof(names));
        return new(TargetKind.Vector, new[] { names.Length }, names.ToArray());
    }

    /// <summary>A vector of <paramref name="length"/> targets named <c>member[0]</c>, <c>member[1]</c>, ...</summary>
    /// <exception cref="ArgumentOutOfRangeException">A length below 1.</exception>
    public static TargetShape Vector(int length, string member = "target")
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, "A vector target needs at least one element.");
        return Vector(Enumerable.Range(0, length).Select(i => string.Create(CultureInfo.InvariantCulture, $"{member}[{i}]")).ToArray());
    }

    /// <summary>A dense map of <paramref name="height"/> x <paramref name="width"/> values per record (one channel).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A side below 1.</exception>
    public static TargetShape Map(int height, int width)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "A target map needs at least one row.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "A target map needs at least one column.");
        return new(TargetKind.Map, new[] { 1, height, width }, null);
    }

    /// <summary>Scalar, vector or map.</summary>
    public TargetKind Kind { get; }

    /// <summary>True for one number per record.</summary>
    public bool IsScalar => Kind == TargetKind.Scalar;

    /// <summary>The shape of one record's target: [1] for a scalar, [K] for a vector, [1, H, W] for a map.</summary>
    public IReadOnlyList<int> Dims => dims;

    /// <summary>Values per record.</summary>
    public int Elements { get; }

    /// <summary>Whether an element may be missing (NaN): in vectors and maps, never in a scalar target.</summary>
    public bool AllowsMissing => !IsScalar;

    /// <summary>The elements' names of a vector (for per-element tables), or null.</summary>
    public IReadOnlyList<string>? Names => names;

    /// <summary>The shape of a batch of <paramref name="count"/> records' targets: [n, ..Dims].</summary>
    public long[] BatchShape(long count) => dims.Select(d => (long)d).Prepend(count).ToArray();

    /// <summary>The name of the element at <paramref name="element"/> within a record (a vector's name, a map's row and column).</summary>
    public string ElementName(int element) => Kind switch
    {
        TargetKind.Vector => names![element],
        TargetKind.Map => string.Create(CultureInfo.InvariantCulture, $"{element / dims[2]},{element % dims[2]}"),
        _ => "target",
    };

    /// <summary>The shape in words (the fingerprint and the logs): <c>scalar</c>, <c>vector (a, b)</c>, <c>map 1 x 4 x 4</c>.</summary>
    public override string ToString() => Kind switch
    {
        TargetKind.Scalar => "scalar",
        TargetKind.Vector => $"vector ({string.Join(", ", names!)})",
        _ => string.Create(CultureInfo.InvariantCulture, $"map {string.Join(" x ", dims)}"),
    };

    /// <inheritdoc />
    public bool Equals(TargetShape? other) => other is not null && Kind == other.Kind && dims.SequenceEqual(other.dims)
        && (names ?? Array.Empty<string>()).SequenceEqual(other.names ?? Array.Empty<string>());

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TargetShape);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Elements, dims.Length);
}

/// <summary>
/// The valid elements of per-element arrays: a flat array of a split's targets (NaN where an element is missing) and any
/// array aligned with it (predictions, weights), compacted to the elements that have a target. Label counts, weights
/// and metrics see only those; for a split without missing elements the arrays are returned as they are.
/// </summary>
public static class TargetElements
{
    /// <summary>The positions of the valid (non-NaN) targets, or null when every element is valid.</summary>
    public static int[]? ValidPositions(ReadOnlySpan<float> targets)
    {
        int missing = 0;
        foreach (var t in targets) if (float.IsNaN(t)) missing++;
        if (missing == 0) return null;
        var positions = new int[targets.Length - missing];
        for (int i = 0, at = 0; i < targets.Length; i++) if (!float.IsNaN(targets[i])) positions[at++] = i;
        return positions;
    }

    /// <summary><paramref name="values"/> at <paramref name="positions"/> (all of them when null).</summary>
    public static float[] Select(float[] values, int[]? positions)
    {
        if (positions is null) return values;
        var selected = new float[positions.Length];
        for (int i = 0; i < positions.Length; i++) selected[i] = values[positions[i]];
        return selected;
    }

    /// <summary>
    /// A per-element table of <paramref name="count"/> values from one computed for the valid elements only (weights):
    /// valid elements get theirs, missing elements <paramref name="missing"/>.
    /// </summary>
    public static float[] Scatter(float[] validValues, int[]? positions, int count, float missing = 0f)
    {
        if (positions is null) return validValues;
        var all = new float[count];
        Array.Fill(all, missing);
        for (int i = 0; i < positions.Length; i++) all[positions[i]] = validValues[i];
        return all;
    }
}
