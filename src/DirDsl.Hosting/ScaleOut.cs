using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirDsl.Hosting;

/// <summary>One training of a scaled-out run: a variant or search point with one seed, its command line and its folder.</summary>
/// <param name="Index">Position in the plan (the Slurm array index).</param>
/// <param name="Experiment">The experiment class.</param>
/// <param name="Variant">The variant or search point.</param>
/// <param name="Seed">The training seed.</param>
/// <param name="Output">The folder this job alone writes (its --output).</param>
/// <param name="Command">The full command line: program, then arguments.</param>
public sealed record PlannedRun(int Index, string Experiment, string Variant, int Seed, string Output, IReadOnlyList<string> Command);

/// <summary>
/// Every training of a run as an independent job, in the order the run itself trains them (seed by seed, variants in
/// order), each with its exact command line and output folder, and the results.json files a merge reads.
/// </summary>
/// <param name="Root">The run's output folder; job folders are Root/jobs/NNNN.</param>
/// <param name="Runs">The jobs.</param>
/// <param name="ResultFiles">Each job's results.json, in plan order (what <c>dirdsl report</c> merges).</param>
/// <param name="Merged">Where the merged report goes.</param>
public sealed record RunPlan(string Root, IReadOnlyList<PlannedRun> Runs, IReadOnlyList<string> ResultFiles, string Merged)
{
    /// <summary>
    /// The jobs of <paramref name="experiments"/> under <paramref name="options"/>: the selected variants (or search points)
    /// times the run's seeds. Each job keeps the run's seed and seed count (so the [Data] member sees the same seed) and
    /// trains one of them (--only-seed), resuming whatever its folder holds.
    /// </summary>
    /// <param name="experiments">The experiments selected.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="passThrough">The user's arguments that every job repeats (epochs, data, device, holdouts, ...).</param>
    /// <param name="program">How to start this program: the executable and, under <c>dotnet</c>, its assembly.</param>
    /// <exception cref="ArgumentException">An experiment with errors (nothing to plan).</exception>
    public static RunPlan Create(IReadOnlyList<ExperimentEntry> experiments, RunOptions options, IReadOnlyList<string> passThrough,
        IReadOnlyList<string> program)
    {
        string root = Path.GetFullPath(options.OutputFolder);
        var runs = new List<PlannedRun>();
        var files = new List<string>();
        foreach (var experiment in experiments)
        {
            if (experiment.Variants is null || experiment.Settings is not { } settings)
                throw new ArgumentException($"{experiment.Name} has configuration errors: build the program and fix them before planning its runs.");
            var variants = options.Select(experiment.Variants, experiment.SearchVariants);
            // The baseline rows (Mean, Linear) go with each seed's Vanilla job, so the merged report has them per seed.
            bool baselines = settings.Baselines && !options.NoBaselines && !options.Search;
            string? withBaselines = variants.FirstOrDefault(v => v.Name == DslRules.VariantName(lds: false, fds: false))?.Name;
            int seed = options.Seed ?? settings.Seed;
            int count = options.Seeds ?? settings.Seeds;
            foreach (var trainingSeed in TrainingKit.Seeds(seed, count))
            {
                foreach (var variant in variants)
                {
                    int index = runs.Count;
                    string output = Path.Combine(root, "jobs", index.ToString("D4", CultureInfo.InvariantCulture));
                    var command = program.Concat(passThrough).Concat(new[]
                    {
                        "--experiment", experiment.Name, "--variant", variant.Name,
                        "--seed", Text(seed), "--seeds", Text(count), "--only-seed", Text(trainingSeed),
                        "--output", output, "--resume",
                    }).Concat(baselines && variant.Name == withBaselines ? new[] { "--baselines" } : Array.Empty<string>()).ToList();
                    runs.Add(new PlannedRun(index, experiment.Name, variant.Name, trainingSeed, output, command));
                    files.Add(Path.Combine(output, experiment.Name, "results.json"));
                }
            }
        }
        return new RunPlan(root, runs, files, Path.Combine(root, "merged", "report.md"));
    }

    /// <summary>The plan as indented JSON (camelCase), for any scheduler.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json.RunPlan);

