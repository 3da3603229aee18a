using System.Globalization;

namespace DirDsl;

/// <summary>A target range [Min, Max) held out of training and validation.</summary>
/// <param name="Min">Inclusive lower bound.</param>
/// <param name="Max">Exclusive upper bound.</param>
public sealed record TargetRange(double Min, double Max)
{
    /// <summary>Parses "MIN:MAX" (invariant culture).</summary>
    /// <exception cref="ArgumentException">Not two numbers with MIN &lt; MAX.</exception>
    public static TargetRange Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
            && min < max)
            return new TargetRange(min, max);
        throw new ArgumentException($"A held-out range is MIN:MAX with MIN < MAX, e.g. 40:50, not '{text}'.");
    }

    /// <summary>Whether a target lies in [Min, Max).</summary>
    public bool Contains(double target) => target >= Min && target < Max;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{Min}, {Max})");
}

/// <summary>
/// Interpolation and extrapolation checks, as in the paper's analysis: target ranges are removed from
/// training (and validation, so model selection cannot peek at them) and kept in the test split,
/// where their bins become zero-shot and the Zero row of every table measures them.
/// </summary>
public static class TargetHoldout
{
    /// <summary>The splits without training and validation records in <paramref name="ranges"/>; test unchanged.</summary>
    /// <exception cref="DirDataException">The ranges remove every training record.</exception>
    public static DirSplits<T> Apply<T>(DirSplits<T> splits, Func<T, string, int, float> target, IReadOnlyList<TargetRange> ranges, TextWriter log)
    {
        if (ranges.Count == 0) return splits;
        // By index, so records read from storage are not all loaded (the subset streams like its source).
        IReadOnlyList<T> Keep(IReadOnlyList<T> records, string split) => RecordSubset.Of(records,
            Enumerable.Range(0, records.Count).Where(i => !ranges.Any(range => range.Contains(target(records[i], split, i)))).ToArray());
        var train = Keep(splits.Train, "train");
        var validation = Keep(splits.Validation, "validation");
        if (train.Count == 0) throw new DirDataException("train", $"the held-out ranges {string.Join(", ", ranges)} remove every record.");
        log.WriteLine($"Held out {string.Join(", ", ranges)}: {splits.Train.Count - train.Count} training and {splits.Validation.Count - validation.Count} validation records removed; the test split keeps them (zero-shot bins).");
        return new DirSplits<T>(train, validation, splits.Test);
    }
}
