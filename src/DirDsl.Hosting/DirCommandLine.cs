using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using DirDsl.Native;

namespace DirDsl.Hosting;

/// <summary>
/// The command line of a DirDsl program, on System.CommandLine: every option defined once here, parsed into
/// <see cref="RunOptions"/>. <see cref="Run"/> is what a generated entry point calls; <see cref="Parse"/> serves a
/// hand-written Main. Exit codes: 0 success (or help), 1 a data, checkpoint or training error, 2 a usage error, 130 stopped by
/// Ctrl-C and 143 by SIGTERM (the run resumes with --resume).
/// </summary>
public static class DirCommandLine
{
    /// <summary>A usage error (unknown option, bad value): exit code 2.</summary>
    public const int UsageError = 2;

    /// <summary>Stopped by Ctrl-C (SIGINT): exit code 130, as a shell reports it.</summary>
    public const int InterruptedExit = 130;

    /// <summary>Stopped by SIGTERM (a scheduler preempting the job): exit code 143.</summary>
    public const int TerminatedExit = 143;

    /// <summary>A data, checkpoint or training error: exit code 1.</summary>
    public const int RunError = 1;

    /// <summary>The options, each defined once.</summary>
    private sealed class Definition
    {
        public readonly Option<int?> Epochs = Positive("--epochs", "Train N epochs (overrides [DirExperiment(Epochs)]).");
        public readonly Option<int?> Seed = new("--seed") { Description = "Random seed (overrides [DirExperiment(Seed)])." };
        public readonly Option<int?> SplitSeed = new("--split-seed") { Description = "Seed the [Data] member splits with (DataContext.SplitSeed; default: the run's seed): fix it to compare runs of other --seed values on one test set." };
        public readonly Option<int?> Seeds = Positive("--seeds", "Run every variant with N seeds: mean and 95% interval per cell.");
        public readonly Option<string> Device = new("--device")
        {
            Description = "auto (CUDA when available), cpu, cuda or cuda:N.",
            DefaultValueFactory = _ => RunOptions.DefaultDevice,
            CustomParser = result => OptionParsing.Checked(result, token => RunOptions.CheckDeviceName(token)) ?? RunOptions.DefaultDevice,
        };
        public readonly Option<string> Output = new("--output") { Description = $"Output folder (default: {RunOptions.DefaultOutputFolder}).", DefaultValueFactory = _ => RunOptions.DefaultOutputFolder };
        public readonly Option<string[]> Variant = new("--variant") { Description = "Run only this variant (repeatable): Vanilla, LDS, FDS, LDS+FDS, a search point, ..." };
        public readonly Option<bool> Search = new("--search") { Description = "Run every hyperparameter-search point of [Search] (selected on validation in the report)." };
        public readonly Option<bool> List = new("--list") { Description = "Print the variant names, one per line (rows, then search points), and exit." };
        public readonly Option<string?> Experiment = new("--experiment") { Description = "Run only this experiment class." };
        public readonly Option<string?> Data = new("--data") { Description = "Data folder handed to the [Data] member." };
        public readonly Option<TargetRange[]> Holdout = new("--holdout")
        {
            Description = "Remove targets in [MIN, MAX) from training and validation and keep them in test (repeatable): MIN:MAX.",
            CustomParser = result => result.Tokens.Select(token => OptionParsing.Checked(result, _ => TargetRange.Parse(token.Value))).OfType<TargetRange>().ToArray(),
        };
        public readonly Option<bool> Resume = new("--resume") { Description = "Continue each variant from its last checkpoint (refused when the checkpoint was written with other settings or data)." };
        public readonly Option<bool> RestartChanged = new("--restart-changed") { Description = "With --resume: train afresh a variant whose checkpoint was written by a different run, instead of failing." };
        public readonly Option<bool> NoBaselines = new("--no-baselines") { Description = "Leave the baseline rows Mean and Linear out of the ablation's table." };
        public readonly Option<bool> Baselines = new("--baselines") { Description = "Add the baseline rows to a run of some rows or one seed (--variant, --only-seed); each Vanilla job of --plan / --slurm does." };
        public readonly Option<bool> TensorBoard = new("--tensorboard") { Description = "Also write TensorBoard event files per training (<variant>/seed-N/tensorboard/), beside its metrics.csv." };
        public readonly Option<bool> Verbose = new("--verbose") { Description = "Print a line per epoch (train loss, validation errors) besides the progress." };
        public readonly Option<TimeSpan?> CheckpointEvery = new("--checkpoint-every")
        {
            Description = $"Write checkpoints at most every S seconds (default {RunOptions.DefaultCheckpointInterval.TotalSeconds}; 0 = every epoch).",
            CustomParser = result => OptionParsing.Checked(result, Seconds),
        };
        public readonly Option<DataPath> DataPathOption = Keywords("--data-path",
            "auto (default: splits held whole when they fit, streamed when read from disk or over 1 GiB), memory, or stream.", DataPath.Auto,
            ("auto", DataPath.Auto), ("memory", DataPath.InMemory), ("stream", DataPath.Streaming));

