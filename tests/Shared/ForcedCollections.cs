namespace DirDsl.Testing;

/// <summary>
/// A thread that collects and runs finalizers without pause while it lives: the load under which TorchSharp 0.107 frees
/// temporary Scalars during native calls. Dispose stops and joins it.
/// </summary>
public sealed class ForcedCollections : IDisposable
{
    private readonly Thread collector;
    private bool stop;

    public ForcedCollections()
    {
        collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
    }

    public void Dispose()
    {
        Volatile.Write(ref stop, true);
        collector.Join();
    }
}
