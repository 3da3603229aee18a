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
    /// <summary>
    /// The record's scalar target; errors name the split and index. A map of a vector or dense target implements
    /// <see cref="WriteTarget"/> instead (this default reads its one element, so it serves only a one-element shape).
    /// </summary>
    /// <exception cref="InvalidOperationException">The target has more than one element.</exception>
    float Target(T record, string split, int index)
    {
        if (TargetShape.Elements != 1)
            throw new InvalidOperationException($"The target is a {TargetShape}; read it with WriteTarget, not Target.");
        Span<float> one = stackalloc float[1];
        WriteTarget(record, one, split, index);
        return one[0];
    }
    /// <summary>The shape of a record's target (<see cref="DirDsl.TargetShape.Scalar"/> unless the map says otherwise).</summary>
    TargetShape TargetShape => TargetShape.Scalar;
    /// <summary>
    /// Writes the record's target, <see cref="TargetShape"/>.Elements values (row-major), into <paramref name="target"/>;
    /// NaN marks a missing element of a vector or map. The default writes <see cref="Target"/>: a map implements one of the two.
    /// Like <c>Write</c>, it may be called from the loader's worker threads, several records at once (a dense map's training
    /// split over its memory budget reads each batch's targets there), so it keeps no state between calls.
    /// </summary>
    void WriteTarget(T record, Span<float> target, string split, int index) => target[0] = Target(record, split, index);
    /// <summary>Which columns of a row are one-hot category blocks (resampling copies them whole); default: all numeric.</summary>
    FeatureLayout Layout => FeatureLayout.Numeric(Width);
    /// <summary>
    /// The map's declared settings that decide its rows beyond the data itself (an image's size, normalisation and
    /// augmentation), part of the run fingerprint; null when the rows follow from the data alone.
    /// </summary>
    object? Settings => null;
    /// <summary>What <see cref="Fit"/> learned, member by member, to keep with a trained model; empty when nothing is fitted (an image).</summary>
    IReadOnlyList<FittedMember> Fitted => Array.Empty<FittedMember>();
    /// <summary>Restores what <see cref="Fitted"/> kept, instead of <see cref="Fit"/> (a trained model predicting new records).</summary>
    /// <exception cref="InvalidDataException">The state does not match this map's members.</exception>
    void Restore(IReadOnlyList<FittedMember> state)
    {
        if (state.Count != 0) throw new InvalidDataException($"The saved feature map has {state.Count} fitted members; this map fits none.");
    }
    /// <summary>What fitting found worth saying (how many training cells each nullable member had empty and what fills them).</summary>
    IReadOnlyList<string> FitNotes => Array.Empty<string>();
}

/// <summary>
/// A fitter of one [Feature] member: observes every training record in each of <see cref="FeatureFitting.Passes"/>
/// passes (the generated feature map feeds all its members in the same passes), then finishes.
/// </summary>
public interface IFeatureFitter
{
    /// <summary>The member it fits.</summary>
    string Member { get; }
    /// <summary>Starts fitting afresh.</summary>
    void Begin();
    /// <summary>Ends pass <paramref name="pass"/> (0 or 1) over <paramref name="count"/> records.</summary>
    void EndPass(int pass, int count);
    /// <summary>What fitting learned, to keep with a trained model (<see cref="TrainedModel{TRecord, TModel}"/>).</summary>
    FittedMember Save();
    /// <summary>Restores what <see cref="Save"/> kept, instead of fitting.</summary>
    /// <exception cref="InvalidDataException">The state is of another member or kind.</exception>
    void Restore(FittedMember state);
}

/// <summary>A fitted member as a trained model keeps it: its name, its fitter's kind, numbers and words (a vocabulary).</summary>
/// <param name="Member">The [Feature] member.</param>
/// <param name="Kind">The fitter (Standardizer, ImputingStandardizer, VectorStandardizer, Vocabulary).</param>
/// <param name="Numbers">Means, scales and fill values, in the fitter's order.</param>
/// <param name="Words">A vocabulary's categories in column order; null otherwise.</param>
public sealed record FittedMember(string Member, string Kind, double[] Numbers, string[]? Words = null)
{
    /// <summary>Checks that this state is <paramref name="fitter"/>'s, and has <paramref name="numbers"/> numbers when given.</summary>
    /// <exception cref="InvalidDataException">Another member, another kind, or the wrong count of numbers.</exception>
    public void CheckFor(IFeatureFitter fitter, int? numbers = null)
    {
        var kind = fitter.GetType().Name;
        if (Member != fitter.Member || Kind != kind || (numbers is { } n && Numbers.Length != n))
            throw new InvalidDataException($"The saved feature map has {Kind} '{Member}' ({Numbers.Length} numbers) where the record has {kind} '{fitter.Member}': "
                + "the record type changed since the model was trained.");
    }
}

