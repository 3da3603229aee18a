namespace DirDsl;

/// <summary>
/// Checks every record of every split before training when the feature map can (<see cref="IScreeningMap{T}"/>: an
/// image file exists and its header decodes), so a bad file stops the run at once rather than in the middle of an
/// epoch, or is left out and reported when the map's policy is <see cref="BadRecordPolicy.Skip"/>.
/// </summary>
public static class RecordScreening
{
    /// <summary>How many skipped records a report names.</summary>
    public const int NamedInReport = 3;

    /// <summary>The splits with bad records removed (Skip) or unchanged; other maps pass through unchecked.</summary>
    /// <exception cref="DirDataException">A bad record under <see cref="BadRecordPolicy.Error"/>, naming split, record, member and file.</exception>
    public static DirSplits<T> Apply<T>(IFeatureMap<T> map, DirSplits<T> splits, TextWriter log)
    {
        if (map is not IScreeningMap<T> screening) return splits;
        return new DirSplits<T>(
            Screen(screening, splits.Train, "train", log),
            Screen(screening, splits.Validation, "validation", log),
            Screen(screening, splits.Test, "test", log));
    }

    /// <summary>One split: every record checked (in parallel: the checks are file reads), problems in record order.</summary>
    public static IReadOnlyList<T> Screen<T>(IScreeningMap<T> map, IReadOnlyList<T> records, string split, TextWriter log)
    {
        var problems = new ScreenProblem?[records.Count];
        // One worker per core: more would only wait on the disk, and each thread decoding natively costs its own allocator arena.
        Parallel.For(0, records.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => problems[i] = map.Screen(records[i]));
        var bad = Enumerable.Range(0, records.Count).Where(i => problems[i] is not null).ToArray();
        if (bad.Length == 0) return records;
        if (map.BadRecords == BadRecordPolicy.Error)
        {
            string others = bad.Length > 1 ? $" ({bad.Length - 1:N0} more records of this split have the same kind of problem; "
                + "set [Image(BadImages = BadRecordPolicy.Skip)] to leave such records out)" : "";
            var first = problems[bad[0]].GetValueOrDefault();
            throw new DirDataException(split, bad[0], first.Member, first.Problem + others);
        }
        var named = string.Join("; ", bad.Take(NamedInReport).Select(i => $"record {i}, '{problems[i].GetValueOrDefault().Member}': {problems[i].GetValueOrDefault().Problem}"));
        string members = "'" + string.Join("' or '", map.ScreenedMembers) + "'";
        log.WriteLine($"warning: {split} split: {bad.Length:N0} of {records.Count:N0} records skipped, their {members} cannot be read "
            + $"({named}{(bad.Length > NamedInReport ? "; ..." : "")}).");
        var kept = Enumerable.Range(0, records.Count).Where(i => problems[i] is null).ToArray();
        if (kept.Length == 0) throw new DirDataException(split, $"every one of its {records.Count:N0} records was skipped: none has a readable {members}.");
        return RecordSubset.Of(records, kept);
    }
}
