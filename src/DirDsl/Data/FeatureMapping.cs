namespace DirDsl;

/// <summary>
/// Turns records into model input rows and targets. The generator emits one per experiment from
/// the record's [Feature] / [Target] members: no reflection at run time.
/// </summary>
public interface IFeatureMap<in T>
{
    /// <summary>Width of an input row (known after <see cref="Fit"/>).</summary>
    int Width { get; }
    /// <summary>Fits standardisation and vocabularies on the training split.</summary>
    void Fit(IReadOnlyList<T> train);
    /// <summary>Writes a record's input row; <paramref name="split"/> and <paramref name="index"/> name it in errors.</summary>
    void Write(T record, Span<float> row, string split, int index);
    /// <summary>The record's target; errors name the split and index.</summary>
    float Target(T record, string split, int index);
    /// <summary>Which columns of a row are one-hot category blocks (resampling copies them whole); default: all numeric.</summary>
    FeatureLayout Layout => FeatureLayout.Numeric(Width);
}

/// <summary>Standardises one numeric feature: (x - mean) / std, fitted on the training split (std 0 -> 1).</summary>
public sealed class Standardizer
{
    private double mean;
    private double scale = 1;

    /// <summary>The member's name, for errors.</summary>
    public Standardizer(string member) => Member = member;

    /// <summary>The member.</summary>
    public string Member { get; }

    /// <summary>Fits mean and standard deviation; every value must be finite.</summary>
    public void Fit<T>(IReadOnlyList<T> train, Func<T, double> value)
    {
        if (train.Count == 0) throw new DirDataException("train", "it has no records.");
        double sum = 0;
        for (int i = 0; i < train.Count; i++) sum += Check(value(train[i]), "train", i);
        mean = sum / train.Count;
        double squares = 0;
        for (int i = 0; i < train.Count; i++) squares += Math.Pow(value(train[i]) - mean, 2);
        double std = Math.Sqrt(squares / train.Count);
        scale = std > 0 ? 1 / std : 1;   // a constant feature maps to 0, not to NaN
    }

    /// <summary>The standardised value.</summary>
    public float Transform(double value, string split, int index) => (float)((Check(value, split, index) - mean) * scale);

    private double Check(double value, string split, int index) => double.IsFinite(value)
        ? value
        : throw new DirDataException(split, index, Member, $"the value is {value}; features must be finite.");
}

/// <summary>Standardises a fixed-length vector feature per component, fitted on the training split.</summary>
public sealed class VectorStandardizer
{
    private double[] mean = Array.Empty<double>();
    private double[] scale = Array.Empty<double>();

    /// <summary>The member's name, for errors.</summary>
    public VectorStandardizer(string member) => Member = member;

    /// <summary>The member.</summary>
    public string Member { get; }
    /// <summary>The vector length.</summary>
    public int Width => mean.Length;

    /// <summary>Fits per-component mean and standard deviation.</summary>
    public void Fit<T>(IReadOnlyList<T> train, Func<T, IReadOnlyList<float>?> value)
    {
        if (train.Count == 0) throw new DirDataException("train", "it has no records.");
        int width = Get(value(train[0]), "train", 0, -1).Count;
        if (width == 0) throw new DirDataException("train", 0, Member, "the vector is empty.");
        var sum = new double[width];
        var squares = new double[width];
        for (int i = 0; i < train.Count; i++)
        {
            var v = Get(value(train[i]), "train", i, width);
            for (int j = 0; j < width; j++) sum[j] += v[j];
        }
        mean = sum.Select(s => s / train.Count).ToArray();
        for (int i = 0; i < train.Count; i++)
        {
            var v = value(train[i])!;
            for (int j = 0; j < width; j++) squares[j] += Math.Pow(v[j] - mean[j], 2);
        }
        scale = squares.Select(s => Math.Sqrt(s / train.Count) is var std && std > 0 ? 1 / std : 1).ToArray();
    }

    /// <summary>Writes the standardised vector into <paramref name="destination"/>.</summary>
    public void Transform(IReadOnlyList<float>? value, Span<float> destination, string split, int index)
    {
        var v = Get(value, split, index, Width);
        for (int j = 0; j < destination.Length; j++) destination[j] = (float)((v[j] - mean[j]) * scale[j]);
    }

    private IReadOnlyList<float> Get(IReadOnlyList<float>? value, string split, int index, int width)
    {
        if (value is null) throw new DirDataException(split, index, Member, "the vector is null.");
        if (width >= 0 && value.Count != width)
            throw new DirDataException(split, index, Member, $"the vector has {value.Count} components; the training split's first record has {width}.");
        for (int j = 0; j < value.Count; j++)
            if (!float.IsFinite(value[j])) throw new DirDataException(split, index, Member, $"component {j} is {value[j]}; features must be finite.");
        return value;
    }
}

/// <summary>One-hot encoding of a categorical feature (string or enum) with the training split's vocabulary.</summary>
public sealed class Vocabulary
{
    private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);

    /// <summary>The member's name, for errors.</summary>
    public Vocabulary(string member) => Member = member;

    /// <summary>The member.</summary>
    public string Member { get; }
    /// <summary>Number of categories seen in training (the one-hot width).</summary>
    public int Count => index.Count;

    /// <summary>Collects the categories of the training split, in order of first appearance.</summary>
    public void Fit<T>(IReadOnlyList<T> train, Func<T, string?> value)
    {
        index.Clear();
        for (int i = 0; i < train.Count; i++) index.TryAdd(value(train[i]) ?? "", index.Count);
    }

    /// <summary>Writes the one-hot code; a category unseen in training is all zeros.</summary>
    public void Transform(string? value, Span<float> destination)
    {
        destination.Clear();
        if (index.TryGetValue(value ?? "", out var at)) destination[at] = 1;
    }
}
