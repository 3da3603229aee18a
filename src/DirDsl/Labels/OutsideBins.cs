namespace DirDsl;

/// <summary>What a run does with targets outside [LabelBins] (--outside-bins).</summary>
public enum OutsideTargets
{
    /// <summary>Keep them as they are (they count in the edge bins, their own value enters the loss) and warn: the default.</summary>
    Warn,
    /// <summary>Clip their value to [Min, Max]: the loss and the errors see the edge value (top-coded data).</summary>
    Clip,
    /// <summary>
    /// Leave their records out of every split, counted per split (a scalar target); a vector's or map's elements outside
    /// have no target (missing, as NaN), and their records stay.
    /// </summary>
    Drop,
    /// <summary>Stop before training, naming the split, the record and the value.</summary>
    Error,
}

/// <summary>Targets outside the label space: they count in the edge bins, but enter the loss and the errors with their own value.</summary>
public static class OutsideBins
{
    /// <summary>A warning naming how many targets of <paramref name="split"/> lie outside its bins and the farthest one, or null.</summary>
    public static string? Describe(SplitData split) => Describe(split.Name, split.Summary);

    /// <summary>The same from a split's <paramref name="summary"/> (per target element; a missing one, NaN, is never outside).</summary>
    public static string? Describe(string split, TargetSummary summary)
    {
        if (summary.FarthestAt < 0) return null;
        var bins = summary.Bins;
        var shape = summary.Shape;
        return FormattableString.Invariant(
            $"warning: {split} split: {summary.Below + summary.Above} targets lie outside [LabelBins] [{bins.Min:G6}, {bins.Max:G6}] ({summary.Below} below, {summary.Above} above; the farthest is {summary.Farthest:0.#########} at record {summary.FarthestAt / shape.Elements}{(shape.IsScalar ? "" : ", element " + shape.ElementName((int)(summary.FarthestAt % shape.Elements)))}). ")
            + "They count in the edge bins for LDS, FDS and the shot groups but enter the loss and the errors with their own value: check the data, "
            + "widen [LabelBins], or choose --outside-bins clip, drop or error.";
    }

    /// <summary>
    /// The splits under <paramref name="policy"/>: unchanged (Warn; Clip, logged per split: the values are clipped where
    /// <see cref="TargetReading"/> reads them),
    /// without the records whose target lies outside (Drop, logged per split), or an error at the first such record.
    /// </summary>
    /// <exception cref="DirDataException">Error: a target outside the bins; Drop: a split left empty.</exception>
    public static DirSplits<T> Apply<T>(DirSplits<T> splits, Func<T, string, int, float> target, LabelBins bins, OutsideTargets policy, TextWriter log) =>
        Apply(splits, (record, split, index) => new[] { target(record, split, index) }, TargetShape.Scalar, bins, policy, log);

    /// <summary>
    /// The same for targets of any <paramref name="shape"/>, read per record as their elements (NaN missing): Clip and
    /// Error see every element; Drop leaves out the records of a scalar target, and only counts a vector's or map's
    /// elements outside, which have no target when the splits are read (<see cref="TargetReading.DropOutside"/>): a record is
    /// not lost for one of its pixels.
    /// </summary>
    /// <exception cref="DirDataException">Error: a target outside the bins; Drop: a split left with no record, or (a vector or map) with no element that has a target.</exception>
    public static DirSplits<T> Apply<T>(DirSplits<T> splits, Func<T, string, int, float[]> elements, TargetShape shape, LabelBins bins, OutsideTargets policy,
        TextWriter log)
    {
        if (policy == OutsideTargets.Warn) return splits;
        bool Outside(float t) => t < bins.Min || t > bins.Max;
        string space = FormattableString.Invariant($"[LabelBins] [{bins.Min:G6}, {bins.Max:G6}]");
        if (policy == OutsideTargets.Clip || policy == OutsideTargets.Drop && !shape.IsScalar)
        {
            foreach (var (records, split) in new[] { (splits.Train, "train"), (splits.Validation, "validation"), (splits.Test, "test") })
            {
                long outside = 0, kept = 0;
                for (int i = 0; i < records.Count; i++)
                    foreach (var t in elements(records[i], split, i))
                    {
                        if (Outside(t)) outside++;
                        else if (!float.IsNaN(t)) kept++;
                    }
                if (policy == OutsideTargets.Drop && kept == 0 && records.Count > 0)
                    throw new DirDataException(split, $"no target element lies inside {space}: with --outside-bins drop none would be left.");
                if (outside == 0) continue;
                log.WriteLine(policy == OutsideTargets.Clip
                    ? FormattableString.Invariant($"{split} split: {outside} targets outside {space} clipped to its edges (--outside-bins clip).")
                    : FormattableString.Invariant($"{split} split: {outside:N0} target elements outside {space} have no target (--outside-bins drop: a {shape}'s elements are dropped, not its records)."));
            }
            return splits;
        }
        IReadOnlyList<T> Filter(IReadOnlyList<T> records, string split)
        {
            var kept = new List<int>(records.Count);
            for (int i = 0; i < records.Count; i++)
            {
                var values = elements(records[i], split, i);
                int outsideAt = Array.FindIndex(values, Outside);
                if (outsideAt < 0)
                {
                    kept.Add(i);
                    continue;
                }
                if (policy == OutsideTargets.Error)
                    throw new DirDataException(split, i, shape.IsScalar ? "target" : shape.ElementName(outsideAt), FormattableString.Invariant(
                        $"the target {values[outsideAt]:0.#########} lies outside [LabelBins] [{bins.Min:G6}, {bins.Max:G6}] (--outside-bins error)."));
            }
            if (kept.Count == records.Count) return records;
            if (kept.Count == 0) throw new DirDataException(split, $"every target lies outside {space} (--outside-bins drop).");
            log.WriteLine(FormattableString.Invariant($"{split} split: {records.Count - kept.Count} records with targets outside {space} left out (--outside-bins drop)."));
            return RecordSubset.Of(records, kept.ToArray());
        }
        return new DirSplits<T>(Filter(splits.Train, "train"), Filter(splits.Validation, "validation"), Filter(splits.Test, "test"));
    }
}
