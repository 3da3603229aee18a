namespace DirDsl;

/// <summary>
/// A view into FDS after one epoch's update (results.json's history and the FDS figure): how far the running statistics
/// lie from the smoothed ones (the paper's figure of it shrinking over training), how far the calibration moves a bin's
/// features on average per shot group, and the share of bins it calibrates at all.
/// </summary>
/// <param name="MeanDistance">Mean |running mean - smoothed mean| over bins and components.</param>
/// <param name="VarianceDistance">Mean |running variance - smoothed variance| over bins and components.</param>
/// <param name="CalibratedShare">Share of bins with at least one calibrated component (0 before calibration acts).</param>
/// <param name="Shift">Mean calibration shift over all bins (<see cref="FeatureStatistics.CalibrationEffect"/>).</param>
/// <param name="ShiftMany">Mean shift over the many-shot bins (NaN when the variant's bins are not the experiment's or the group is empty).</param>
/// <param name="ShiftMedium">Mean shift over the medium-shot bins.</param>
/// <param name="ShiftFew">Mean shift over the few-shot bins (zero-shot bins included).</param>
public sealed record FdsEpoch(double MeanDistance, double VarianceDistance, double CalibratedShare, double Shift, double ShiftMany,
    double ShiftMedium, double ShiftFew)
{
    /// <summary>The view of <paramref name="statistics"/> as they stand, grouped by <paramref name="groups"/> when they cover its bins.</summary>
    public static FdsEpoch Of(FeatureStatistics statistics, ShotGroups groups)
    {
        var (meanDistance, varianceDistance) = statistics.SmoothingDistance();
        var (shift, calibrated) = statistics.CalibrationEffect();
        double Group(ShotGroup group)
        {
            if (groups.Count != shift.Length) return double.NaN;
            var values = Enumerable.Range(0, shift.Length).Where(bin => groups.GroupOf(bin) == group).Select(bin => (double)shift[bin]).ToList();
            return values.Count == 0 ? double.NaN : values.Average();
        }
        return new FdsEpoch(meanDistance, varianceDistance, calibrated.Count(c => c) / (double)calibrated.Length, shift.Average(x => (double)x),
            Group(ShotGroup.Many), Group(ShotGroup.Medium), Group(ShotGroup.Few));
    }
}
