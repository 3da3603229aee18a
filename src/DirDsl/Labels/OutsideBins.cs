namespace DirDsl;

/// <summary>Targets outside the label space: they count in the edge bins, but enter the loss and the errors with their own value.</summary>
public static class OutsideBins
{
    /// <summary>A warning naming how many targets of <paramref name="split"/> lie outside the bins and the farthest one, or null.</summary>
    public static string? Describe(SplitData split, LabelBins bins)
    {
        int below = 0, above = 0, farthest = -1;
        double worst = 0;
        for (int i = 0; i < split.Count; i++)
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
            $"warning: {split.Name} split: {below + above} targets lie outside [LabelBins] [{bins.Min:G6}, {bins.Max:G6}] ({below} below, {above} above; the farthest is {split.Targets[farthest]:0.#########} at record {farthest}). ")
            + "They count in the edge bins for LDS, FDS and the shot groups but enter the loss and the errors with their own value: check the data, or widen [LabelBins].";
    }
}
