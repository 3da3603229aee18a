using System.Text;

namespace DirDsl;

/// <summary>A lock on an experiment's output folder for one run, so that two runs never write into it at once.</summary>
public sealed class OutputLock : IDisposable
{
    private readonly FileStream stream;

    private OutputLock(FileStream stream) => this.stream = stream;

    /// <summary>Name of the lock file in the output folder.</summary>
    public const string FileName = ".dirdsl.lock";

    /// <summary>Takes the lock of <paramref name="folder"/> (creating the folder), or fails at once when another run holds it.</summary>
    /// <exception cref="IOException">Another run writes into the folder, or the folder cannot be written.</exception>
    public static OutputLock Acquire(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot use {Path.GetFullPath(folder)} as the output folder: {e.Message} Pass another --output.", e);
        }
        var path = Path.Combine(folder, FileName);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            var owner = Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n");
            stream.Write(owner);
            stream.Flush();
            return new OutputLock(stream);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Cannot write into {Path.GetFullPath(folder)}: {e.Message} Pass another --output.", e);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new IOException($"Another run is writing to {Path.GetFullPath(folder)} (it holds {FileName}); wait for it to finish or pass another --output.", e);
        }
        catch (IOException e)
        {
            throw new IOException($"Cannot write into {Path.GetFullPath(folder)}: {e.Message} Pass another --output.", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => stream.Dispose();
}
