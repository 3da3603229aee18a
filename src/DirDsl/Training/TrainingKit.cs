using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>Small pieces every generated training loop uses: seeding, optimisers, schedules, batch order.</summary>
public static class TrainingKit
{
    /// <summary>Seeds torch for an epoch so that a resumed run draws exactly what an uninterrupted one would.</summary>
    public static void SeedEpoch(int seed, int epoch) => manual_seed(unchecked(seed * 1_000_003L + epoch));

    /// <summary>The seeds of a run: <paramref name="first"/>, first + 1, ... (<paramref name="count"/> of them).</summary>
    public static IReadOnlyList<int> Seeds(int first, int count) => Enumerable.Range(0, Math.Max(1, count)).Select(i => unchecked(first + i)).ToArray();

    /// <summary>
    /// Creates the optimiser: TorchSharp's arithmetic and state, with a step that keeps its Scalars alive across native calls
    /// (TorchSharp 0.107's own step can read a freed Scalar when a garbage collection runs during it; see SafeOptimizers.cs).
    /// </summary>
    public static TorchSharp.Modules.OptimizerHelper CreateOptimizer(OptimizerKind kind, IEnumerable<TorchSharp.Modules.Parameter> parameters,
        double learningRate, double weightDecay) => kind switch
    {
        OptimizerKind.Adam => new SafeAdam(parameters, learningRate, weightDecay),
        OptimizerKind.AdamW => new SafeAdamW(parameters, learningRate, weightDecay),
        OptimizerKind.Sgd => new SafeSgd(parameters, learningRate, SgdMomentum, weightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown optimiser"),
    };

    /// <summary>The momentum of <see cref="OptimizerKind.Sgd"/>.</summary>
    public const double SgdMomentum = 0.9;

    /// <summary>The learning rate of an epoch under a schedule (a pure function of the epoch, so resume needs no scheduler state).</summary>
    public static double LearningRateAt(ScheduleKind schedule, double baseRate, int epoch, int epochs,
        IReadOnlyList<int>? milestones = null, double gamma = DslDefaults.ScheduleGamma) => schedule switch
    {
        ScheduleKind.Constant => baseRate,
        ScheduleKind.MultiStep => baseRate * Math.Pow(gamma, (milestones ?? Array.Empty<int>()).Count(m => epoch >= m)),
        ScheduleKind.Cosine => baseRate * 0.5 * (1 + Math.Cos(Math.PI * epoch / Math.Max(1, epochs))),
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "unknown schedule"),
    };

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void SetLearningRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }

    /// <summary>
    /// The mini-batches of an epoch: a permutation of 0..n-1 drawn from (seed, epoch) alone, cut
    /// into batches of <paramref name="batchSize"/> (the last may be smaller). <paramref name="round"/> 0 is the training
    /// steps' order; another round (<see cref="Augmentation.StatisticsPass"/>) draws its own permutation. Each batch is a
    /// slice of the epoch's one permutation array, so a step allocates nothing in proportion to its batch.
    /// </summary>
    public static IEnumerable<ReadOnlyMemory<long>> Batches(int count, int batchSize, int seed, int epoch, int round = 0)
    {
        var order = new long[count];
        for (int i = 0; i < count; i++) order[i] = i;
        new Random(round == 0 ? StableSeed(seed, epoch) : StableSeed(StableSeed(seed, epoch), round)).Shuffle(order);
        for (int start = 0; start < count; start += batchSize)
            yield return order.AsMemory(start, Math.Min(batchSize, count - start));
    }

    /// <summary>
    /// A 31-bit seed mixed from (seed, epoch) with SplitMix64: the same in every process. (HashCode.Combine
    /// is randomised per process, which would make the batch order differ between runs.)
    /// </summary>
    public static int StableSeed(int seed, int epoch)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)epoch) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    /// <summary>The record indices 0..count-1 as consecutive batches of <paramref name="chunk"/> (the last may be smaller).</summary>
    public static IEnumerable<ReadOnlyMemory<long>> InOrder(int count, int chunk) => Chunks(count, chunk).Select(c =>
    {
        var indices = new long[c.Length];
        for (long i = 0; i < c.Length; i++) indices[i] = c.Start + i;
        return (ReadOnlyMemory<long>)indices;
    });

    /// <summary>Consecutive index ranges for no-grad passes over a split.</summary>
    public static IEnumerable<(long Start, long Length)> Chunks(long count, int chunk)
    {
        for (long start = 0; start < count; start += chunk) yield return (start, Math.Min(chunk, count - start));
    }

    /// <summary>
    /// The sum, in step order and in double, of an epoch's step losses read to the host at its end; the first non-finite
    /// one is a <see cref="TrainingDivergedException"/> naming its epoch and step.
    /// </summary>
    public static double CheckLosses(float[] losses, int epoch)
    {
        double sum = 0;
        for (int step = 0; step < losses.Length; step++)
        {
            double value = losses[step];
            if (!double.IsFinite(value)) throw new TrainingDivergedException(epoch, step, value);
            sum += value;
        }
        return sum;
    }
}

