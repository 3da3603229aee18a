using System.Text.RegularExpressions;
using DirDsl.Tests.Data;
using Xunit;

namespace DirDsl.Tests;

/// <summary>
/// The Abalone example scaled out on a real Slurm (Debian's slurm-wlm, single node, started by the fixture): the
/// generated job array and its dependent merge job give the in-process run's report digit for digit, and a task killed
/// mid-training and re-submitted alone resumes to the same result.
/// </summary>
[Collection(nameof(SlurmTests))]
public sealed class SlurmTests : IClassFixture<LocalSlurm>, IDisposable
{
    private readonly LocalSlurm slurm;
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-slurm-run").FullName;
    private static readonly string Configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
    private static readonly string Abalone = Path.Combine(CsvSourceTests.RepositoryRoot(), "examples", "Abalone", "bin", Configuration, "net10.0", "Abalone.dll");
    private static readonly string Tool = Path.Combine(CsvSourceTests.RepositoryRoot(), "src", "DirDsl.Cli", "bin", Configuration, "net10.0", "DirDsl.Cli.dll");

    public SlurmTests(LocalSlurm slurm)
    {
        this.slurm = slurm;
        Assert.True(File.Exists(Abalone) && File.Exists(Tool), "build the solution (dotnet build DirDsl.sln) before testing.");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>The report of one in-process run, through the same dirdsl report the merge job runs, without its first line (file count).</summary>
    private string InProcessReport(string name, params string[] arguments)
    {
        string output = Path.Combine(folder, name);
        LocalSlurm.Run("dotnet", new[] { Abalone }.Concat(arguments).Concat(new[] { "--output", output }).ToArray());
        string report = Path.Combine(folder, name + ".md");
        LocalSlurm.Run("dotnet", new[] { Tool, "report", Path.Combine(output, "AbaloneExperiment", "results.json"), "--out", report });
        return Body(report);
    }

    private static string Body(string report) => string.Join("\n", File.ReadAllLines(report).Skip(1));

    private string[] WriteScripts(string name, params string[] arguments)
    {
        string scripts = Path.Combine(folder, name + "-scripts");
        LocalSlurm.Run("dotnet", new[] { Abalone }.Concat(arguments).Concat(new[]
        {
            "--output", Path.Combine(folder, name), "--slurm", scripts, "--slurm-cpus", "1", "--report-command", $"dotnet {Tool}",
        }).ToArray());
        return new[] { Path.Combine(scripts, "array.sbatch"), Path.Combine(scripts, "merge.sbatch"), Path.Combine(scripts, "submit.sh") };
    }

    /// <summary>Waits until <paramref name="job"/> ends; progress is the number of finished job folders, never a short clock.</summary>
    private string WaitForEnd(string job, string root)
    {
        int Finished() => Directory.Exists(Path.Combine(root, "jobs"))
            ? Directory.EnumerateFiles(Path.Combine(root, "jobs"), "results.json", SearchOption.AllDirectories).Count()
            : 0;
        int last = -1;
        var sinceProgress = System.Diagnostics.Stopwatch.StartNew();
        string state;
        while ((state = slurm.State(job)) is "PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING" or "REQUEUED" or "UNKNOWN")
        {
            int now = Finished();
            if (now != last)
            {
                last = now;
                sinceProgress.Restart();
            }
            Assert.True(sinceProgress.Elapsed < TimeSpan.FromMinutes(10), $"job {job} made no progress for 10 minutes (state {state}, {now} finished)");
            Thread.Sleep(250);
        }
        return state;
    }

    [SlurmFact]
    public void SearchAsAJobArray_MergesToTheInProcessReport_DigitForDigit()
    {
        var run = new[] { "--search", "--seeds", "2", "--epochs", "5", "--device", "cpu" };
        var scripts = WriteScripts("array", run);
        var submitted = slurm.Scheduler("bash", scripts[2]);
        Assert.Equal(0, submitted.ExitCode);
        var ids = Regex.Match(submitted.Output, @"array job (\d+), merge job (\d+)");
        Assert.True(ids.Success, submitted.Output);
        string root = Path.Combine(folder, "array");
        Assert.Equal("COMPLETED", WaitForEnd(ids.Groups[2].Value, root));
        // 12 search points x 2 seeds, each task its own folder.
        Assert.Equal(24, Directory.GetDirectories(Path.Combine(root, "jobs")).Length);
        string merged = Path.Combine(root, "merged", "report.md");
        Assert.StartsWith("Merged 24 variant results from 24 file(s)", File.ReadLines(merged).First());
        Assert.Equal(InProcessReport("local", run), Body(merged));
    }

    /// <summary>Two FDS variants of Abalone with one seed, checkpointed after every epoch: two array tasks long enough to interrupt.</summary>
    private static string[] TwoTasks(int epochs) => new[]
    {
        "--variant", "LDS+FDS@kernel=gaussian,size=5,sigma=2", "--variant", "LDS+FDS@kernel=laplace,size=3,sigma=1", "--seeds", "1",
        "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--checkpoint-every", "0", "--verbose", "--device", "cpu",
    };

    /// <summary>Submits the array and waits until task 1 has reported epoch 10 (its checkpoint of that epoch is written before the line).</summary>
    private (string Job, string Log) SubmitUntilTaskOneReachesEpoch10(string arrayScript, string root, int epochs)
    {
        var array = slurm.Scheduler("sbatch", "--parsable", arrayScript);
        Assert.Equal(0, array.ExitCode);
        string job = array.Output.Trim().Split(';')[0];
        string log = Path.Combine(root, "logs", $"{job}_1.out");
        LocalSlurm.WaitFor(() => File.Exists(log) && File.ReadAllText(log).Contains($"epoch 10/{epochs}", StringComparison.Ordinal), "task 1 to reach epoch 10");
        return (job, log);
    }

    /// <summary>Runs the merge job and checks its report against an uninterrupted in-process run of <paramref name="run"/>.</summary>
    private void AssertMergeIsTheUninterruptedReport(string mergeScript, string root, string[] run)
    {
        var merge = slurm.Scheduler("sbatch", "--parsable", mergeScript);
        Assert.Equal("COMPLETED", WaitForEnd(merge.Output.Trim().Split(';')[0], root));
        Assert.Equal(InProcessReport("uninterrupted", run), Body(Path.Combine(root, "merged", "report.md")));
    }

    [SlurmFact]
    public void TaskKilledMidTraining_ResubmittedAlone_MergesToTheUninterruptedReport()
    {
        var run = TwoTasks(60);
        var scripts = WriteScripts("killed", run);
        string root = Path.Combine(folder, "killed");
        var (job, _) = SubmitUntilTaskOneReachesEpoch10(scripts[0], root, 60);
        Assert.Equal(0, slurm.Scheduler("scancel", $"{job}_1").ExitCode);
        Assert.Equal("CANCELLED", WaitForEnd($"{job}_1", root));
        Assert.Equal("COMPLETED", WaitForEnd($"{job}_0", root));
        Assert.False(File.Exists(Path.Combine(root, "jobs", "0001", "AbaloneExperiment", "results.json")));

        // The task alone, again: it resumes from its checkpoint, then the merge.
        var again = slurm.Scheduler("sbatch", "--parsable", "--array=1", scripts[0]);
        string rerun = again.Output.Trim().Split(';')[0];
        Assert.Equal("COMPLETED", WaitForEnd($"{rerun}_1", root));
        Assert.Contains("resumed after epoch", File.ReadAllText(Path.Combine(root, "logs", $"{rerun}_1.out")), StringComparison.Ordinal);
        AssertMergeIsTheUninterruptedReport(scripts[1], root, run);
    }

    [SlurmFact]
    public void TaskSignalledMidTraining_IsRequeued_ResumesAndMergesToTheUninterruptedReport()
    {
        var run = TwoTasks(30);
        var scripts = WriteScripts("requeued", run.Append("--slurm-requeue").ToArray());
        var script = File.ReadAllText(scripts[0]);
        Assert.Contains($"#SBATCH --signal=B:TERM@{DirDsl.Hosting.SlurmResources.DefaultSignalLead}", script);
        Assert.Contains("#SBATCH --requeue", script);
        string root = Path.Combine(folder, "requeued");
        // SIGTERM to task 1's batch shell at epoch 10, as Slurm's warning before a time limit (--signal=B:TERM) or a
        // preemption delivers it: the training stops with a checkpoint and the task is requeued.
        var (job, log) = SubmitUntilTaskOneReachesEpoch10(scripts[0], root, 30);
        Assert.Equal(0, slurm.Scheduler("scancel", "--signal=TERM", "--batch", $"{job}_1").ExitCode);
        LocalSlurm.WaitFor(() => slurm.Scheduler("scontrol", "show", "job", $"{job}_1").Output.Contains("Restarts=1", StringComparison.Ordinal), "task 1 to be requeued");
        Assert.Equal("COMPLETED", WaitForEnd($"{job}_1", root));
        Assert.Equal("COMPLETED", WaitForEnd($"{job}_0", root));
        Assert.Contains("resumed after epoch", File.ReadAllText(log), StringComparison.Ordinal);
        AssertMergeIsTheUninterruptedReport(scripts[1], root, run);
    }
}
