using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit;

namespace DirDsl.Tests;

/// <summary>
/// Runs only where a real single-node Slurm can be had: Linux, as root (to install Debian's slurm-wlm and munge and
/// start their daemons), with Slurm installed or apt-get to install it. Elsewhere the test is skipped and says why.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (LocalSlurm.Unavailable() is { } reason) Skip = reason;
    }
}

/// <summary>
/// A single-node Slurm on this machine, started and stopped by the tests that use it: installs slurm-wlm and munge
/// with apt-get when they are missing, writes a slurm.conf for localhost (2 CPUs, no cgroups, no accounting) with free
/// ports in a temporary folder, starts munged (unless one already answers), slurmctld and slurmd, and waits until the
/// node is idle. Waits follow progress, never a short clock.
/// </summary>
public sealed class LocalSlurm : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-slurm").FullName;
    private readonly bool startedMunge;

    /// <summary>Why Slurm cannot be had here, or null.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux()) return "Slurm tests need Linux.";
        if (Environment.UserName != "root") return "Slurm tests install and start slurmctld, slurmd and munged: they need root.";
        if (File.Exists("/usr/sbin/slurmctld") && File.Exists("/usr/sbin/slurmd") && File.Exists("/usr/sbin/munged")) return null;
        return File.Exists("/usr/bin/apt-get") ? null : "Slurm is not installed and apt-get is not available to install slurm-wlm and munge.";
    }

    public LocalSlurm()
    {
        if (!File.Exists("/usr/sbin/slurmctld") || !File.Exists("/usr/sbin/munged"))
        {
            var install = new[] { "-y", "install", "slurm-wlm", "munge" };
            if (Run("apt-get", install, allowFailure: true).ExitCode != 0)
            {
                Run("apt-get", new[] { "update" });
                Run("apt-get", install);
            }
        }
        foreach (var sub in new[] { "state", "spool", "logs" }) Directory.CreateDirectory(Path.Combine(folder, sub));
        string host = Run("hostname", new[] { "-s" }).Output.Trim();
        Config = Path.Combine(folder, "slurm.conf");
        File.WriteAllText(Config, $"""
            ClusterName=dirdsltest
            SlurmctldHost={host}(127.0.0.1)
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            CredType=cred/munge
            StateSaveLocation={folder}/state
            SlurmdSpoolDir={folder}/spool
            SlurmctldPidFile={folder}/slurmctld.pid
            SlurmdPidFile={folder}/slurmd.pid
            SlurmctldLogFile={folder}/logs/slurmctld.log
            SlurmdLogFile={folder}/logs/slurmd.log
            SlurmctldPort={FreePort()}
            SlurmdPort={FreePort()}
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            SchedulerType=sched/backfill
            ReturnToService=2
            MpiDefault=none
            MinJobAge=3600
            NodeName={host} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
            PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP

            """);
        if (Run("bash", new[] { "-c", "munge -n | unmunge" }, allowFailure: true).ExitCode != 0)
        {
            Directory.CreateDirectory("/run/munge");
            Run("chown", new[] { "munge:munge", "/run/munge" }, allowFailure: true);
            // As root munged asks for --force (it prefers its own user); the key is the one the package created.
            Run("/usr/sbin/munged", new[] { "--force" });
            startedMunge = true;
        }
        Run("/usr/sbin/slurmctld", new[] { "-f", Config });
        Run("/usr/sbin/slurmd", new[] { "-f", Config });
        WaitFor(() => Scheduler("sinfo", "-h", "-o", "%t").Output.Trim() is "idle" or "mix" or "alloc", "the node to become idle");
    }

    /// <summary>The slurm.conf the commands must use (SLURM_CONF).</summary>
    public string Config { get; }

    /// <summary>Runs a Slurm client command against this cluster.</summary>
    public (int ExitCode, string Output) Scheduler(string command, params string[] args) =>
        Run(command, args, allowFailure: true, environment: new Dictionary<string, string> { ["SLURM_CONF"] = Config });

    /// <summary>A job's state (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, ...).</summary>
    public string State(string job)
    {
        var text = Scheduler("scontrol", "show", "job", job).Output;
        var match = Regex.Match(text, @"JobState=(\w+)");
        return match.Success ? match.Groups[1].Value : "UNKNOWN";
    }

    /// <summary>Waits while <paramref name="done"/> is false; fails only after 10 minutes without it.</summary>
    public static void WaitFor(Func<bool> done, string what, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > (limit ?? TimeSpan.FromMinutes(10))) throw new TimeoutException($"Waited {clock.Elapsed:mm\\:ss} for {what}.");
            Thread.Sleep(200);
        }
    }

    public static (int ExitCode, string Output) Run(string command, IReadOnlyList<string> args, bool allowFailure = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in args) start.ArgumentList.Add(argument);
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string all = output + error.Result;
        if (process.ExitCode != 0 && !allowFailure) throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {all}");
        return (process.ExitCode, all);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Scheduler("scancel", "--user", "root");
        // The daemons' pids before shutdown: they write their state while stopping, so the folder goes only after they have.
        var pids = new[] { "slurmd.pid", "slurmctld.pid" }.Select(p => Path.Combine(folder, p)).Where(File.Exists)
            .Select(p => int.TryParse(File.ReadAllText(p).Trim(), out var pid) ? pid : -1).Where(pid => pid > 0).ToList();
        Scheduler("scontrol", "shutdown");
        WaitFor(() => pids.All(Exited), "slurmctld and slurmd to stop", TimeSpan.FromMinutes(2));
        if (startedMunge) Run("bash", new[] { "-c", "kill $(cat /run/munge/munged.pid 2>/dev/null) 2>/dev/null || pkill -x munged" }, allowFailure: true);
        Directory.Delete(folder, recursive: true);
    }

    private static bool Exited(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return true;
        }
        catch (ArgumentException)
        {
            return true;
        }
        // Still running after its shutdown request: stop it (the wait above allows for that too).
        Run("kill", new[] { pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, allowFailure: true);
        return false;
    }
}
