namespace DirDsl;

/// <summary>Some records of a list by index, without copying them: a list read from storage stays one (it still streams).</summary>
public static class RecordSubset
{
    /// <summary>The records of <paramref name="source"/> at <paramref name="kept"/> (ascending indices), in order.</summary>
    public static IReadOnlyList<T> Of<T>(IReadOnlyList<T> source, int[] kept) =>
        source is IStreamingRecords ? new StreamingSubset<T>(source, kept) : new Subset<T>(source, kept);

    private class Subset<T>(IReadOnlyList<T> source, int[] kept) : IReadOnlyList<T>
    {
        public T this[int index] => source[kept[index]];
        public int Count => kept.Length;
        public IEnumerator<T> GetEnumerator() => kept.Select(i => source[i]).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class StreamingSubset<T>(IReadOnlyList<T> source, int[] kept) : Subset<T>(source, kept), IStreamingRecords;
}