/// <summary>The run was cancelled (Ctrl-C) during a training; its last checkpoint is kept and <c>--resume</c> continues from it.</summary>
public sealed class TrainingInterruptedException : OperationCanceledException
{
    /// <summary>Creates the error for <paramref name="variant"/> and <paramref name="seed"/>, stopped in <paramref name="epoch"/>.</summary>
    public TrainingInterruptedException(string variant, int seed, int epoch, int checkpointedEpochs, CancellationToken token)
        : base($"Interrupted: {variant} seed {seed} stopped in epoch {epoch + 1}; its last checkpoint holds "
               + (checkpointedEpochs == 0 ? "no finished epoch" : $"{checkpointedEpochs} finished epoch{(checkpointedEpochs == 1 ? "" : "s")}")
               + " and the trainings before it are complete. Run the same command with --resume to continue from there.", token)
    {
        Variant = variant;
        Seed = seed;
        CheckpointedEpochs = checkpointedEpochs;
    }

    /// <summary>The variant that was training.</summary>
    public string Variant { get; }
    /// <summary>Its seed.</summary>
    public int Seed { get; }
    /// <summary>Epochs its last checkpoint holds (resume continues after them).</summary>
    public int CheckpointedEpochs { get; }
}

/// <summary>Training produced a NaN or infinite loss; the last good checkpoint is kept.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the error.</summary>
    public TrainingDivergedException(int epoch, int step, double loss)
        : base($"The loss became {loss} at epoch {epoch}, step {step}; training stopped. The last good checkpoint is kept. "
               + "Lower the learning rate, clip gradients (GradientClipNorm) or check the data for extreme values.")
    {
        Epoch = epoch;
        Step = step;
    }

    /// <summary>The epoch.</summary>
    public int Epoch { get; }
    /// <summary>The step within the epoch.</summary>
    public int Step { get; }
}

/// <summary>
/// The training path's reads of tensor values to the host (each one waits for the device to finish its queued work),
/// counted so a test can hold the loop to a number per epoch that does not grow with its steps. TorchSharp's own reads
/// inside its operations are not seen here.
/// </summary>
public static class HostReads
{
    private static long count;

    /// <summary>Reads so far in this process.</summary>
    public static long Count => Interlocked.Read(ref count);

    /// <summary>The value of a one-element tensor.</summary>
    public static T Item<T>(Tensor tensor) where T : unmanaged
    {
        Interlocked.Increment(ref count);
        return tensor.item<T>();
    }

    /// <summary>A tensor's values as a float array (one copy to the host).</summary>
    public static float[] Floats(Tensor tensor)
    {
        Interlocked.Increment(ref count);
        using var scope = NewDisposeScope();
        return tensor.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
    }
}