        public readonly Option<long?> ImageCache = new("--image-cache")
        {
            Description = "Decoded images kept in memory, so each is decoded once in a run: auto (default: up to a quarter of the memory "
                + "the process may use), off, or a size such as 512M or 4G; a dense target's training maps are held within it first, or read with each "
                + "batch when they do not fit (then without the Linear baseline). Changes the time and the memory, never a trained row's result.",
            HelpName = "auto|off|size",
            // auto parses to -1: a custom parser's null reads as "no value" to System.CommandLine.
            CustomParser = result => OptionParsing.Checked(result, text => DecodeCache.ParseBudget(text) ?? -1),
        };

        public readonly Option<FdsStatistics?> FdsStatisticsOption = Keywords<FdsStatistics?>("--fds-statistics",
            "Which features feed FDS's statistics: epoch-end-pass (the reference's training-mode pass) "
            + "evaluation-pass (evaluation mode, raw features) or unaugmented-pass (training mode, in order, unaugmented, raw: the depth code); default as [Fds] declares.", null,
            ("epoch-end-pass", FdsStatistics.EpochEndPass), ("evaluation-pass", FdsStatistics.EvaluationPass),
            ("unaugmented-pass", FdsStatistics.UnaugmentedPass));

        public readonly Option<FdsOrder?> FdsOrderOption = Keywords<FdsOrder?>("--fds-order",
            "Which statistics calibrate an epoch: reference (smoothed one update behind the running ones), snapshot (both from the last update) "
            + "or lagged (both from before the last update: the depth code); default as [Fds] declares.", null,
            ("reference", FdsOrder.Reference), ("snapshot", FdsOrder.Snapshot), ("lagged", FdsOrder.Lagged));

        public readonly Option<FdsUnseenBins?> FdsUnseenBinsOption = Keywords<FdsUnseenBins?>("--fds-unseen-bins",
            "What FDS holds for bins never seen: keep (mean 0, variance 1, the age code) or fill (from the neighbours, the STS-B code); default as [Fds] declares.", null,
            ("keep", FdsUnseenBins.Keep), ("fill", FdsUnseenBins.Fill));

        public readonly Option<double?> FdsMomentumOption = new("--fds-momentum")
        {
            Description = "FDS's momentum, the weight of the previous statistics in each update, in [0, 1) (overrides [Fds(Momentum)]).",
            CustomParser = result => OptionParsing.Checked<double?>(result, text =>
                double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && DslRules.IsValidMomentum(value)
                    ? value
                    : throw new ArgumentException($"Option --fds-momentum needs a number in [0, 1), not '{text}'.")),
        };