/// <summary>
/// Fits a record type's members on the training split in two passes over the records (sums, then squared
/// deviations from the mean: the two-pass variance), whatever the number of members, so a streamed split is
/// read twice, not twice per member.
/// </summary>
public static class FeatureFitting
{
    /// <summary>Passes over the training records.</summary>
    public const int Passes = 2;

    /// <summary>Restores every fitter from its saved state, in order (a trained model's feature map).</summary>
    /// <exception cref="InvalidDataException">Another number of members, or a state of another member or kind.</exception>
    public static void Restore(IReadOnlyList<IFeatureFitter> fitters, IReadOnlyList<FittedMember> state)
    {
        if (state.Count != fitters.Count)
            throw new InvalidDataException($"The saved feature map has {state.Count} members ({string.Join(", ", state.Select(s => s.Member))}); the record has "
                + $"{fitters.Count} ({string.Join(", ", fitters.Select(f => f.Member))}): the record type changed since the model was trained.");
        for (int i = 0; i < fitters.Count; i++) fitters[i].Restore(state[i]);
    }

    /// <summary>Calls <paramref name="observe"/>(record, pass, index) for every record in each pass, then ends each pass on every fitter.</summary>
    /// <exception cref="DirDataException">The training split is empty, or a value is not finite (naming record and member).</exception>
    public static void Fit<T>(IReadOnlyList<T> train, IReadOnlyList<IFeatureFitter> fitters, Action<T, int, int> observe)
    {
        if (train.Count == 0) throw new DirDataException("train", "it has no records.");
        foreach (var fitter in fitters) fitter.Begin();
        for (int pass = 0; pass < Passes; pass++)
        {
            for (int i = 0; i < train.Count; i++) observe(train[i], pass, i);
            foreach (var fitter in fitters) fitter.EndPass(pass, train.Count);
        }
    }
}

/// <summary>Standardises one numeric feature: (x - mean) / std, fitted on the training split (std 0 -> 1).</summary>
public sealed class Standardizer : IFeatureFitter
{
    private double mean;
    private double scale = 1;
    private double sum;
    private double squares;

    /// <summary>The member's name, for errors.</summary>
    public Standardizer(string member) => Member = member;

    /// <summary>The member.</summary>
    public string Member { get; }

    /// <inheritdoc />
    public void Begin() => sum = squares = 0;

    /// <summary>Pass 0 sums the (checked) values of the training records; pass 1 sums their squared deviations.</summary>
    public void Observe(double value, int pass, int index)
    {
        if (pass == 0) sum += Check(value, "train", index);
        else squares += Math.Pow(value - mean, 2);
    }

    /// <inheritdoc />
    public void EndPass(int pass, int count)
    {
        if (pass == 0)
        {
            mean = sum / count;
            return;
        }
        double std = Math.Sqrt(squares / count);
        scale = std > 0 ? 1 / std : 1;   // a constant feature maps to 0, not to NaN
    }

    /// <summary>The standardised value.</summary>
    public float Transform(double value, string split, int index) => (float)((Check(value, split, index) - mean) * scale);

    /// <inheritdoc />
    public FittedMember Save() => new(Member, nameof(Standardizer), new[] { mean, scale });

    /// <inheritdoc />
    public void Restore(FittedMember state)
    {
        state.CheckFor(this, 2);
        (mean, scale) = (state.Numbers[0], state.Numbers[1]);
    }

    private double Check(double value, string split, int index) => double.IsFinite(value)
        ? value
        : throw new DirDataException(split, index, Member, $"the value is {value}; features must be finite.");
}

/// <summary>
/// A nullable number: missing values are filled (median, mean or zero of the training split's observed values), then
/// standardised with the observed values' mean and deviation; a second column is 1 where the value was missing, 0
/// elsewhere. Everything is fitted on the training split only. The median keeps the observed values of this member
/// in memory while fitting (8 bytes per record).
/// </summary>
public sealed class ImputingStandardizer : IFeatureFitter
{
    /// <summary>Input columns per record: the value and the missing indicator.</summary>
    public const int Width = 2;

