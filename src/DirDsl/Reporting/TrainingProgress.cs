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
        string eta = fraction > 0 && fraction < 1
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