        public readonly Option<int?> FdsStartEpoch = AtLeast("--fds-start-epoch", 0,
            "First epoch whose end updates FDS's statistics (overrides [Fds(StartEpoch)]; FDS's StartSmooth must stay above it).");

        public readonly Option<int?> FdsStartSmooth = AtLeast("--fds-start-smooth", 1,
            "First epoch whose batches FDS calibrates (overrides [Fds(StartSmooth)]; above FDS's StartEpoch).");

        public readonly Option<OutsideTargets> OutsideBinsOption = Keywords("--outside-bins",
            "Targets outside [LabelBins]: warn (keep them, the default), clip (to the edges), drop (their records) or error.", OutsideTargets.Warn,
            ("warn", OutsideTargets.Warn), ("clip", OutsideTargets.Clip), ("drop", OutsideTargets.Drop), ("error", OutsideTargets.Error));

        public readonly Option<CpuNumericsMode> CpuNumericsOption = Keywords("--cpu-numerics",
            "portable (the default: an AVX2 CPU's kernels on any CPU with AVX2, so machines agree, and oneDNN's AVX-512 convolution "
            + "backward, which has given non-finite gradients, is not used) or native (the fastest kernels for this CPU).",
            CpuNumerics.DefaultMode, ("native", CpuNumericsMode.Native), ("portable", CpuNumericsMode.Portable));

        public readonly Option<CpuConvolutions> CpuConvolutionsOption = Keywords("--cpu-convolutions",
            "aten (the default: ATen's own convolution kernels; oneDNN's backward has given non-finite gradients on AVX-512 and AVX2) "
            + "or onednn (libtorch's choice).",
            CpuNumerics.DefaultConvolutions, ("aten", CpuConvolutions.Aten), ("onednn", CpuConvolutions.OneDnn));

        /// <summary>An option taking one of a few keywords (case-insensitive); another word is an error listing them.</summary>
        private static Option<T> Keywords<T>(string name, string description, T fallback, params (string Text, T Value)[] choices)
        {
            string listed = choices.Length == 1 ? choices[0].Text
                : string.Join(", ", choices[..^1].Select(c => c.Text)) + " or " + choices[^1].Text;
            return new Option<T>(name)
            {
                Description = description,
                HelpName = string.Join("|", choices.Select(c => c.Text)),
                DefaultValueFactory = _ => fallback,
                CustomParser = result => OptionParsing.Checked(result, text =>
                    choices.FirstOrDefault(c => c.Text.Equals(text, StringComparison.OrdinalIgnoreCase)) is { Text: not null } match
                        ? match.Value
                        : throw new ArgumentException($"Option {name} needs {listed}, not '{text}'."))!,
            };
        }