    private readonly List<double> observed = new();
    private double sum, squares, mean, scale = 1;
    private int count;

    /// <summary>The member's name (for errors) and the strategy.</summary>
    public ImputingStandardizer(string member, Imputation strategy)
    {
        Member = member;
        Strategy = strategy;
    }

    /// <summary>The member.</summary>
    public string Member { get; }
    /// <summary>What fills a missing value.</summary>
    public Imputation Strategy { get; }
    /// <summary>The value that fills a missing one, in the member's unit (after fitting).</summary>
    public double FillValue { get; private set; }
    /// <summary>Training records whose value was missing.</summary>
    public int MissingInTraining { get; private set; }
    /// <summary>Training records in all.</summary>
    public int TrainingRecords { get; private set; }

    /// <summary>The line a run logs after fitting.</summary>
    public string Note => FormattableString.Invariant(
        $"'{Member}': {MissingInTraining} of {TrainingRecords} training values missing, filled with the training {Strategy.ToString().ToLowerInvariant()} {FillValue:G6} (an indicator column marks them; validation and test use the same value)");

    /// <inheritdoc />
    public void Begin()
    {
        observed.Clear();
        sum = squares = 0;
        count = MissingInTraining = 0;
    }

    /// <summary>Pass 0 counts missing values and sums the observed (checked) ones; pass 1 sums their squared deviations.</summary>
    public void Observe(double? value, int pass, int index)
    {
        if (value is not { } v)
        {
            if (pass == 0) MissingInTraining++;
            return;
        }
        if (pass == 0)
        {
            sum += Check(v, "train", index);
            count++;
            if (Strategy == Imputation.Median) observed.Add(v);
        }
        else squares += Math.Pow(v - mean, 2);
    }

    /// <inheritdoc />
    public void EndPass(int pass, int records)
    {
        TrainingRecords = records;
        if (pass == 0)
        {
            if (count == 0) throw new DirDataException("train", 0, Member, "every training value is missing; there is nothing to learn from or to fill with.");
            mean = sum / count;
            FillValue = Strategy switch
            {
                Imputation.Median => Descriptive.Median(observed.ToArray()),
                Imputation.Mean => mean,
                _ => 0,
            };
            observed.Clear();
            return;
        }
        double std = Math.Sqrt(squares / count);
        scale = std > 0 ? 1 / std : 1;
    }

    /// <inheritdoc />
    public FittedMember Save() => new(Member, nameof(ImputingStandardizer), new[] { FillValue, mean, scale });

    /// <inheritdoc />
    public void Restore(FittedMember state)
    {
        state.CheckFor(this, 3);
        (FillValue, mean, scale) = (state.Numbers[0], state.Numbers[1], state.Numbers[2]);
    }

    /// <summary>Writes the standardised value (the fill where missing) and the indicator into <paramref name="destination"/>.</summary>
    public void Transform(double? value, Span<float> destination, string split, int index)
    {
        bool missing = value is null;
        double raw = missing ? FillValue : Check(value!.Value, split, index);
        destination[0] = (float)((raw - mean) * scale);
        destination[1] = missing ? 1 : 0;
    }

    private double Check(double value, string split, int index) => double.IsFinite(value)
        ? value
        : throw new DirDataException(split, index, Member, $"the value is {value}; features must be finite or missing (null).");
}

/// <summary>Standardises a fixed-length vector feature per component, fitted on the training split.</summary>
public sealed class VectorStandardizer : IFeatureFitter
{
    private double[] mean = Array.Empty<double>();
    private double[] scale = Array.Empty<double>();
    private double[] sum = Array.Empty<double>();
    private double[] squares = Array.Empty<double>();

    /// <summary>The member's name, for errors.</summary>
    public VectorStandardizer(string member) => Member = member;

    /// <summary>The member.</summary>
    public string Member { get; }
    /// <summary>The vector length.</summary>
    public int Width => mean.Length;

    /// <inheritdoc />
    public void Begin()
    {
        sum = Array.Empty<double>();
        mean = Array.Empty<double>();
    }

