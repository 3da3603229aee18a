using System.Globalization;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// What a run may override of an experiment's settings (epochs, seed, device, output folder, variants, resume, ...).
/// DirDsl.Hosting parses them from a command line; code sets them directly.
/// </summary>
public sealed class RunOptions
{
    /// <summary>Override of [DirExperiment(Epochs)].</summary>
    public int? Epochs { get; set; }
    /// <summary>Override of [DirExperiment(Seed)].</summary>
    public int? Seed { get; set; }
    /// <summary>Leave out the ablation's baseline rows Mean and Linear ([Ablation(Baselines)]) in this run.</summary>
    public bool NoBaselines { get; set; }
    /// <summary>
    /// Add the baseline rows to a run of some rows or one seed (--variant, --only-seed), which otherwise has none: what each
    /// Vanilla job of a --plan / --slurm array passes, so the merged report has them (for the job's seed).
    /// </summary>
    public bool Baselines { get; set; }
    /// <summary>Write TensorBoard event files per training (<c>&lt;variant&gt;/seed-N/tensorboard/</c>) besides its metrics.csv.</summary>
    public bool TensorBoard { get; set; }
    /// <summary>The seed the [Data] member splits with (<see cref="DataContext.SplitSeed"/>); null: the run's seed.</summary>
    public int? SplitSeed { get; set; }
    /// <summary>Override of [Ablation(Seeds)]: run every variant with this many seeds.</summary>
    public int? Seeds { get; set; }
    /// <summary>
    /// Train only this one of the run's seeds (the data, which the [Data] member may draw from the run's seed, stays the
    /// run's): how one job of a scaled-out run trains exactly what the whole run would for that seed.
    /// </summary>
    public int? OnlySeed { get; set; }
    /// <summary>"auto" (CUDA when available), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; set; } = DefaultDevice;

    /// <summary>The device unless one is named: CUDA when available, else the CPU.</summary>
    public const string DefaultDevice = "auto";

    /// <summary>The output folder unless one is named.</summary>
    public const string DefaultOutputFolder = "dirdsl-output";

    /// <summary>The longest time between checkpoints unless set.</summary>
    public static readonly TimeSpan DefaultCheckpointInterval = TimeSpan.FromSeconds(30);
    /// <summary>Where results, checkpoints and figures go.</summary>
    public string OutputFolder { get; set; } = DefaultOutputFolder;
    /// <summary>Only these variants (names as in the table, case-insensitive); empty = all.</summary>
    public List<string> Variants { get; } = new();
    /// <summary>Run the hyperparameter-search points ([Search]) instead of the default rows.</summary>
    public bool Search { get; set; }
    /// <summary>Print the variant names (default rows, then search points) and exit.</summary>
    public bool List { get; set; }
    /// <summary>Continue each variant from its last checkpoint when there is one (and it was written by the same run).</summary>
    public bool Resume { get; set; }
    /// <summary>With <see cref="Resume"/>: a variant whose checkpoint was written by a different run trains afresh instead of failing.</summary>
    public bool RestartChanged { get; set; }
    /// <summary>Data folder handed to the [Data] member (default: nearest "data" folder above the program).</summary>
    public string? DataRoot { get; set; }
    /// <summary>Target ranges removed from training and validation but kept in test (interpolation / extrapolation checks).</summary>
    public List<TargetRange> Holdouts { get; } = new();
    /// <summary>Only this experiment (when a program declares several).</summary>
    public string? Experiment { get; set; }
    /// <summary>
    /// Called at the end of every training epoch, after its checkpoint (when one was due), with the variant
    /// name and the epoch's record (PyTorch Lightning's on_train_epoch_end).
    /// </summary>
    public Action<string, EpochRecord>? OnTrainEpochEnd { get; set; }

    /// <summary>Code of your own around every training: its start, each epoch's end (it may stop the training), its end.</summary>
    public List<ITrainingCallback> Callbacks { get; } = new();

    /// <summary>
    /// Stops the run at the next training step when cancelled (the entry point cancels it on Ctrl-C): a
    /// <see cref="TrainingInterruptedException"/> says what the last checkpoint holds; the output folder's lock is released.
    /// </summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>
    /// Write checkpoints at most this often (and always after the last epoch); the best weights are
    /// kept in memory in between. Zero writes after every epoch. Default 30 seconds: for fast epochs
    /// per-epoch checkpoint I/O would dominate, and a resumed run repeats at most this much work.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = DefaultCheckpointInterval;

    /// <summary>Where progress and tables go.</summary>
    public TextWriter Log { get; set; } = Console.Out;

