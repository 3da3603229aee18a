namespace DirDsl;

/// <summary>
/// The augmentation of one training epoch: batches read with it give each record the random transformation drawn
/// from (seed, epoch, record), so a run is reproducible and a resumed epoch sees exactly the pixels it would have.
/// </summary>
/// <param name="Seed">The training's seed.</param>
/// <param name="Epoch">The epoch (0-based).</param>
public sealed record Augmentation(int Seed, int Epoch)
{
    /// <summary>
    /// Which reading of the epoch this is: 0 for the training steps, <see cref="StatisticsPass"/> for FDS's epoch-end pass,
    /// which draws its own transformations as the reference's second loop over its training loader does.
    /// </summary>
    public int Round { get; init; }

    /// <summary>The <see cref="Round"/> of FDS's epoch-end statistics pass.</summary>
    public const int StatisticsPass = 1;

    /// <summary>The draw of one record (its index within the split).</summary>
    public AugmentationDraw For(int record) => new(Seed, Epoch, record, Round);
}

/// <summary>
/// The random numbers of one record's augmentation in one epoch: a pure function of (seed, epoch, record), independent
/// of thread, batch order and worker count. Each decision uses its own stream, so adding one does not shift the others.
/// </summary>
/// <param name="Seed">The training's seed.</param>
/// <param name="Epoch">The epoch.</param>
/// <param name="Record">The record's index within its split.</param>
/// <param name="Round">The reading of the epoch (<see cref="Augmentation.Round"/>; 0 leaves the draws of the training steps as they were).</param>
public readonly record struct AugmentationDraw(int Seed, int Epoch, int Record, int Round = 0)
{
    /// <summary>A uniform integer in [0, <paramref name="count"/>) for decision <paramref name="stream"/>.</summary>
    public int Below(int stream, int count)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "The range must hold at least one value.");
        // The high 32 bits of a SplitMix64 output, scaled (Lemire's multiply-shift): bias below 2^-32 for small counts.
        return (int)(((Bits(stream) >> 32) * (ulong)count) >> 32);
    }

    /// <summary>A fair coin for decision <paramref name="stream"/>.</summary>
    public bool Coin(int stream) => (Bits(stream) >> 63) == 1;

    /// <summary>64 random bits: SplitMix64's finaliser over the packed (seed, epoch, record, stream, round).</summary>
    private ulong Bits(int stream)
    {
        ulong z = unchecked((ulong)(uint)Seed * 0x9E3779B97F4A7C15UL
            ^ ((ulong)(uint)Epoch << 32 | (uint)Record) * 0xBF58476D1CE4E5B9UL
            ^ ((ulong)(uint)stream + 1) * 0x94D049BB133111EBUL
            ^ (ulong)(uint)Round * 0xD1B54A32D192ED03UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}

/// <summary>
/// A feature map that transforms training records at random (an image's crop and flip): the trainer's training
/// batches come through <see cref="WriteAugmented"/>, every other read (validation, test, FDS statistics, prediction)
/// through <see cref="IFeatureMap{T}.Write"/>. Such a map streams: its rows differ every epoch.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public interface IAugmentingMap<in T> : IFeatureMap<T>
{
    /// <summary>Whether training rows are augmented at all (false: the map behaves as a plain one).</summary>
    bool Augments { get; }

    /// <summary>Writes a record's training row, transformed by <paramref name="draw"/>.</summary>
    void WriteAugmented(T record, Span<float> row, string split, int index, AugmentationDraw draw);
}

/// <summary>
/// An augmenting map whose transformation moves a dense target with its input (the same crop, the same flip on an image
/// and its depth map). The map says, for each element of the transformed target, which element of the stored target it
/// shows; the split moves the targets, bins and mask by that index, so a depth is never mixed with another (nearest) and
/// a pixel keeps its own bin and weight.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public interface IJointAugmentingMap<in T> : IAugmentingMap<T>
{
    /// <summary>
    /// Writes into <paramref name="source"/> (one entry per target element, row-major) the stored element each element of
    /// the target transformed by <paramref name="draw"/> shows, or -1 where it shows none (a padded border: no target).
    /// </summary>
    void TargetSources(AugmentationDraw draw, Span<int> source);
}

/// <summary>
/// A feature map that can check a record before training (an image: the file exists and its header decodes), so a
/// bad record is found before any epoch runs, and can be skipped when the user asks for it.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public interface IScreeningMap<in T> : IFeatureMap<T>
{
    /// <summary>What to do with a record that fails the check.</summary>
    BadRecordPolicy BadRecords { get; }

    /// <summary>The members the check reads (named in reports).</summary>
    IReadOnlyList<string> ScreenedMembers { get; }

    /// <summary>Null when the record's files can be read; otherwise the member at fault and what is wrong, naming the file.</summary>
    ScreenProblem? Screen(T record);
}

/// <summary>What a record's check found: the member whose file cannot be read and why (naming the file).</summary>
public readonly record struct ScreenProblem(string Member, string Problem);
