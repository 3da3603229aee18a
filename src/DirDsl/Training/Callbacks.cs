namespace DirDsl;

/// <summary>
/// Code of your own around the trainer's fit loop (PyTorch Lightning's <c>Callback</c>): logging, plots, a stopping rule.
/// Add instances to <see cref="RunOptions.Callbacks"/>; every method has an empty default. Callbacks see every training
/// (each variant, seed and RRT stage) and run on the training thread between steps, never inside one.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Before the first epoch of a training (after a resume has restored its state).</summary>
    void OnTrainingStart(TrainingStart start)
    {
    }

    /// <summary>
    /// After each epoch's statistics update and validation pass, before its checkpoint is written; call
    /// <see cref="TrainingControl.Stop"/> to end the training after this epoch (it is then checkpointed as finished).
    /// </summary>
    void OnEpochEnd(EpochEnd epochEnd, TrainingControl control)
    {
    }

    /// <summary>After a training's best epoch has been restored and evaluated.</summary>
    void OnTrainingEnd(VariantResult result)
    {
    }
}

/// <summary>What a callback sees when a training starts.</summary>
/// <param name="Variant">The variant's name (RRT's first stage: RRT-stage1).</param>
/// <param name="Seed">The training's seed.</param>
/// <param name="Epochs">Epochs of this stage.</param>
/// <param name="FirstEpoch">The first epoch it will train (0, or the one after a resumed checkpoint's).</param>
/// <param name="Model">The model; read it, do not replace its parameters.</param>
public sealed record TrainingStart(string Variant, int Seed, int Epochs, int FirstEpoch, DirModel Model);

/// <summary>
/// Early stopping ([DirExperiment(Patience)]) as a callback: asks to stop a training when validation has not improved for
/// <see cref="Patience"/> epochs. The trainer puts it before the user's callbacks.
/// </summary>
public sealed class EarlyStopping : ITrainingCallback
{
    /// <summary>Stops when the best epoch lies <paramref name="patience"/> epochs back ([DirExperiment(Patience)], at least 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A patience below 1.</exception>
    public EarlyStopping(int patience) => Patience = patience >= 1
        ? patience
        : throw new ArgumentOutOfRangeException(nameof(patience), patience, "Early stopping needs a patience of at least 1 epoch.");

    /// <summary>Epochs without a better validation score before the training stops.</summary>
    public int Patience { get; }

    /// <summary>The callback a training gets for [DirExperiment(Patience)]: none for 0 (every epoch trains).</summary>
    public static IEnumerable<ITrainingCallback> For(int patience) => patience > 0 ? new[] { new EarlyStopping(patience) } : Array.Empty<ITrainingCallback>();

    /// <inheritdoc />
    /// <remarks>Derived from the epoch and the best epoch alone, so a resumed training stops where an uninterrupted one would.</remarks>
    public void OnEpochEnd(EpochEnd epochEnd, TrainingControl control)
    {
        if (epochEnd.Record.Epoch - epochEnd.BestEpoch >= Patience)
            control.Stop($"no better validation score for {Patience} epochs (early stopping, Patience = {Patience})");
    }
}

/// <summary>Lets a callback end a training early.</summary>
public sealed class TrainingControl
{
    /// <summary>Why a callback stopped the training, or null while it goes on.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Ends the training after the current epoch (as early stopping does; the best epoch is still the one validation chose).</summary>
    public void Stop(string reason) => StopReason ??= reason;
}
