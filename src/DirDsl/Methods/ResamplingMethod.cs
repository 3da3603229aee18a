namespace DirDsl;

/// <summary>
/// SMOTER / SMOGN as a method of a variant: the variant trains on the training split resampled (seeded by the training's
/// seed, logged), never re-weighted.
/// </summary>
/// <param name="Options">The resampling settings.</param>
public sealed record ResamplingMethod(ResamplingOptions Options) : IVariantMethod
{
    /// <inheritdoc />
    public string Name => Options.Name;

    /// <inheritdoc />
    public SplitData? TrainingRecords(SplitData train, MethodContext context)
    {
        var resampled = train.Resample(Options, context.Bins, context.TargetScale, context.Seed, out var summary);
        context.Log.WriteLine($"{context.Variant.Name} (seed {context.Seed}): {train.Count} training records resampled to {resampled.Count}: {summary}.");
        if (summary.RareBumps == 0)
            context.Log.WriteLine($"warning: {context.Variant.Name}: no training target reaches relevance {Options.Threshold}; the row trains on the records as they are (try Relevance = RelevanceKind.Rarity).");
        return resampled;
    }
}
