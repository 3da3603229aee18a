using System.Text.Json;
using DirDsl.Hosting;
using DirDsl.Tests.Generated;
using Xunit;

namespace DirDsl.Tests;

/// <summary>The plan of a scaled-out run and the Slurm scripts written from it (the real scheduler is in SlurmTests).</summary>
public sealed class ScaleOutTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-plan").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static ExperimentEntry Tiny => new("TinyExperiment", TinyExperiment.Run, TinyExperiment.Configuration.Variants)
    {
        Settings = TinyExperiment.Configuration.Training,
    };

    [Fact]
    public void PassThrough_DropsWhatThePlanSetsPerJob_InBothForms()
    {
        var args = new[] { "--epochs", "5", "--output", "x", "--variant=LDS", "--search", "--data", "d", "--slurm", "s", "--slurm-cpus", "2",
            "--seed=3", "--seeds", "2", "--resume", "--holdout", "0:1", "--plan", "--report-command", "dirdsl", "--only-seed", "4",
            "--slurm-signal", "60", "--slurm-requeue", "--slurm-signal=90" };
        Assert.Equal(new[] { "--epochs", "5", "--data", "d", "--holdout", "0:1" }, RunPlan.PassThrough(args));
    }

    [Fact]
    public void Plan_IsEveryVariantTimesEverySeed_InTheRunsOrder_WithItsOwnFolderAndCommand()
    {
        var output = new StringWriter();
        string root = Path.Combine(folder, "runs");
        int code = DirCommandLine.Run(new[] { "--plan", "--seeds", "3", "--seed", "7", "--epochs", "2", "--output", root }, new[] { Tiny }, output);
        Assert.Equal(0, code);
        using var plan = JsonDocument.Parse(output.ToString());
        var runs = plan.RootElement.GetProperty("runs").EnumerateArray().ToList();
        var variants = TinyExperiment.Configuration.Variants.Select(v => v.Name).ToList();
        Assert.Equal(variants.Count * 3, runs.Count);
        for (int i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            int seed = 7 + i / variants.Count;
            string variant = variants[i % variants.Count];
            string jobFolder = Path.Combine(root, "jobs", i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(i, run.GetProperty("index").GetInt32());
            Assert.Equal(variant, run.GetProperty("variant").GetString());
            Assert.Equal(seed, run.GetProperty("seed").GetInt32());
            Assert.Equal(jobFolder, run.GetProperty("output").GetString());
            var command = run.GetProperty("command").EnumerateArray().Select(e => e.GetString()).ToList();
            // Each seed's Vanilla job also computes the baseline rows, so the merged report has them.
            var expected = new[] { "--epochs", "2", "--experiment", "TinyExperiment", "--variant", variant, "--seed", "7", "--seeds", "3",
                "--only-seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", jobFolder, "--resume" }
                .Concat(variant == "Vanilla" ? new[] { "--baselines" } : Array.Empty<string>()).ToList();
            Assert.Equal(expected, command.Skip(command.Count - expected.Count));
        }
        Assert.Equal(runs.Count, plan.RootElement.GetProperty("resultFiles").GetArrayLength());
        Assert.False(Directory.Exists(Path.Combine(root, "TinyExperiment")), "planning trained something");
    }

    [Fact]
    public void AVanillaJobWithBaselines_HasTheBaselineRowsOfItsSeed()
    {
        var options = new RunOptions { OutputFolder = Path.Combine(folder, "job"), Device = "cpu", Log = TextWriter.Null, Seeds = 2, Seed = 7, OnlySeed = 8, Epochs = 1, Baselines = true };
        options.Variants.Add("Vanilla");
        var job = TinyExperiment.Run(options);
        Assert.Equal(new[] { "Mean", "Linear", "Vanilla" }, job.VariantNames);
        Assert.All(job.Variants, v => Assert.Equal(8, v.Seed));
        // The same rows as a run of the whole table computes for that seed.
        var whole = TinyExperiment.Run(new RunOptions { OutputFolder = Path.Combine(folder, "whole"), Device = "cpu", Log = TextWriter.Null, Seeds = 2, Seed = 7, Epochs = 1 });
        Assert.Equal(whole.Variants.Single(v => v.Variant == "Linear" && v.Seed == 8).TestPredictions, job.Variants.Single(v => v.Variant == "Linear").TestPredictions);
        Assert.True(DirCommandLine.Parse(new[] { "--baselines" }).Baselines);
    }

    [Fact]
    public void OnlySeed_TrainsThatSeedOfTheRun_AndAnotherIsAUsageError()
    {
        var options = new RunOptions { OutputFolder = Path.Combine(folder, "one"), Device = "cpu", Log = TextWriter.Null, Seeds = 3, Seed = 1, OnlySeed = 2, Epochs = 2 };
        options.Variants.Add("LDS");
        var one = TinyExperiment.Run(options).Variants.Single();
        var all = new RunOptions { OutputFolder = Path.Combine(folder, "all"), Device = "cpu", Log = TextWriter.Null, Seeds = 3, Seed = 1, Epochs = 2 };
        all.Variants.Add("LDS");
        var same = TinyExperiment.Run(all).Variants.Single(v => v.Seed == 2);
        Assert.Equal(2, one.Seed);
        Assert.Equal(same.TestPredictions, one.TestPredictions);
        options.OnlySeed = 9;
        var e = Assert.Throws<ArgumentException>(() => TinyExperiment.Run(options));
        Assert.Equal("--only-seed 9 is not one of this run's seeds (1, 2, 3).", e.Message);
    }

    [Fact]
    public void SlurmScripts_CarryTheResources_OneTaskPerJob_AndParseAsBash()
    {
        string root = Path.Combine(folder, "runs"), scripts = Path.Combine(folder, "slurm");
        int code = DirCommandLine.Run(new[] { "--seeds", "2", "--output", root, "--slurm", scripts, "--slurm-cpus", "4", "--slurm-mem", "8G",
            "--slurm-gpus", "1", "--slurm-time", "01:30:00", "--slurm-partition", "gpu" }, new[] { Tiny }, TextWriter.Null);
        Assert.Equal(0, code);
        int jobs = TinyExperiment.Configuration.Variants.Count * 2;
        var array = File.ReadAllLines(Path.Combine(scripts, SlurmScripts.ArrayScript));
        Assert.Contains($"#SBATCH --array=0-{jobs - 1}", array);
        Assert.Contains("#SBATCH --cpus-per-task=4", array);
        Assert.Contains("#SBATCH --mem=8G", array);
        Assert.Contains("#SBATCH --gpus-per-task=1", array);
        Assert.Contains("#SBATCH --time=01:30:00", array);
        Assert.Contains("#SBATCH --partition=gpu", array);
        // The default warning before the time limit, no requeue unless asked.
        Assert.Contains("#SBATCH --signal=B:TERM@120", array);
        Assert.DoesNotContain("#SBATCH --requeue", array);
        Assert.Equal(jobs, array.Count(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0]) && l.Contains(") exec ", StringComparison.Ordinal)));
        var merge = File.ReadAllText(Path.Combine(scripts, SlurmScripts.MergeScript));
        Assert.Contains($"dirdsl report {Path.Combine(root, "jobs", "0000", "TinyExperiment", "results.json")}", merge);
        Assert.Contains("--dependency=afterok:", File.ReadAllText(Path.Combine(scripts, SlurmScripts.SubmitScript)));
        foreach (var script in new[] { SlurmScripts.ArrayScript, SlurmScripts.MergeScript, SlurmScripts.SubmitScript })
            Assert.Equal(0, LocalSlurm.Run("bash", new[] { "-n", Path.Combine(scripts, script) }).ExitCode);
    }

    [Fact]
    public void SlurmRequeue_RunsEachTaskUnderTheRunnerThatRequeuesItAfterACleanStop()
    {
        string root = Path.Combine(folder, "runs"), scripts = Path.Combine(folder, "slurm");
        int code = DirCommandLine.Run(new[] { "--seeds", "2", "--output", root, "--slurm", scripts, "--slurm-signal", "300", "--slurm-requeue" },
            new[] { Tiny }, TextWriter.Null);
        Assert.Equal(0, code);
        int jobs = TinyExperiment.Configuration.Variants.Count * 2;
        var array = File.ReadAllLines(Path.Combine(scripts, SlurmScripts.ArrayScript));
        Assert.Contains("#SBATCH --signal=B:TERM@300", array);
        Assert.Contains("#SBATCH --requeue", array);
        Assert.Equal(jobs, array.Count(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0]) && l.Contains(") run ", StringComparison.Ordinal)));
        Assert.Contains(array, l => l.Contains("scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"", StringComparison.Ordinal));
        Assert.Equal(0, LocalSlurm.Run("bash", new[] { "-n", Path.Combine(scripts, SlurmScripts.ArrayScript) }).ExitCode);
    }
}