        public readonly Option<int?> OnlySeed = new("--only-seed") { Description = "Train only this one of the run's seeds (what one job of --plan / --slurm runs)." };
        public readonly Option<bool> Plan = new("--plan") { Description = "Print every training of the run (variant or search point x seed) as JSON jobs with their command lines, and exit." };
        public readonly Option<string?> Slurm = new("--slurm") { Description = "Write a Slurm job array (array.sbatch, merge.sbatch, submit.sh, plan.json) into this folder, and exit.", HelpName = "folder" };
        public readonly Option<int?> SlurmCpus = Positive("--slurm-cpus", $"CPUs per array task (default {SlurmResources.DefaultCpus}).");
        public readonly Option<string?> SlurmMemory = new("--slurm-mem") { Description = "Memory per array task, as sbatch --mem takes it (e.g. 8G).", HelpName = "size" };
        public readonly Option<int?> SlurmGpus = Positive("--slurm-gpus", "GPUs per array task.");
        public readonly Option<string?> SlurmTime = new("--slurm-time") { Description = "Time limit per array task, as sbatch --time takes it (e.g. 02:00:00).", HelpName = "limit" };
        public readonly Option<string?> SlurmPartition = new("--slurm-partition") { Description = "Slurm partition of the array and merge jobs.", HelpName = "name" };
        public readonly Option<int?> SlurmSignal = Positive("--slurm-signal", $"Seconds before the time limit at which Slurm sends each array task SIGTERM, which stops its training with a checkpoint (default {SlurmResources.DefaultSignalLead}).");
        public readonly Option<bool> SlurmRequeue = new("--slurm-requeue") { Description = "Requeue an array task that SIGTERM stopped (the time limit's warning, a preemption): it resumes from its checkpoint." };
        public readonly Option<string?> Predict = new("--predict")
        {
            Description = "Predict the records of this delimited file (a header naming the record's members; no target needed) with a trained variant "
                + "(--variant, default the configured one; --seed, default the lowest trained; --output, the run's folder), write them to --predictions, and exit.",
            HelpName = "file",
        };
        public readonly Option<string?> Predictions = new("--predictions") { Description = "Where --predict writes its CSV (default: FILE.predictions.csv beside the input).", HelpName = "file" };
        public readonly Option<string> Delimiter = new("--delimiter")
        {
            Description = "Field separator of the --predict file: one character or several, or tab (default ,).", HelpName = "text",
            DefaultValueFactory = _ => ",",
            CustomParser = result => result.Tokens.Count == 0 ? "," : result.Tokens[^1].Value is "tab" or "\\t" ? "\t" : result.Tokens[^1].Value,
        };
        public readonly Option<bool> Trim = new("--trim") { Description = "Remove white space around every field of the --predict file." };
        public readonly Option<string?> Export = new("--export")
        {
            Description = "Write a trained variant's weights (--variant, --seed, --output as for --predict) for PyTorch, and exit: "
                + "FILE.safetensors (safetensors) or FILE.pt / .pth / .bin (a state dict torch.load reads).",
            HelpName = "file",
        };
        public readonly Option<int?> Threads = Positive("--threads", "Torch threads for this process (default: as many as cores; fewer on a machine others share).");
        public readonly Option<string?> ReportCommand = new("--report-command") { Description = $"How the merge job calls the dirdsl tool (default: {SlurmResources.DefaultReportCommand}).", HelpName = "command" };

        public RootCommand Root(string description)
        {
            var root = new RootCommand(description);
            foreach (var option in new Option[] { Epochs, Seed, SplitSeed, Seeds, Device, Output, Variant, Search, List, Experiment, Data, Holdout, Resume, RestartChanged, Verbose, TensorBoard, NoBaselines, Baselines, CheckpointEvery, DataPathOption, ImageCache, FdsStatisticsOption, FdsOrderOption, FdsUnseenBinsOption, FdsMomentumOption, FdsStartEpoch, FdsStartSmooth,
                OutsideBinsOption, CpuNumericsOption, CpuConvolutionsOption, OnlySeed, Plan, Slurm, SlurmCpus, SlurmMemory, SlurmGpus, SlurmTime, SlurmPartition, SlurmSignal, SlurmRequeue, ReportCommand,
                Predict, Predictions, Delimiter, Trim, Export, Threads })
                root.Options.Add(option);
            return root;
        }

        /// <summary>What --plan and --slurm ask for, or null when neither is given.</summary>
        public ScaleOutRequest? BindScaleOut(ParseResult result)
        {
            bool plan = result.GetValue(Plan);
            string? slurm = result.GetValue(Slurm);
            if (!plan && slurm is null) return null;
            var resources = new SlurmResources(result.GetValue(SlurmCpus) ?? SlurmResources.DefaultCpus, result.GetValue(SlurmMemory),
                result.GetValue(SlurmGpus) ?? 0, result.GetValue(SlurmTime), result.GetValue(SlurmPartition),
                result.GetValue(ReportCommand) ?? SlurmResources.DefaultReportCommand, result.GetValue(SlurmSignal) ?? SlurmResources.DefaultSignalLead,
                result.GetValue(SlurmRequeue));
            return new ScaleOutRequest(plan, slurm, resources);
        }

