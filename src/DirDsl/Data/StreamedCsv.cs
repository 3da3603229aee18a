using System.Text;
using Microsoft.Win32.SafeHandles;

namespace DirDsl;

/// <summary>
/// The records of a delimited file, read on demand: one pass at opening indexes where each record starts
/// (8 bytes per record), then <c>this[i]</c> reads and maps record i with a positional read, safe from several
/// threads at once. A split made of it is streamed (<see cref="IStreamingRecords"/>): memory does not grow with
/// the file. Errors name the file, the row and the column, as <see cref="CsvSource.Read{T}"/>'s do.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class StreamedCsv<T> : IReadOnlyList<T>, IStreamingRecords, IRecordSource, IDisposable
{
    private readonly SafeFileHandle handle;
    private readonly TabularFile header;
    private readonly Func<CsvRow, T> map;
    private readonly CsvFormat format;
    private readonly long[] starts;          // start of each record, then the end of the last
    private readonly int[]? rowNumbers;      // only when blank lines make row numbers differ from index + first row
    private readonly int firstRow;

    internal StreamedCsv(string path, Func<CsvRow, T> map, CsvFormat format, IReadOnlyList<string>? columns)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        this.map = map;
        this.format = format;
        handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var (records, text) = Index(path, format.Quoting);
            int next = 0;
            string[] names;
            if (columns is null)
            {
                if (records.Count == 0) throw new DataFormatException(path, 1, null, "the file is empty (no header row).");
                names = TabularFile.ParseRecord(text(0), format, path, 1);
                next = 1;
            }
            else names = columns.ToArray();
            if (names.Length == 1 && names[0].Trim().Length == 0) throw new DataFormatException(path, 1, null, "the header row is empty.");
            var duplicate = names.GroupBy(h => h.Trim()).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) throw new DataFormatException(path, 1, duplicate.Key, "the header names this column twice.");
            header = TabularFile.HeaderOnly(path, names);
            firstRow = columns is null ? 2 : 1;

            // Data records: blank lines are skipped (and keep their row numbers, as TabularFile counts them).
            var kept = new List<long>(records.Count);
            List<int>? rows = null;
            for (int i = next; i < records.Count; i++)
            {
                long length = records.End(i) - records.Start(i);
                bool blank = length <= 2 && text(i).Length == 0;
                if (blank)
                {
                    rows ??= Enumerable.Range(0, kept.Count).Select(k => k + firstRow).ToList();
                    continue;
                }
                kept.Add(records.Start(i));
                rows?.Add(i - next + firstRow);
            }
            if (kept.Count == 0) throw new DataFormatException(path, firstRow, null, "the file has no data rows.");
            kept.Add(records.Count == 0 ? 0 : records.End(records.Count - 1));
            starts = kept.ToArray();
            rowNumbers = rows?.ToArray();
            Path = path;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Source => Path;

    /// <summary>Column names.</summary>
    public IReadOnlyList<string> Header => header.Header;

    /// <inheritdoc />
    public int Count => starts.Length - 1;

    /// <summary>Reads and maps record <paramref name="index"/> (0-based).</summary>
    /// <exception cref="DataFormatException">The row has the wrong number of fields, or the map rejects a cell.</exception>
    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"{Path} has {Count} data rows.");
            int row = rowNumbers?[index] ?? index + firstRow;
            var cells = TabularFile.ParseRecord(RecordText(starts[index], starts[index + 1]), format, Path, row);
            if (cells.Length != header.Header.Count)
                throw new DataFormatException(Path, row, null,
                    $"expected {header.Header.Count} fields (as the header) but found {cells.Length}; is the delimiter '{format.Printable}' right?");
            return map(new CsvRow(header, cells, row));
        }
    }

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Closes the file.</summary>
    public void Dispose() => handle.Dispose();

    /// <summary>The text of the bytes [start, end) without the record's line ending.</summary>
    private string RecordText(long start, long end)
    {
        int length = checked((int)(end - start));
        var bytes = length <= 1024 ? stackalloc byte[length] : new byte[length];
        int read = 0;
        while (read < length)
        {
            int n = RandomAccess.Read(handle, bytes[read..], start + read);
            if (n == 0) throw new DataFormatException(Path, 0, null, "the file became shorter while it was read; do not change a data file during a run.");
            read += n;
        }
        if (length > 0 && bytes[length - 1] == (byte)'\n') length--;
        if (length > 0 && bytes[length - 1] == (byte)'\r') length--;
        return Encoding.UTF8.GetString(bytes[..length]);
    }

    /// <summary>Record boundaries of the file: a record ends at a line break outside quotes. A UTF-8 BOM is skipped.</summary>
    private (Boundaries Records, Func<int, string> Text) Index(string path, bool quoting)
    {
        var boundaries = new Boundaries();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var buffer = new byte[1 << 16];
        long position = 0, start = 0;
        bool inQuotes = false, first = true;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int i = 0;
            if (first)
            {
                first = false;
                if (n >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) start = i = 3;
            }
            for (; i < n; i++)
            {
                byte b = buffer[i];
                if (quoting && b == (byte)'"') inQuotes = !inQuotes;
                else if (b == (byte)'\n' && !inQuotes)
                {
                    boundaries.Add(start, position + i + 1);
                    start = position + i + 1;
                }
            }
            position += n;
        }
        if (inQuotes) throw new DataFormatException(path, boundaries.Count + 1, null, "a quoted field is not closed before the end of the file.");
        if (position > start) boundaries.Add(start, position);
        return (boundaries, i => RecordText(boundaries.Start(i), boundaries.End(i)));
    }

    /// <summary>Record starts and ends as found by the indexing pass.</summary>
    private sealed class Boundaries
    {
        private readonly List<long> starts = new();
        private readonly List<long> ends = new();
        public int Count => starts.Count;
        public void Add(long start, long end)
        {
            starts.Add(start);
            ends.Add(end);
        }
        public long Start(int i) => starts[i];
        public long End(int i) => ends[i];
    }
}
