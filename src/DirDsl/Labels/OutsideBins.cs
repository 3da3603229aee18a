namespace DirDsl;

/// <summary>What a run does with targets outside [LabelBins] (--outside-bins).</summary>
public enum OutsideTargets
{
    /// <summary>Keep them as they are (they count in the edge bins, their own value enters the loss) and warn: the default.</summary>
    Warn,
    /// <summary>Clip their value to [Min, Max]: the loss and the errors see the edge value (top-coded data).</summary>
    Clip,
    /// <summary>Leave their records out of every split, counted per split.</summary>
    Drop,
    /// <summary>Stop before training, naming the split, the record and the value.</summary>
    Error,
}

/// <summary>Targets outside the label space: they count in the edge bins, but enter the loss and the errors with their own value.</summary>
public static class OutsideBins
{
    /// <summary>A warning naming how many targets of <paramref name="split"/> lie outside the bins and the farthest one, or null.</summary>
    public static string? Describe(SplitData split, LabelBins bins)
    {
        int below = 0, above = 0, farthest = -1;
        double worst = 0;
        // Per target element (a missing one, NaN, is never outside).
        for (int i = 0; i < split.Targets.Length; i++)
        {
            double t = split.Targets[i];
            double distance = t < bins.Min ? bins.Min - t : t > bins.Max ? t - bins.Max : 0;
            if (distance == 0) continue;
            if (t < bins.Min) below++;
            else above++;
            if (distance > worst)
            {
                worst = distance;
                farthest = i;
            }
        }
        if (farthest < 0) return null;
        return FormattableString.Invariant(
            $"warning: {split.Name} split: {below + above} targets lie outside [LabelBins] [{bins.Min:G6}, {bins.Max:G6}] ({below} below, {above} above; the farthest is {split.Targets[farthest]:0.#########} at record {farthest / split.Shape.Elements}{(split.Shape.IsScalar ? "" : ", element " + split.Shape.ElementName(farthest % split.Shape.Elements))}). ")
            + "They count in the edge bins for LDS, FDS and the shot groups but enter the loss and the errors with their own value: check the data, "
            + "widen [LabelBins], or choose --outside-bins clip, drop or error.";
    }

    /// <summary>
    /// The splits under <paramref name="policy"/>: unchanged (Warn; Clip, logged per split: the values are clipped where
    /// <see cref="SplitData.Create{T}"/> reads them),
    /// without the records whose target lies outside (Drop, logged per split), or an error at the first such record.
    /// </summary>
    /// <exception cref="DirDataException">Error: a target outside the bins; Drop: a split left empty.</exception>
    public static DirSplits<T> Apply<T>(DirSplits<T> splits, Func<T, string, int, float> target, LabelBins bins, OutsideTargets policy, TextWriter log) =>
        Apply(splits, (record, split, index) => new[] { target(record, split, index) }, TargetShape.Scalar, bins, policy, log);

    /// <summary>
    /// The same for targets of any <paramref name="shape"/>, read per record as their elements (NaN missing): Clip and
    /// Error see every element; Drop leaves records out, so it takes a scalar target.
    /// </summary>
    /// <exception cref="ArgumentException">Drop asked of a vector or map target (leaving out a record for one element would lose the rest).</exception>
    public static DirSplits<T> Apply<T>(DirSplits<T> splits, Func<T, string, int, float[]> elements, TargetShape shape, LabelBins bins, OutsideTargets policy,
        TextWriter log)
    {
        if (policy == OutsideTargets.Warn) return splits;
        if (policy == OutsideTargets.Drop && !shape.IsScalar)
            throw new ArgumentException($"--outside-bins drop leaves out records, and this experiment's target is a {shape}: dropping a record for one element "
                + "would lose the others. Use --outside-bins clip, error or warn, or mark such elements missing (NaN) in the data.");
        bool Outside(float t) => t < bins.Min || t > bins.Max;
        if (policy == OutsideTargets.Clip)
        {
            foreach (var (records, split) in new[] { (splits.Train, "train"), (splits.Validation, "validation"), (splits.Test, "test") })
            {
                int outside = Enumerable.Range(0, records.Count).Sum(i => elements(records[i], split, i).Count(Outside));
                if (outside > 0)
                    log.WriteLine(FormattableString.Invariant($"{split} split: {outside} targets outside [LabelBins] [{bins.Min:G6}, {bins.Max:G6}] clipped to its edges (--outside-bins clip)."));
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
            if (kept.Count == 0) throw new DirDataException(split, FormattableString.Invariant($"every target lies outside [LabelBins] [{bins.Min:G6}, {bins.Max:G6}] (--outside-bins drop)."));
            log.WriteLine(FormattableString.Invariant($"{split} split: {records.Count - kept.Count} records with targets outside [LabelBins] [{bins.Min:G6}, {bins.Max:G6}] left out (--outside-bins drop)."));
            return RecordSubset.Of(records, kept.ToArray());
        }
        return new DirSplits<T>(Filter(splits.Train, "train"), Filter(splits.Validation, "validation"), Filter(splits.Test, "test"));
    }
}