        public RunOptions Bind(ParseResult result)
        {
            var options = new RunOptions
            {
                Epochs = result.GetValue(Epochs),
                Seed = result.GetValue(Seed),
                SplitSeed = result.GetValue(SplitSeed),
                Seeds = result.GetValue(Seeds),
                Device = result.GetValue(Device) ?? RunOptions.DefaultDevice,
                OutputFolder = result.GetValue(Output) ?? RunOptions.DefaultOutputFolder,
                Search = result.GetValue(Search),
                List = result.GetValue(List),
                Experiment = result.GetValue(Experiment),
                DataRoot = result.GetValue(Data),
                Resume = result.GetValue(Resume),
                RestartChanged = result.GetValue(RestartChanged),
                Verbose = result.GetValue(Verbose),
                TensorBoard = result.GetValue(TensorBoard),
                NoBaselines = result.GetValue(NoBaselines),
                Baselines = result.GetValue(Baselines),
                DataPath = result.GetValue(DataPathOption),
                ImageCacheBytes = result.GetValue(ImageCache) is >= 0 and var budget ? budget : null,
                FdsChoices = new FdsChoices(result.GetValue(FdsStatisticsOption), result.GetValue(FdsOrderOption), result.GetValue(FdsUnseenBinsOption),
                    result.GetValue(FdsMomentumOption), result.GetValue(FdsStartEpoch), result.GetValue(FdsStartSmooth)) is { IsEmpty: false } fds ? fds : null,
                OnlySeed = result.GetValue(OnlySeed),
                OutsideTargets = result.GetValue(OutsideBinsOption),
            };
            options.Variants.AddRange(result.GetValue(Variant) ?? Array.Empty<string>());
            options.Holdouts.AddRange(result.GetValue(Holdout) ?? Array.Empty<TargetRange>());
            if (result.GetValue(CheckpointEvery) is { } interval) options.CheckpointInterval = interval;
            return options;
        }

        private static Option<int?> Positive(string name, string description) => AtLeast(name, 1, description);

