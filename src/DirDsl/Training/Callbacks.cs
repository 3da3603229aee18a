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

    /// <summary>Before an epoch's first step.</summary>
    void OnEpochStart(EpochStart start)
    {
    }

    /// <summary>After each optimiser step (keep it cheap: it runs once per batch).</summary>
    void OnStepEnd(StepEnd step)
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

/// <summary>What a callback sees when an epoch starts.</summary>
/// <param name="Variant">The variant's name.</param>
/// <param name="Seed">The training's seed.</param>
/// <param name="Epoch">The epoch (0-based).</param>
/// <param name="Epochs">Epochs of this stage.</param>
/// <param name="LearningRate">The epoch's learning rate.</param>
public sealed record EpochStart(string Variant, int Seed, int Epoch, int Epochs, double LearningRate);

/// <summary>What a callback sees after a step.</summary>
/// <param name="Variant">The variant's name.</param>
/// <param name="Seed">The training's seed.</param>
/// <param name="Epoch">The epoch (0-based).</param>
/// <param name="Epochs">Epochs of this stage.</param>
/// <param name="Step">Steps done in this epoch (1 after the first).</param>
/// <param name="Steps">Steps per epoch.</param>
/// <param name="ReadLoss">Reads the step's training loss (see <see cref="Loss"/>).</param>
public sealed record StepEnd(string Variant, int Seed, int Epoch, int Epochs, int Step, int Steps, Func<double> ReadLoss)
{
    /// <summary>
    /// The step's training loss, read to the host when asked for (on a GPU that waits for the step to finish, so a
    /// callback that reads it every step costs a synchronisation per step; the trainer itself reads an epoch's losses
    /// once, at its end). Readable until the epoch ends.
    /// </summary>
    public double Loss => ReadLoss();
}

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
    private readonly Action<string>? stopping;

    /// <summary>A control on its own (a callback's tests).</summary>
    public TrainingControl()
    {
    }

    /// <summary>A control that tells the trainer at once when a callback stops the training, so later callbacks (the checkpoint) see it.</summary>
    internal TrainingControl(Action<string> stopping) => this.stopping = stopping;

    /// <summary>Why a callback stopped the training, or null while it goes on.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Ends the training after the current epoch (as early stopping does; the best epoch is still the one validation chose).</summary>
    public void Stop(string reason)
    {
        if (StopReason is not null) return;
        StopReason = reason;
        stopping?.Invoke(reason);
    }
}

/// <summary>
/// Checkpointing as a callback (Lightning's <c>ModelCheckpoint</c>): keeps the best epoch's weights in memory and writes
/// the training's state at most every <see cref="RunOptions.CheckpointInterval"/> and after its last epoch (or the
/// epoch a callback stopped it). The trainer puts it after early stopping and the user's callbacks, so a training they
/// stop is saved as finished; resume itself happens before the training starts (<see cref="CheckpointStore.TryResume"/>).
/// </summary>
internal sealed class Checkpointing(CheckpointStore store, TorchSharp.Modules.OptimizerHelper optimizer, TrainingState state, TimeSpan interval, int epochs) : ITrainingCallback
{
    public void OnEpochEnd(EpochEnd epochEnd, TrainingControl control)
    {
        if (epochEnd.IsBest) store.RecordBest(epochEnd.Model, state);
        store.SaveIfDue(epochEnd.Model, optimizer, state, interval, final: state.NextEpoch >= epochs || state.Stopped);
    }
}

/// <summary>The run's progress (the bar, the per-epoch lines of --verbose, the time left) as a callback; last in the list.</summary>
internal sealed class ProgressReporting(RunProgress progress) : ITrainingCallback
{
    public void OnTrainingStart(TrainingStart start) => progress.Resumed(start.FirstEpoch);

    public void OnEpochStart(EpochStart start) => progress.BeginEpoch();

    public void OnStepEnd(StepEnd step) => progress.Step(step.Variant, step.Epoch, step.Epochs, step.Step, step.Steps);

    public void OnEpochEnd(EpochEnd epochEnd, TrainingControl control)
    {
        var r = epochEnd.Record;
        string marker = epochEnd.BestEpoch == r.Epoch ? " (best)" : "";
        progress.EndEpoch(r.Seconds, FormattableString.Invariant(
            $"{epochEnd.Variant} epoch {r.Epoch + 1}/{epochEnd.Epochs}: train loss {r.TrainLoss:0.0000}, validation MSE {r.ValidationMse:0.0000} MAE {r.ValidationMae:0.0000}{marker}"));
    }
}

/// <summary>The end-of-epoch hooks of <see cref="RunOptions.OnTrainEpochEnd"/> and the experiment's <c>OnTrainEpochEnd</c>, as a callback.</summary>
internal sealed class EpochHooks(Action<string, EpochRecord>? run, Action<EpochEnd>? experiment) : ITrainingCallback
{
    public void OnEpochEnd(EpochEnd epochEnd, TrainingControl control)
    {
        run?.Invoke(epochEnd.Variant, epochEnd.Record);
        experiment?.Invoke(epochEnd);
    }
}
