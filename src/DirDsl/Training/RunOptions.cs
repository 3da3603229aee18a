using System.Globalization;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>Command-line overrides of a generated experiment: epochs, seed, device, output folder, variant, resume.</summary>
public sealed class RunOptions
{
    /// <summary>Override of [DirExperiment(Epochs)].</summary>
    public int? Epochs { get; set; }
    /// <summary>Override of [DirExperiment(Seed)].</summary>
    public int? Seed { get; set; }
    /// <summary>Override of [Ablation(Seeds)]: run every variant with this many seeds.</summary>
    public int? Seeds { get; set; }
    /// <summary>"auto" (CUDA when available), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; set; } = "auto";
    /// <summary>Where results, checkpoints and figures go.</summary>
    public string OutputFolder { get; set; } = "dirdsl-output";
    /// <summary>Only these variants (names as in the table, case-insensitive); empty = all.</summary>
    public List<string> Variants { get; } = new();
    /// <summary>Run the hyperparameter-search points ([Search]) instead of the default rows.</summary>
    public bool Search { get; set; }
    /// <summary>Print the variant names (default rows, then search points) and exit.</summary>
    public bool List { get; set; }
    /// <summary>Continue each variant from its last checkpoint when there is one.</summary>
    public bool Resume { get; set; }
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

    /// <summary>
    /// Write checkpoints at most this often (and always after the last epoch); the best weights are
    /// kept in memory in between. Zero writes after every epoch. Default 30 seconds: for fast epochs
    /// per-epoch checkpoint I/O would dominate, and a resumed run repeats at most this much work.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where progress and tables go.</summary>
    public TextWriter Log { get; set; } = Console.Out;

    /// <summary>How splits reach the model: held whole when they fit (auto, the default), always held, or always streamed.</summary>
    public DataPath DataPath { get; set; } = DataPath.Auto;

    /// <summary>Draws the run's figures after its result files (null: no figures). The generated entry point sets it when DirDsl.Figures is referenced.</summary>
    public IFigureWriter? Figures { get; set; }

    /// <summary>The usage text of the generated entry point.</summary>
    public const string Usage = """
        Options:
          --epochs N         train N epochs (overrides [DirExperiment(Epochs)])
          --seed N           random seed (overrides [DirExperiment(Seed)])
          --seeds N          run every variant with N seeds: mean and 95% interval per cell
          --device D         auto (default: CUDA when available), cpu, cuda, cuda:N
          --output DIR       output folder (default: dirdsl-output)
          --variant NAME     run only this variant (repeatable): Vanilla, Inverse, SqrtInverse, LDS, FDS, LDS+FDS, DenseWeight, BMSE-BMC, ...
          --search           run every hyperparameter-search point of [Search] (selected on validation in the report)
          --list             print the variant names, one per line (rows, then search points), and exit
          --experiment NAME  run only this experiment class
          --data DIR         data folder handed to the [Data] member
          --holdout MIN:MAX  remove targets in [MIN, MAX) from training and validation, keep them in test
                             (repeatable): the Zero row then measures interpolation or extrapolation
          --resume           continue each variant from its last checkpoint
          --checkpoint-every S  write checkpoints at most every S seconds (default 30; 0 = every epoch)
          --help             this text
        """;

    /// <summary>Parses command-line arguments.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value, with the option named.</exception>
    public static RunOptions Parse(IReadOnlyList<string> args)
    {
        var options = new RunOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string Value()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"Option {args[i]} needs a value.");
                return args[++i];
            }
            int Positive(string option)
            {
                var text = Value();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1
                    ? n : throw new ArgumentException($"Option {option} needs a whole number of at least 1, not '{text}'.");
            }
            switch (args[i])
            {
                case "--epochs": options.Epochs = Positive("--epochs"); break;
                case "--seed":
                    var seedText = Value();
                    options.Seed = int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
                        ? seed : throw new ArgumentException($"Option --seed needs a whole number, not '{seedText}'.");
                    break;
                case "--seeds": options.Seeds = Positive("--seeds"); break;
                case "--device": options.Device = Value(); break;
                case "--output": options.OutputFolder = Value(); break;
                case "--variant": options.Variants.Add(Value()); break;
                case "--experiment": options.Experiment = Value(); break;
                case "--data": options.DataRoot = Value(); break;
                case "--resume": options.Resume = true; break;
                case "--search": options.Search = true; break;
                case "--list": options.List = true; break;
                case "--holdout": options.Holdouts.Add(TargetRange.Parse(Value())); break;
                case "--checkpoint-every":
                    var secondsText = Value();
                    options.CheckpointInterval = double.TryParse(secondsText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
                        ? TimeSpan.FromSeconds(seconds)
                        : throw new ArgumentException($"Option --checkpoint-every needs a number of seconds of 0 or more, not '{secondsText}'.");
                    break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}");
            }
        }
        CheckDeviceName(options.Device);
        return options;
    }

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
        foreach (var name in Variants)
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
    private static string CheckDeviceName(string device)
    {
        var name = device.Trim().ToLowerInvariant();
        bool valid = name is "auto" or "cpu" or "cuda"
            || (name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) && index >= 0);
        return valid ? name : throw new ArgumentException($"--device must be auto, cpu, cuda or cuda:N, not '{device}'.");
    }
}