        private static Option<int?> AtLeast(string name, int minimum, string description)
        {
            var option = new Option<int?>(name) { Description = description };
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int?>() is { } value && value < minimum)
                    result.AddError($"Option {name} needs a whole number of at least {minimum}, not '{value}'.");
            });
            return option;
        }

        /// <summary>Seconds as a time span: a finite number of 0 or more that a TimeSpan can hold.</summary>
        private static TimeSpan Seconds(string text) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2
                ? TimeSpan.FromSeconds(seconds)
                : throw new ArgumentException($"Option --checkpoint-every needs a number of seconds of 0 or more, not '{text}'.");
    }

    /// <summary>
    /// Parses a command line into run options.
    /// </summary>
    /// <exception cref="ArgumentException">A usage error: every problem's message, one per line.</exception>
    public static RunOptions Parse(IReadOnlyList<string> args) => ParseWithNumerics(args).Options;

    /// <summary>The options and the --cpu-numerics mode (a process setting, applied by <see cref="TryParse"/>).</summary>
    private static (RunOptions Options, CpuNumericsMode Numerics, CpuConvolutions Convolutions, int? Threads) ParseWithNumerics(IReadOnlyList<string> args)
    {
        var definition = new Definition();
        var result = definition.Root("").Parse(args.ToArray());
        if (result.Errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, result.Errors.Select(e => e.Message)));
        return (definition.Bind(result), result.GetValue(definition.CpuNumericsOption), result.GetValue(definition.CpuConvolutionsOption), result.GetValue(definition.Threads));
    }

    /// <summary>The help text of a DirDsl program whose description is <paramref name="description"/>.</summary>
    public static string Help(string description)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        new Definition().Root(description).Parse("--help").Invoke(new InvocationConfiguration { Output = text });
        return text.ToString();
    }

    /// <summary>
    /// Parses <paramref name="args"/> for a hand-written Main: the options, or null with the exit code after printing the
    /// help (0) or a usage error (2) to <paramref name="error"/>.
    /// </summary>
    public static RunOptions? TryParse(IReadOnlyList<string> args, string description, out int exitCode, TextWriter? output = null, TextWriter? error = null)
    {
        TorchNative.EnsureRegistered();
        exitCode = 0;
        if (args.Contains("--help") || args.Contains("-h") || args.Contains("-?"))
        {
            (output ?? Console.Out).Write(Help(description));
            return null;
        }
        try
        {
            var (options, numerics, convolutions, threads) = ParseWithNumerics(args);
            // Before the first tensor operation: MKL and oneDNN read their settings when first used.
            CpuNumerics.Apply(numerics);
            // --cpu-convolutions: ATen's kernels by default (oneDNN's backward has given non-finite gradients here).
            RunEnvironment.Add("cpuConvolutions", CpuNumerics.ApplyConvolutions(convolutions));
            // Freed tensor memory kept for reuse rather than faulted in afresh at every step (glibc; see NativeAllocator).
            RunEnvironment.Add("nativeAllocator", NativeAllocator.Apply()
                ? FormattableString.Invariant($"glibc, mmap threshold {NativeAllocator.MmapThresholdBytes >> 20} MiB, trim threshold {NativeAllocator.TrimThresholdBytes >> 20} MiB")
                : "the C library's defaults");
            // --threads: libtorch's intra-op pool, which otherwise takes every core (and spins when the cores are shared).
            if (threads is { } count) TorchSharp.torch.set_num_threads(count);
            return options;
        }
        catch (Exception e) when (e is ArgumentException or PlatformNotSupportedException)
        {
            (error ?? Console.Error).WriteLine($"error: {e.Message}");
            exitCode = UsageError;
            return null;
        }
    }

    /// <summary>
    /// Runs a program's experiments from its command line (what a generated entry point calls): parses the options, runs
    /// the selected experiments, prints each table and maps failures to one line and an exit code.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="experiments">The experiments the program declares.</param>
    /// <param name="output">Where tables and progress go (default: standard output).</param>
    /// <param name="figures">Draws each run's figures (DirDsl.Figures), or null for none.</param>
    public static int Run(IReadOnlyList<string> args, IReadOnlyList<ExperimentEntry> experiments, TextWriter? output = null, IFigureWriter? figures = null)
    {
        var log = output ?? Console.Out;
        var options = TryParse(args, $"Trains and evaluates the experiments {string.Join(", ", experiments.Select(e => e.Name))}.", out int exitCode, log);
        if (options is null) return exitCode;
        options.Log = log;
        options.Figures = figures;
        var selected = options.Experiment is null
            ? experiments
            : experiments.Where(e => string.Equals(e.Name, options.Experiment, StringComparison.OrdinalIgnoreCase)).ToList();
        if (selected.Count == 0)
        {
            Console.Error.WriteLine($"error: no experiment '{options.Experiment}'; this program has {string.Join(", ", experiments.Select(e => e.Name))}.");
            return UsageError;
        }
        // An unknown --variant is a usage error (exit 2), found before any training.
        foreach (var experiment in selected)
        {
            try
            {
                options.Select(experiment.Variants ?? Array.Empty<DirVariant>(), experiment.SearchVariants);
            }
            catch (ArgumentException e) when (experiment.Variants is not null)
            {
                Console.Error.WriteLine($"error: {experiment.Name}: {e.Message}");
                return UsageError;
            }
        }
        // --plan / --slurm: every training as its own job, for a scheduler; nothing is trained here.
        var definition = new Definition();
        var scaleOut = definition.BindScaleOut(definition.Root("").Parse(args.ToArray()));
        if (scaleOut is not null)
        {
            try
            {
                var plan = RunPlan.Create(selected, options, RunPlan.PassThrough(args), RunPlan.CurrentProgram());
                if (scaleOut.Plan) log.WriteLine(plan.ToJson());
                if (scaleOut.SlurmFolder is { } folder)
                {
                    SlurmScripts.Write(plan, folder, scaleOut.Resources, string.Join("-", selected.Select(e => e.Name)));
                    log.WriteLine($"{plan.Runs.Count} array tasks written to {Path.GetFullPath(folder)}: submit with bash {Path.Combine(Path.GetFullPath(folder), SlurmScripts.SubmitScript)}; "
                        + $"the merged report goes to {plan.Merged}.");
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return e is ArgumentException ? UsageError : RunError;
            }
        }
        if (options.List)
        {
            // One variant name per line, for scripts that run each as its own job (--variant NAME --output DIR).
            foreach (var experiment in selected)
                foreach (var variant in (experiment.Variants ?? Array.Empty<DirVariant>()).Concat(experiment.SearchVariants ?? Array.Empty<DirVariant>()))
                    log.WriteLine(selected.Count > 1 ? $"{experiment.Name}\t{variant.Name}" : variant.Name);
            return 0;
        }
        // An application without a libtorch backend builds; say so in one line rather than let libtorch's load fail later.
        if (OperatingSystem.IsLinux() && TorchNative.MissingBackend() is { } missing)
        {
            Console.Error.WriteLine($"error: {missing}");
            return RunError;
        }
        // --predict / --export: a trained model is used, nothing is trained.
        var parsed = definition.Root("").Parse(args.ToArray());
        if (parsed.GetValue(definition.Predict) is not null || parsed.GetValue(definition.Export) is not null)
            return UseTrained(parsed, definition, selected, options, log);
        // Ctrl-C (SIGINT) or a scheduler's SIGTERM stops the run at the next training step, with the lock released and a
        // line saying how to resume; a second signal ends the process at once.
        using var interrupt = new CancellationTokenSource();
        int signalExit = 0;
        void Stop(PosixSignalContext context)
        {
            if (interrupt.IsCancellationRequested) return;
            context.Cancel = true;
            signalExit = context.Signal == PosixSignal.SIGTERM ? TerminatedExit : InterruptedExit;
            Console.Error.WriteLine("Stopping at the next training step (send the signal again to end at once) ...");
            interrupt.Cancel();
        }
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        options.Cancellation = interrupt.Token;
        try
        {
            foreach (var experiment in selected) PrintResult(experiment.Run(options), options, log);
            return 0;
        }
        catch (TrainingInterruptedException e)
        {
            Console.Error.WriteLine(e.Message);
            return signalExit == 0 ? InterruptedExit : signalExit;
        }
        catch (Exception e) when (e is DirDataException or DataFormatException or CheckpointException or TrainingDivergedException
                                      or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return RunError;
        }
    }

    /// <summary>--predict FILE and --export FILE: one experiment's trained variant predicts a file or is written for PyTorch.</summary>
    private static int UseTrained(ParseResult parsed, Definition definition, IReadOnlyList<ExperimentEntry> selected, RunOptions options, TextWriter log)
    {
        if (selected.Count > 1)
        {
            Console.Error.WriteLine($"error: this program has {selected.Count} experiments ({string.Join(", ", selected.Select(e => e.Name))}); name the one to use with --experiment.");
            return UsageError;
        }
        if (options.Variants.Count > 1)
        {
            Console.Error.WriteLine($"error: --predict and --export use one trained variant; --variant was given {options.Variants.Count} times.");
            return UsageError;
        }
        var experiment = selected[0];
        string? variant = options.Variants.FirstOrDefault();
        if (experiment.PredictFile is null || experiment.LoadTrained is null)
        {
            Console.Error.WriteLine($"error: {experiment.Name} has configuration errors; fix them (see the build output), train it, then predict.");
            return RunError;
        }
        try
        {
            if (parsed.GetValue(definition.Predict) is { } input)
            {
                var target = parsed.GetValue(definition.Predictions)
                    ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(input))!, Path.GetFileNameWithoutExtension(input) + ".predictions.csv");
                var summary = experiment.PredictFile(new PredictionRequest(input, target, options.OutputFolder, variant, options.Seed,
                    parsed.GetValue(definition.Delimiter) ?? ",", parsed.GetValue(definition.Trim)));
                log.WriteLine($"{summary.Records} records of {input} predicted by {experiment.Name} {summary.Variant} seed {summary.Seed}: {Path.GetFullPath(summary.Predictions)}");
            }
            if (parsed.GetValue(definition.Export) is { } export)
            {
                using var model = experiment.LoadTrained(options.OutputFolder, variant, options.Seed);
                var tensors = ModelExport.Write(model.Model, export);
                log.WriteLine($"{experiment.Name} {model.Variant} seed {model.Seed}: {tensors} tensors written to {Path.GetFullPath(export)}");
            }
            return 0;
        }
        catch (Exception e) when (e is DirDataException or DataFormatException or CheckpointException or IOException or UnauthorizedAccessException
                                      or ArgumentException or InvalidOperationException or NotSupportedException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return RunError;
        }
    }

    /// <summary>The tables of a run, as the generated entry point prints them.</summary>
    private static void PrintResult(ExperimentResult result, RunOptions options, TextWriter log)
    {
        log.WriteLine();
        if (result.FoldCount > 0)
        {
            log.WriteLine($"{result.Experiment}: {result.FoldCount}-fold cross-validation.");
            log.WriteLine();
            log.Write(CrossValidation.Table(result));
            log.WriteLine($"Results written to {Path.GetFullPath(Path.Combine(options.OutputFolder, result.Experiment))} ({CrossValidation.ReportFile}, and each fold's files in fold-N/)");
            return;
        }
        var table = ResultWriter.Table(result, explicitGroups: false);
        // A --search run has search points only: they are reported in the search section below.
        if (table.Length > 0)
        {
            log.WriteLine($"{result.Experiment}: test split, each variant's model selected on validation.");
            log.WriteLine();
            log.Write(table);
        }
        if (table.Length > 0 && result.Variants.Any(v => v.TestExplicitGroups is not null))
        {
            log.WriteLine("With the explicit shot groups:");
            log.WriteLine();
            log.Write(ResultWriter.Table(result, explicitGroups: true));
        }
        var search = ResultWriter.SearchSection(result);
        if (search.Length > 0) log.Write(search);
        log.WriteLine($"Results written to {Path.GetFullPath(Path.Combine(options.OutputFolder, result.Experiment))}");
    }
}

/// <summary>What --plan and --slurm ask for.</summary>
/// <param name="Plan">Print the plan as JSON.</param>
/// <param name="SlurmFolder">Write the Slurm scripts into this folder, or null.</param>
/// <param name="Resources">Per-task resources and the merge command.</param>
public sealed record ScaleOutRequest(bool Plan, string? SlurmFolder, SlurmResources Resources);

/// <summary>Parsing helpers shared by DirDsl's command lines (the generated entry point and the dirdsl tool).</summary>
public static class OptionParsing
{
    /// <summary>
    /// Parses an option's last token with <paramref name="parse"/>; an <see cref="ArgumentException"/> becomes a parse
    /// error carrying its message, so every bad value is reported as one clear line with exit code 2.
    /// </summary>
    public static T? Checked<T>(ArgumentResult result, Func<string, T> parse)
    {
        if (result.Tokens.Count == 0) return default;
        try
        {
            return parse(result.Tokens[^1].Value);
        }
        catch (ArgumentException e)
        {
            result.AddError(e.Message);
            return default;
        }
    }
}
