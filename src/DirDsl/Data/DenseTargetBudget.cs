namespace DirDsl;

/// <summary>
/// Whether a dense map's training targets are held in memory or read again with each batch. Held, they take
/// <see cref="StreamingSplit{T}.HeldBytesPerElement"/> bytes a pixel, so a run's memory would grow with its images: they
/// are held when they fit the run's memory budget (<c>--image-cache</c>, shared with the decoded images, which get the
/// rest), and otherwise each batch reads its records' maps from storage, as it reads their photos. Either way every value
/// is the same; only the time and the memory differ. Other targets (a number or a short vector per record) are always held.
/// </summary>
/// <param name="HoldTrainTargets">Whether the training split holds its targets.</param>
/// <param name="Reserved">Bytes of the budget the held targets take (0 when they are not held).</param>
/// <param name="Line">What the run logs about it, or null for a target that is not a map.</param>
public readonly record struct DenseTargetBudget(bool HoldTrainTargets, long Reserved, string? Line)
{
    /// <summary>The choice for <paramref name="trainRecords"/> training targets of <paramref name="shape"/> under <paramref name="budget"/> (null: <see cref="DecodeCache.AutoBudget"/>).</summary>
    public static DenseTargetBudget For(TargetShape shape, long trainRecords, long? budget)
    {
        if (shape.Kind != TargetKind.Map) return new(true, 0, null);
        long whole = budget ?? DecodeCache.AutoBudget();
        long needed = StreamingSplit<object>.HeldTargetBytes(trainRecords, shape);
        string setting = budget is null ? "--image-cache auto" : whole == 0 ? "--image-cache off" : "--image-cache " + DecodeCache.Size(whole);
        return needed <= whole && whole > 0
            ? new(true, needed, $"Dense targets: the {trainRecords:N0} training target maps ({shape}) take {DecodeCache.Size(needed)} held, within {DecodeCache.Size(whole)} ({setting}): "
                + "held in memory, the decoded images get the rest of the budget.")
            : new(false, 0, $"Dense targets: the {trainRecords:N0} training target maps ({shape}) would take {DecodeCache.Size(needed)} held, over {DecodeCache.Size(whole)} ({setting}): "
                + "each batch reads its records' maps again, so memory does not grow with the images.");
    }
}