    /// <summary>Pass 0 checks each vector against the first record's length and sums it; pass 1 sums squared deviations.</summary>
    public void Observe(IReadOnlyList<float>? value, int pass, int index)
    {
        if (pass == 0)
        {
            if (index == 0)
            {
                int width = Get(value, "train", 0, -1).Count;
                if (width == 0) throw new DirDataException("train", 0, Member, "the vector is empty.");
                sum = new double[width];
            }
            var v = Get(value, "train", index, sum.Length);
            for (int j = 0; j < sum.Length; j++) sum[j] += v[j];
            return;
        }
        var values = value!;
        for (int j = 0; j < squares.Length; j++) squares[j] += Math.Pow(values[j] - mean[j], 2);
    }

    /// <inheritdoc />
    public void EndPass(int pass, int count)
    {
        if (pass == 0)
        {
            mean = sum.Select(s => s / count).ToArray();
            squares = new double[mean.Length];
            return;
        }
        scale = squares.Select(s => Math.Sqrt(s / count) is var std && std > 0 ? 1 / std : 1).ToArray();
    }

    /// <inheritdoc />
    /// <remarks>The means, then the scales.</remarks>
    public FittedMember Save() => new(Member, nameof(VectorStandardizer), mean.Concat(scale).ToArray());

    /// <inheritdoc />
    public void Restore(FittedMember state)
    {
        state.CheckFor(this);
        if (state.Numbers.Length % 2 != 0)
            throw new InvalidDataException($"The saved vector '{Member}' has {state.Numbers.Length} numbers; its means and scales come in pairs.");
        int width = state.Numbers.Length / 2;
        mean = state.Numbers[..width];
        scale = state.Numbers[width..];
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
public sealed class Vocabulary : IFeatureFitter
{
    private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);

    /// <summary>The member's name, for errors.</summary>
    public Vocabulary(string member) => Member = member;

    /// <summary>The member.</summary>
    public string Member { get; }
    /// <summary>Number of categories seen in training (the one-hot width).</summary>
    public int Count => index.Count;

    /// <inheritdoc />
    public void Begin()
    {
        index.Clear();
        missing.Clear();
        observed = 0;
    }

    /// <summary>Training values that look missing (null, empty, or a marker such as ? or NA: <see cref="CsvRow.MissingMarkers"/>), by text.</summary>
    private readonly SortedDictionary<string, int> missing = new(StringComparer.Ordinal);
    private int observed;

    /// <summary>Pass 0 collects the category (and counts the ones that look missing); pass 1 has nothing to do.</summary>
    public void Observe(string? value, int pass)
    {
        if (pass != 0) return;
        index.TryAdd(value ?? "", index.Count);
        observed++;
        if (value is null || CsvRow.MissingMarkers.Contains(value.Trim()))
        {
            var shown = value is null ? "null" : $"'{value}'";
            missing[shown] = missing.GetValueOrDefault(shown) + 1;
        }
    }

    /// <summary>
    /// What fitting saw of missing categories, for the run's log: a category is a category, so a missing value (a null
    /// string, an empty cell, "?") is one of its own in the one-hot code and nothing is filled; null when there was none.
    /// </summary>
    public string? Note => missing.Count == 0 ? null : FormattableString.Invariant(
        $"'{Member}': {missing.Values.Sum()} of {observed} training values look missing ({string.Join(", ", missing.Select(p => FormattableString.Invariant($"{p.Key} x {p.Value}")))}); ")
        + "each is kept as a category of its own in the one-hot code (nothing is filled); drop those records in the [Data] member if they should not be learned from.";

    /// <inheritdoc />
    public void EndPass(int pass, int count)
    {
    }

    /// <inheritdoc />
    /// <remarks>The categories in column order (the order of first appearance in training).</remarks>
    public FittedMember Save() => new(Member, nameof(Vocabulary), Array.Empty<double>(), index.OrderBy(p => p.Value).Select(p => p.Key).ToArray());

    /// <inheritdoc />
    public void Restore(FittedMember state)
    {
        state.CheckFor(this, 0);
        index.Clear();
        foreach (var word in state.Words ?? Array.Empty<string>()) index.Add(word, index.Count);
    }

    /// <summary>Writes the one-hot code; a category unseen in training is all zeros.</summary>
    public void Transform(string? value, Span<float> destination)
    {
        destination.Clear();
        if (index.TryGetValue(value ?? "", out var at)) destination[at] = 1;
    }
}
