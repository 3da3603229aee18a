using System.Diagnostics;
using System.Globalization;

namespace DirDsl;

/// <summary>
/// Progress of a long task. On a terminal, one line redrawn in place with a bar; when output is
/// redirected (CI logs, files), plain lines at most every few seconds and at the end.
/// </summary>
public sealed class TrainingProgress
{
    private readonly TextWriter log;
    private readonly bool interactive;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan lastPlain = TimeSpan.Zero;

    /// <summary>Progress written to <paramref name="log"/>; interactive only on an unredirected console.</summary>
    public TrainingProgress(TextWriter log)
    {
        this.log = log;
        interactive = ReferenceEquals(log, Console.Out) && !Console.IsOutputRedirected;
    }

    /// <summary>Whether the bar is drawn in place.</summary>
    public bool Interactive => interactive;

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> units of <paramref name="task"/>.</summary>
    public void Report(string task, long done, long total, string? detail = null)
    {
        double fraction = total == 0 ? 1 : Math.Clamp((double)done / total, 0, 1);
        var elapsed = clock.Elapsed;
        // With a detail the caller says what the estimate is; alone, the task's own estimate from this progress's clock.
        string eta = detail is null && fraction > 0 && fraction < 1
            ? $" eta {TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction):mm\\:ss}" : "";
        string text = string.Create(CultureInfo.InvariantCulture, $"{task} {done}/{total}{eta}{(detail is null ? "" : "  " + detail)}");
        if (interactive)
        {
            const int width = 24;
            int filled = (int)Math.Round(fraction * width);
            log.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}".PadRight(Math.Max(1, Console.WindowWidth - 1)));
            if (done >= total) log.WriteLine();
        }
        else if (done >= total || elapsed - lastPlain >= TimeSpan.FromSeconds(5))
        {
            lastPlain = elapsed;
            log.WriteLine(text);
        }
    }

    /// <summary>Writes a line (ending any bar in progress).</summary>
    public void Line(string text) => log.WriteLine(text);
}

/// <summary>
/// Progress of a whole run: every (variant, seed) training with its planned epochs. On a terminal one bar is redrawn
/// in place with the current training, its ETA and the run's; when output is redirected, one line per finished
/// training with the run's elapsed time and ETA. Epoch lines only when <c>verbose</c>. Ends with a timing summary.
/// </summary>
public sealed class RunProgress
{
    private readonly TextWriter log;
    private readonly TrainingProgress bar;
    private readonly bool verbose;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Stopwatch training = new();
    private readonly Stopwatch sinceLine = Stopwatch.StartNew();
    private readonly Stopwatch epochClock = Stopwatch.StartNew();
    // Per finished training: the seconds it took in this process and the epochs it trained here (Timed) and in all,
    // so a resumed training's restored epochs do not count as trained in no time.
    private readonly List<(string Variant, double Seconds, int Epochs, int Timed)> finished = new();
    private readonly int trainings;
    private long totalEpochs;
    private long timedEpochs;
    private double timedSeconds;
    private long doneEpochs;
    private string current = "";
    private int currentSeed;
    private int currentPlanned;
    private int currentDone;
    private int currentResumed;

    /// <summary>A run of <paramref name="plan"/>: each training's variant name and planned epochs (RRT: both stages).</summary>
    public RunProgress(TextWriter log, IReadOnlyList<(string Variant, int Epochs)> plan, bool verbose)
    {
        this.log = log;
        this.verbose = verbose;
        bar = new TrainingProgress(log);
        trainings = plan.Count;
        totalEpochs = plan.Sum(p => (long)p.Epochs);
    }

    /// <summary>Whether the bar is drawn in place (an unredirected console).</summary>
    public bool Interactive => bar.Interactive;

    /// <summary>Starts the training of <paramref name="variant"/> with <paramref name="seed"/>.</summary>
    public void BeginTraining(string variant, int seed, int plannedEpochs)
    {
        current = variant;
        currentSeed = seed;
        currentPlanned = plannedEpochs;
        currentDone = 0;
        currentResumed = 0;
        training.Restart();
    }

    /// <summary>Epochs a resumed training does not repeat: done, but not timed.</summary>
    public void Resumed(int epochs)
    {
        currentDone += epochs;
        currentResumed += epochs;
        doneEpochs += epochs;
    }

    /// <summary>In logs (output redirected), a line within an epoch at most this often, so a long epoch shows it is moving.</summary>
    public static readonly TimeSpan DefaultStepLineInterval = TimeSpan.FromSeconds(30);