    // Variant names hold '+' and '@': written as they are, not as \u002B escapes (nothing here is embedded in HTML).
    private static readonly PlanJsonContext Json = new(new JsonSerializerOptions(PlanJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>How this process was started: the apphost alone, or <c>dotnet</c> and the entry assembly.</summary>
    public static IReadOnlyList<string> CurrentProgram()
    {
        string process = Environment.ProcessPath ?? "dotnet";
        string? assembly = Assembly.GetEntryAssembly()?.Location;
        bool viaDotnet = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return viaDotnet && !string.IsNullOrEmpty(assembly) ? new[] { process, assembly } : new[] { process };
    }

    /// <summary>
    /// The user's arguments minus those a plan sets per job or that only shape the plan (--plan, --slurm*, --report-command,
    /// --output, --variant, --seed, --seeds, --only-seed, --search, --resume, --experiment, --list), in both the
    /// "--name value" and "--name=value" forms.
    /// </summary>
    public static IReadOnlyList<string> PassThrough(IReadOnlyList<string> args)
    {
        var withValue = new HashSet<string>(StringComparer.Ordinal)
        {
            "--output", "--variant", "--seed", "--seeds", "--only-seed", "--experiment", "--slurm", "--slurm-cpus", "--slurm-mem",
            "--slurm-gpus", "--slurm-time", "--slurm-partition", "--slurm-signal", "--report-command",
        };
        var flags = new HashSet<string>(StringComparer.Ordinal) { "--plan", "--search", "--resume", "--list", "--slurm-requeue", "--baselines" };
        var kept = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i].Split('=', 2)[0];
            if (flags.Contains(name)) continue;
            if (withValue.Contains(name))
            {
                if (!args[i].Contains('=', StringComparison.Ordinal)) i++;
                continue;
            }
            kept.Add(args[i]);
        }
        return kept;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What a Slurm job array asks of the scheduler per task, and how its merge job calls the report.</summary>
/// <param name="CpusPerTask">--cpus-per-task.</param>
/// <param name="Memory">--mem (e.g. 8G), or null for the partition's default.</param>
/// <param name="GpusPerTask">--gpus-per-task; 0 asks for none.</param>
/// <param name="Time">--time (e.g. 02:00:00), or null for the partition's default.</param>
/// <param name="Partition">--partition, or null for the default one.</param>
/// <param name="ReportCommand">The command that merges results (the dirdsl tool).</param>
/// <param name="SignalLead">Seconds before the time limit at which Slurm sends the task SIGTERM (--signal=B:TERM@N): the
/// training stops at its next step with a checkpoint that verifies.</param>
/// <param name="Requeue">Whether a task stopped by SIGTERM is requeued (and resumes from its checkpoint) instead of failing.</param>
public sealed record SlurmResources(int CpusPerTask = SlurmResources.DefaultCpus, string? Memory = null, int GpusPerTask = 0, string? Time = null,
    string? Partition = null, string ReportCommand = SlurmResources.DefaultReportCommand, int SignalLead = SlurmResources.DefaultSignalLead,
    bool Requeue = false)
{
    /// <summary>Seconds of warning before the time limit unless set: a step and a checkpoint fit in them for most models.</summary>
    public const int DefaultSignalLead = 120;

    /// <summary>CPUs per task unless set: DirDsl trains with at most 2 torch threads per process by default.</summary>
    public const int DefaultCpus = 2;

    /// <summary>The merge command unless set: the dirdsl tool on the PATH.</summary>
    public const string DefaultReportCommand = "dirdsl";
}

/// <summary>
/// Writes a plan as Slurm scripts: <c>array.sbatch</c> (one array task per job, each writing only its own folder, always
/// with --resume so a task re-submitted alone continues), <c>merge.sbatch</c> (dirdsl report over every job's
/// results.json, search points selected on validation), <c>submit.sh</c> (the array, then the merge with
/// --dependency=afterok on it) and <c>plan.json</c>. Files are written as a set (AtomicFile).
/// </summary>
public static class SlurmScripts
{
    /// <summary>The array script's file name.</summary>
    public const string ArrayScript = "array.sbatch";
    /// <summary>The merge script's file name.</summary>
    public const string MergeScript = "merge.sbatch";
    /// <summary>The submit script's file name.</summary>
    public const string SubmitScript = "submit.sh";
    /// <summary>The plan's file name.</summary>
    public const string PlanFile = "plan.json";

    /// <summary>Writes the scripts into <paramref name="folder"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(RunPlan plan, string folder, SlurmResources resources, string jobName)
    {
        if (plan.Runs.Count == 0) throw new ArgumentException("The plan has no runs: nothing to submit.");
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        string logs = Path.Combine(plan.Root, "logs");
        Directory.CreateDirectory(logs);
        var files = new List<(string Path, string Text)>
        {
            (Path.Combine(folder, ArrayScript), Array(plan, resources, jobName, logs)),
            (Path.Combine(folder, MergeScript), Merge(plan, resources, jobName, logs)),
            (Path.Combine(folder, SubmitScript), Submit(folder)),
            (Path.Combine(folder, PlanFile), plan.ToJson()),
        };
        AtomicFile.WriteAllTextSet(files);
        // Executable where the file system has Unix modes (the scripts also run as "bash script").
        if (!OperatingSystem.IsWindows())
            foreach (var script in new[] { ArrayScript, MergeScript, SubmitScript })
                File.SetUnixFileMode(Path.Combine(folder, script), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return files.Select(f => f.Path).ToList();
    }

    private static string Array(RunPlan plan, SlurmResources resources, string jobName, string logs)
    {
        var text = new StringBuilder();
        text.AppendLine("#!/bin/bash");
        text.AppendLine("# Written by DirDsl (--slurm): one array task per training of the plan (plan.json beside this file).");
        text.AppendLine("# Re-run a failed task alone with: sbatch --array=N array.sbatch (it resumes from its checkpoints), then merge.sbatch.");
        text.AppendLine($"#SBATCH --job-name={jobName}");
        text.AppendLine($"#SBATCH --array=0-{plan.Runs.Count - 1}");
        AppendResources(text, resources, withGpus: true);
        // SIGTERM to the batch shell, which is the training (exec) or its runner below: a clean stop with a checkpoint.
        text.AppendLine($"#SBATCH --signal=B:TERM@{resources.SignalLead.ToString(CultureInfo.InvariantCulture)}");
        if (resources.Requeue) text.AppendLine("#SBATCH --requeue");
        text.AppendLine($"#SBATCH --output={logs}/%A_%a.out");
        text.AppendLine("set -euo pipefail");
        if (resources.Requeue) text.Append(RequeueRunner);
        text.AppendLine("case \"${SLURM_ARRAY_TASK_ID:?run this script with sbatch}\" in");
        foreach (var run in plan.Runs)
        {
            text.AppendLine($"  # {run.Experiment} {run.Variant}, seed {run.Seed.ToString(CultureInfo.InvariantCulture)}");
            text.AppendLine($"  {run.Index.ToString(CultureInfo.InvariantCulture)}) {(resources.Requeue ? "run" : "exec")} {string.Join(' ', run.Command.Select(Quote))} ;;");
        }
        text.AppendLine("  *) echo \"no task $SLURM_ARRAY_TASK_ID in this plan\" >&2; exit 2 ;;");
        text.AppendLine("esac");
        return text.ToString();
    }

    /// <summary>
    /// --slurm-requeue: the training runs as a child of the batch shell, which passes SIGTERM on, waits for the clean stop
    /// (exit 143, its checkpoint written) and then requeues the task, which starts again with --resume.
    /// </summary>
    private const string RequeueRunner = """
        # SIGTERM (Slurm's warning before the time limit, a preemption, or scancel --signal=TERM --batch) stops the training
        # at its next step with a checkpoint (exit 143); the task is then requeued and resumes from it (--slurm-requeue).
        run() {
          "$@" &
          local child=$!
          trap 'kill -TERM "$child" 2>/dev/null' TERM
          local status=0
          wait "$child" || status=$?
          # A trapped signal ends the first wait early: wait again for the training's own exit status.
          if kill -0 "$child" 2>/dev/null; then status=0; wait "$child" || status=$?; fi
          trap - TERM
          if [ "$status" -eq 143 ]; then
            echo "requeueing ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}: it resumes from its checkpoint"
            scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
          fi
          return "$status"
        }

        """;

    private static string Merge(RunPlan plan, SlurmResources resources, string jobName, string logs)
    {
        var text = new StringBuilder();
        text.AppendLine("#!/bin/bash");
        text.AppendLine("# Written by DirDsl (--slurm): merges every task's results.json (search points selected on validation only).");
        text.AppendLine($"#SBATCH --job-name={jobName}-merge");
        AppendResources(text, resources with { CpusPerTask = 1 }, withGpus: false);
        text.AppendLine($"#SBATCH --output={logs}/merge_%j.out");
        text.AppendLine("set -euo pipefail");
        text.AppendLine($"mkdir -p {Quote(Path.GetDirectoryName(plan.Merged)!)}");
        text.AppendLine($"exec {resources.ReportCommand} report {string.Join(' ', plan.ResultFiles.Select(Quote))} --out {Quote(plan.Merged)}");
        return text.ToString();
    }

    private static string Submit(string folder) => $$"""
        #!/bin/bash
        # Written by DirDsl (--slurm): submits the array, then the merge once every task has succeeded.
        set -euo pipefail
        cd {{Quote(folder)}}
        array=$(sbatch --parsable {{ArrayScript}})
        merge=$(sbatch --parsable --dependency=afterok:${array%%;*} {{MergeScript}})
        echo "array job ${array%%;*}, merge job ${merge%%;*} (runs when every task has succeeded)"

        """.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static void AppendResources(StringBuilder text, SlurmResources resources, bool withGpus)
    {
        text.AppendLine($"#SBATCH --cpus-per-task={resources.CpusPerTask.ToString(CultureInfo.InvariantCulture)}");
        if (resources.Memory is { } memory) text.AppendLine($"#SBATCH --mem={memory}");
        if (withGpus && resources.GpusPerTask > 0) text.AppendLine($"#SBATCH --gpus-per-task={resources.GpusPerTask.ToString(CultureInfo.InvariantCulture)}");
        if (resources.Time is { } time) text.AppendLine($"#SBATCH --time={time}");
        if (resources.Partition is { } partition) text.AppendLine($"#SBATCH --partition={partition}");
    }

    /// <summary>Single-quotes an argument for bash unless it is plainly safe.</summary>
    public static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=+,@%".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RunPlan))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
