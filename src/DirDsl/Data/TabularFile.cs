using System.Globalization;

namespace DirDsl;

/// <summary>A data error that names where it is: file, row (1-based, header = row 1) and column.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the error.</summary>
    public DataFormatException(string file, int row, string? column, string problem)
        : base($"{file}, row {row}{(column is null ? "" : $", column '{column}'")}: {problem}")
    {
        File = file;
        Row = row;
        Column = column;
    }

    /// <summary>The file.</summary>
    public string File { get; }
    /// <summary>The 1-based row (the header is row 1).</summary>
    public int Row { get; }
    /// <summary>The column, when one is at fault.</summary>
    public string? Column { get; }
}

/// <summary>
/// A delimited text file with a header row, read whole. Quoting is optional: STS-B and SICK must
/// be read with quoting off because their sentences contain double quotes.
/// </summary>
public sealed class TabularFile
{
    private readonly Dictionary<string, int> columns;
    private readonly List<string[]> rows;

    private readonly List<int> lineOfRow;

    private TabularFile(string path, string[] header, List<string[]> rows, List<int> lineOfRow)
    {
        this.lineOfRow = lineOfRow;
        Path = path;
        Header = header;
        this.rows = rows;
        columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Length; i++) columns.TryAdd(header[i], i);
    }

    /// <summary>The file it came from.</summary>
    public string Path { get; }
    /// <summary>Column names.</summary>
    public IReadOnlyList<string> Header { get; }
    /// <summary>Number of data rows.</summary>
    public int Count => rows.Count;

    /// <summary>Reads a file; every data row must have as many fields as the header.</summary>
    /// <param name="path">The file.</param>
    /// <param name="delimiter">Field separator: one character or several (", "); "\t" for tabs.</param>
    /// <param name="quoting">RFC 4180 quoting.</param>
    /// <param name="columns">Column names for a file without a header row (its first line is data).</param>
    /// <param name="trim">Remove white space around every field.</param>
    /// <exception cref="DataFormatException">Empty file, or a row with the wrong number of fields.</exception>
    public static TabularFile Read(string path, string delimiter = ",", bool quoting = true, IReadOnlyList<string>? columns = null, bool trim = false)
    {
        var rows = new List<string[]>();
        var rowNumbers = new List<int>();
        TabularFile? file = null;
        foreach (var (header, cells, row) in Records(path, new CsvFormat(delimiter, quoting, trim), columns))
        {
            file ??= header;
            rows.Add(cells);
            rowNumbers.Add(row);
        }
        var names = file?.Header ?? HeaderOf(path, new CsvFormat(delimiter, quoting, trim), columns);
        return new TabularFile(path, names.ToArray(), rows, rowNumbers);
    }

    /// <summary>
    /// The data rows of a file one at a time (blank lines skipped), each with the header-only file its accessors use
    /// and its 1-based row number: what <see cref="Read"/> collects and <c>CsvSource.Read</c> maps row by row without
    /// holding every cell. The same checks as <see cref="Read"/>.
    /// </summary>
    internal static IEnumerable<(TabularFile Header, string[] Cells, int Row)> Records(string path, CsvFormat format, IReadOnlyList<string>? columns)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var header = ReadHeader(reader, path, format, columns);
        var file = HeaderOnly(path, header);
        for (int row = columns is null ? 2 : 1; ; row++)
        {
            var record = ReadRecord(reader, format, path, row);
            if (record is null) yield break;
            if (record.Length == 1 && record[0].Length == 0) continue; // blank line
            if (record.Length != header.Length)
                throw new DataFormatException(path, row, null,
                    $"expected {header.Length} fields (as the header) but found {record.Length}; is the delimiter '{format.Printable}' right?");
            yield return (file, record, row);
        }
    }

    private static IReadOnlyList<string> HeaderOf(string path, CsvFormat format, IReadOnlyList<string>? columns)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return ReadHeader(reader, path, format, columns).Select(h => h.Trim()).ToArray();
    }

    private static string[] ReadHeader(TextReader reader, string path, CsvFormat format, IReadOnlyList<string>? columns)
    {
        var header = columns?.ToArray() ?? ReadRecord(reader, format, path, 1)
            ?? throw new DataFormatException(path, 1, null, "the file is empty (no header row).");
        if (header.Length == 1 && header[0].Trim().Length == 0) throw new DataFormatException(path, 1, null, "the header row is empty.");
        var duplicate = header.GroupBy(h => h.Trim()).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new DataFormatException(path, 1, duplicate.Key, "the header names this column twice.");
        return header;
    }

    /// <summary>A file known by its header only (streamed files read their rows on demand).</summary>
    internal static TabularFile HeaderOnly(string path, IReadOnlyList<string> header) =>
        new(path, header.Select(h => h.Trim()).ToArray(), new List<string[]>(), new List<int>());

    /// <summary>Parses one record's text (a line, or several when a quoted field holds line breaks).</summary>
    internal static string[] ParseRecord(string text, CsvFormat format, string path, int row) =>
        ReadRecord(new StringReader(text), format, path, row) ?? new[] { "" };

    /// <summary>The data row at <paramref name="index"/> (0-based), for typed access.</summary>
    public CsvRow RowAt(int index) => new(this, rows[index], lineOfRow[index]);

    /// <summary>The raw text of a column.</summary>
    public string[] Strings(string column) => rows.Select(r => r[IndexOf(column)]).ToArray();

    /// <summary>A numeric column; every cell must parse (invariant culture) to a finite number.</summary>
    /// <exception cref="DataFormatException">Missing column, empty or non-numeric cell, NaN or infinity.</exception>
    public float[] Floats(string column)
    {
        int index = IndexOf(column);
        var result = new float[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var cell = rows[i][index].Trim();
            result[i] = RowAt(i).Float(column);
        }
        return result;
    }

    /// <summary>The index of a column; a missing column is an error listing the header.</summary>
    public int ColumnIndex(string column) => IndexOf(column);

    /// <summary>
    /// The index of the column named like a record member: exactly, else the one column whose name is the same ignoring
    /// case and every character that is not a letter or digit; a missing or ambiguous one is an error listing the header.
    /// </summary>
    internal int MemberIndex(string member) => TryMemberIndex(member)
        ?? throw new DataFormatException(Path, 1, member, $"no column for the record member '{member}' (its name, ignoring case, '_', '-' and spaces); "
            + $"the header has {string.Join(", ", Header)}.");

    /// <summary>As <see cref="MemberIndex"/>, or null when no column matches.</summary>
    internal int? TryMemberIndex(string member)
    {
        if (columns.TryGetValue(member, out var exact)) return exact;
        var key = Loose(member);
        var matches = Enumerable.Range(0, Header.Count).Where(i => Loose(Header[i]) == key).ToList();
        if (matches.Count > 1)
            throw new DataFormatException(Path, 1, member, $"the columns {string.Join(" and ", matches.Select(i => Header[i]))} both name the record member '{member}'.");
        return matches.Count == 1 ? matches[0] : null;
    }

    private static string Loose(string name) => string.Concat(name.Where(char.IsLetterOrDigit)).ToLowerInvariant();

    private int IndexOf(string column) => columns.TryGetValue(column, out var index)
        ? index
        : throw new DataFormatException(Path, 1, column, $"no such column; the header has {string.Join(", ", Header)}."
            + (Header.Count == 1 && Header[0].IndexOfAny(new[] { ';', '\t', ',', '|' }) >= 0 ? " The file may use another delimiter." : ""));

    /// <summary>One record (RFC 4180 quoting when enabled: quotes around fields, "" inside), or null at end of file.</summary>
    private static string[]? ReadRecord(TextReader reader, CsvFormat format, string path, int row)
    {
        var line = reader.ReadLine();
        if (line is null) return null;
        var delimiter = format.Delimiter;
        if (!format.Quoting) return format.Cells(line.Split(delimiter));
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool inQuotes = false;
        for (int i = 0; ; i++)
        {
            if (i == line.Length)
            {
                if (!inQuotes) break;
                var next = reader.ReadLine()
                    ?? throw new DataFormatException(path, row, null, "a quoted field is not closed before the end of the file.");
                field.Append('\n');
                line = next;
                i = -1;
                continue;
            }
            char c = line[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') inQuotes = false;
                else field.Append(c);
            }
            else if (c == '"' && field.Length == 0) inQuotes = true;
            else if (string.CompareOrdinal(line, i, delimiter, 0, delimiter.Length) == 0)
            {
                fields.Add(field.ToString());
                field.Clear();
                i += delimiter.Length - 1;
            }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return format.Cells(fields.ToArray());
    }
}

/// <summary>How a delimited file separates and quotes its fields.</summary>
/// <param name="Delimiter">The field separator: one character or several (", " in census tables); not empty.</param>
/// <param name="Quoting">RFC 4180 quotes around fields ("" inside).</param>
/// <param name="Trim">Whether white space around every field (after unquoting) is removed.</param>
internal sealed record CsvFormat(string Delimiter, bool Quoting, bool Trim)
{
    /// <summary>The separator checked.</summary>
    public string Delimiter { get; } = string.IsNullOrEmpty(Delimiter)
        ? throw new ArgumentException("The delimiter must be at least one character.", nameof(Delimiter))
        : Delimiter.Contains('"') && Quoting ? throw new ArgumentException("The delimiter cannot contain a quote while quoting is on.", nameof(Delimiter)) : Delimiter;

    /// <summary>The separator as errors print it (a tab as \t).</summary>
    public string Printable => Delimiter.Replace("\t", "\\t");

    /// <summary>The fields of a record, trimmed when <see cref="Trim"/>.</summary>
    public string[] Cells(string[] fields)
    {
        if (Trim) for (int i = 0; i < fields.Length; i++) fields[i] = fields[i].Trim();
        return fields;
    }
}