    /// <summary>Print a line per epoch (losses, validation errors); otherwise one line per finished training and the ETA.</summary>
    public bool Verbose { get; set; }

    /// <summary>The run's overrides of [Fds] (<c>--fds-statistics</c>, <c>--fds-momentum</c>, ...), or null to train FDS as declared.</summary>
    public FdsChoices? FdsChoices { get; set; }

    /// <summary>How splits reach the model: held whole when they fit (auto, the default), always held, or always streamed.</summary>
    public DataPath DataPath { get; set; } = DataPath.Auto;
    /// <summary>
    /// Bytes of decoded images a run keeps in memory (--image-cache): null for <see cref="DecodeCache.AutoBudget"/>, 0 to
    /// decode at every read. A dense target's training maps are held within it first, or read again with each batch when they do
    /// not fit (<see cref="DenseTargetBudget"/>). It changes the time and the memory, never a trained row's value, so it is not
    /// part of the run's fingerprint.
    /// </summary>
    public long? ImageCacheBytes { get; set; }
    /// <summary>What to do with targets outside [LabelBins] (--outside-bins): warn (default), clip, drop or error.</summary>
    public OutsideTargets OutsideTargets { get; set; } = OutsideTargets.Warn;

    /// <summary>Draws the run's figures after its result files (null: no figures). The generated entry point sets it when DirDsl.Figures is referenced.</summary>
    public IFigureWriter? Figures { get; set; }

    /// <summary>
    /// The variants to run: named ones (--variant) out of the rows and search points, else every search
    /// point (--search), else the rows. An unknown name is an error listing the valid ones.
    /// </summary>
    public IReadOnlyList<DirVariant> Select(IReadOnlyList<DirVariant> rows, IReadOnlyList<DirVariant>? searchPoints = null)
    {
        searchPoints ??= Array.Empty<DirVariant>();
        if (Search && searchPoints.Count == 0) throw new ArgumentException("--search: this experiment declares no [Search].");
        if (Variants.Count == 0) return Search ? searchPoints : rows;
        var available = rows.Concat(searchPoints).ToList();
        var chosen = new List<DirVariant>();
        // A name given twice trains once (its rows would otherwise appear twice in results.json).
        foreach (var name in Variants.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var match = available.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"No variant '{name}'; this experiment has {string.Join(", ", available.Select(v => v.Name))}.");
            chosen.Add(match);
        }
        return chosen;
    }

    /// <summary>The torch device: CUDA when "auto" and available, else CPU.</summary>
    /// <exception cref="ArgumentException">An unknown device name, or CUDA asked for and not available.</exception>
    public Device ResolveDevice()
    {
        var name = CheckDeviceName(Device);
        if (name == "auto") return cuda.is_available() ? CUDA : CPU;
        if (name == "cpu") return CPU;
        if (!cuda.is_available())
            throw new ArgumentException($"--device {Device}: CUDA is not available (build with -p:DirDslBackend=cuda on a machine with an NVIDIA GPU).");
        return device(name);
    }

    /// <summary>The normalised device name; auto, cpu, cuda or cuda:N, else an error.</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public static string CheckDeviceName(string device)
    {
        var name = device.Trim().ToLowerInvariant();
        bool valid = name is "auto" or "cpu" or "cuda"
            || (name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) && index >= 0);
        return valid ? name : throw new ArgumentException($"--device must be auto, cpu, cuda or cuda:N, not '{device}'.");
    }
}

/// <summary>An experiment a program can run (what a generated entry point hands to DirDsl.Hosting).</summary>
/// <param name="Name">The experiment class name.</param>
/// <param name="Run">Its generated Run method.</param>
/// <param name="Variants">The rows it trains by default (for --list).</param>
/// <param name="SearchVariants">Its hyperparameter-search points (for --list), when it declares [Search].</param>
public sealed record ExperimentEntry(string Name, Func<RunOptions, ExperimentResult> Run, IReadOnlyList<DirVariant>? Variants = null,
    IReadOnlyList<DirVariant>? SearchVariants = null)
{
    /// <summary>Its training settings (seed and seed count for --plan and --slurm), or null for an experiment with errors.</summary>
    public TrainerSettings? Settings { get; init; }

    /// <summary>Predicts the records of a file with a trained model (--predict), or null for an experiment with errors.</summary>
    public Func<PredictionRequest, PredictionSummary>? PredictFile { get; init; }

    /// <summary>Loads a trained model (output folder, variant, seed) for --export, or null for an experiment with errors.</summary>
    public Func<string, string?, int?, ITrainedModel>? LoadTrained { get; init; }
}