    /// <summary>How often a long epoch prints a line in logs.</summary>
    public TimeSpan StepLineInterval { get; init; } = DefaultStepLineInterval;

    /// <summary>
    /// A step of the current epoch: the bar on a terminal; in logs, a line when <see cref="StepLineInterval"/> has passed
    /// since the last line (only epochs that long print them).
    /// </summary>
    public void Step(string stage, int epoch, int epochs, int step, int steps)
    {
        if (bar.Interactive)
        {
            bar.Report($"{stage} seed {currentSeed} epoch {epoch + 1}/{epochs}", step, steps, $"run {finished.Count + 1}/{trainings}{Eta()}");
            return;
        }
        if (sinceLine.Elapsed < StepLineInterval) return;
        sinceLine.Restart();
        // Within the epoch: its own rate so far gives the time to its end.
        double epochSeconds = epochClock.Elapsed.TotalSeconds;
        string epochLeft = step > 0 ? $", epoch ends in ~{Format(TimeSpan.FromSeconds(epochSeconds * (steps - step) / step))}" : "";
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{stage} seed {currentSeed} epoch {epoch + 1}/{epochs}: step {step}/{steps} ({100.0 * step / steps:0}%){epochLeft}; run {finished.Count + 1}/{trainings}, elapsed {Format(clock.Elapsed)}{Eta()}"));
    }

    /// <summary>An epoch starts (its clock for the within-epoch estimate).</summary>
    public void BeginEpoch() => epochClock.Restart();

    /// <summary>An epoch finished after <paramref name="seconds"/>; <paramref name="line"/> is printed when verbose.</summary>
    public void EndEpoch(double seconds, string line)
    {
        sinceLine.Restart();
        currentDone++;
        doneEpochs++;
        timedEpochs++;
        timedSeconds += seconds;
        if (verbose) bar.Line(line);
    }

    /// <summary>The current training ended (early stopping may end it before its planned epochs).</summary>
    public void EndTraining(int bestEpoch)
    {
        // Planned epochs that early stopping skipped leave the run's total.
        totalEpochs -= Math.Max(0, currentPlanned - currentDone);
        finished.Add((current, training.Elapsed.TotalSeconds, currentDone, currentDone - currentResumed));
        string trainedHere = currentResumed == 0 ? $"{currentDone} epochs in {Format(training.Elapsed)}"
            : currentResumed == currentDone ? $"{currentDone} epochs, all restored from its checkpoint"
            : $"{currentDone} epochs ({currentResumed} restored from its checkpoint, {currentDone - currentResumed} in {Format(training.Elapsed)})";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{current} seed {currentSeed}: {trainedHere} (best epoch {bestEpoch + 1}); run {finished.Count}/{trainings}, elapsed {Format(clock.Elapsed)}{Eta()}");
        if (bar.Interactive) log.WriteLine($"\r{line}".PadRight(Math.Max(1, Console.WindowWidth - 1)));
        else log.WriteLine(line);
    }

    /// <summary>The run's remaining time from the mean epoch time so far, or empty before the first epoch.</summary>
    public string Eta()
    {
        if (timedEpochs == 0) return "";
        double remaining = Math.Max(0, totalEpochs - doneEpochs) * timedSeconds / timedEpochs;
        return $", eta {Format(TimeSpan.FromSeconds(remaining))}";
    }

    /// <summary>Per variant, the mean time of a training and its epochs; the run's total.</summary>
    public string Summary()
    {
        var text = new System.Text.StringBuilder();
        int restored = finished.Sum(f => f.Epochs - f.Timed);
        string restoredNote = restored > 0 ? $", {restored} more restored from checkpoints (--resume; not timed)." : ".";
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Timing: {finished.Count} trainings, {finished.Sum(f => f.Timed)} epochs trained in {Format(clock.Elapsed)}{restoredNote}"));
        // Means over what this process trained: a training restored whole has no time of its own.
        foreach (var variant in finished.GroupBy(f => f.Variant))
        {
            var timed = variant.Where(f => f.Timed > 0).ToList();
            if (timed.Count == 0)
            {
                text.AppendLine($"  {variant.Key}: {variant.Count()} restored from checkpoints, not timed");
                continue;
            }
            string more = timed.Count < variant.Count() ? $", {variant.Count() - timed.Count} more restored" : "";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  {variant.Key}: {timed.Count} x {timed.Average(f => f.Seconds):0.0} s ({timed.Sum(f => f.Seconds) / timed.Sum(f => f.Timed):0.00} s per epoch){more}"));
        }
        return text.ToString();
    }

    private static string Format(TimeSpan time) => time.TotalHours >= 1 ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : time.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
}
