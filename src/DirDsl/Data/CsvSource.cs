using System.Globalization;

namespace DirDsl;

/// <summary>
/// One row of a delimited file, with typed, header-mapped accessors. Every error names the file,
/// the row (1-based, the header is row 1) and the column.
/// </summary>
public readonly struct CsvRow
{
    private readonly TabularFile file;
    private readonly string[] cells;

    internal CsvRow(TabularFile file, string[] cells, int row)
    {
        this.file = file;
        this.cells = cells;
        Row = row;
    }

    /// <summary>The 1-based row number in the file (the header is row 1).</summary>
    public int Row { get; }

    /// <summary>The raw text of a column.</summary>
    public string String(string column) => cells[file.ColumnIndex(column)];

    /// <summary>A finite number (invariant culture).</summary>
    public double Double(string column) => Number(column, "");

    private double Number(string column, string what)
    {
        var cell = String(column).Trim();
        if (cell.Length == 0) throw new DataFormatException(file.Path, Row, column, what + "the cell is empty.");
        // .NET's parser skips trailing NUL characters ("0.4\0\0" reads as 0.4): a cell with any control character is damaged data.
        if (cell.Any(char.IsControl))
            throw new DataFormatException(file.Path, Row, column, $"{what}the cell contains a control character (U+{(int)cell.First(char.IsControl):X4}); the file may be damaged.");
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new DataFormatException(file.Path, Row, column, $"{what}'{Shorten(cell)}' is not a number.");
        if (!double.IsFinite(value) || Math.Abs(value) > float.MaxValue)
            throw new DataFormatException(file.Path, Row, column, $"{what}'{Shorten(cell)}' is not a finite number in float range.");
        return value;
    }

    /// <summary>A finite number as float.</summary>
    public float Float(string column) => (float)Double(column);

    /// <summary>Cells that mean "missing" to the OrNull accessors (compared ignoring case, after trimming): empty, NA, N/A, NaN, null, ?.</summary>
    public static readonly IReadOnlySet<string> MissingMarkers = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "", "NA", "N/A", "NaN", "null", "?" };

    /// <summary>Whether the cell is missing (see <see cref="MissingMarkers"/>).</summary>
    public bool IsMissing(string column) => MissingMarkers.Contains(String(column).Trim());

    /// <summary>A finite number, or null when the cell is missing; any other text is an error naming file, row and column.</summary>
    public double? DoubleOrNull(string column) => IsMissing(column) ? null : Double(column);

    /// <summary>A finite number as float, or null when the cell is missing.</summary>
    public float? FloatOrNull(string column) => IsMissing(column) ? null : Float(column);

    /// <summary>A whole number, or null when the cell is missing.</summary>
    public int? IntOrNull(string column) => IsMissing(column) ? null : Int(column);

    /// <summary>A whole number.</summary>
    public int Int(string column)
    {
        double value = Double(column);
        if (value != Math.Floor(value))
            throw new DataFormatException(file.Path, Row, column, $"'{Shorten(String(column).Trim())}' is not a whole number.");
        if (value < int.MinValue || value > int.MaxValue)
            throw new DataFormatException(file.Path, Row, column,
                $"'{Shorten(String(column).Trim())}' is a whole number outside the range of int ({int.MinValue} to {int.MaxValue}); read it with Double.");
        return (int)value;
    }

    /// <summary>The target: a finite number; NaN, infinity or an empty cell is an error naming the target column.</summary>
    public float Target(string column) => (float)Number(column, "target ");


    /// <summary>
    /// The value of the column named like a record member (what a generated <c>ReadRecords</c> reads to predict): the
    /// column <paramref name="member"/>, or one whose name is the same ignoring case and every character that is not a
    /// letter or digit (<c>WholeWeight</c> reads <c>whole_weight</c>). <typeparamref name="T"/> is a number, bool
    /// (true/false, 1/0, yes/no), string, enum (its names, ignoring case), a nullable one of those (a missing cell, see
    /// <see cref="MissingMarkers"/>, is null), or float[] / double[] (the columns <c>Member_0</c>, <c>Member_1</c>, ...).
    /// </summary>
    /// <exception cref="DataFormatException">No such column, or a cell that is not a <typeparamref name="T"/>: names file, row and column.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is none of those types.</exception>
    public T Member<T>(string member) => (T)MemberValue(typeof(T), member)!;

    private object? MemberValue(Type type, string member)
    {
        if (type == typeof(float[])) return MemberVector(member).Select(Float).ToArray();
        if (type == typeof(double[])) return MemberVector(member).Select(Double).ToArray();
        var column = file.Header[file.MemberIndex(member)];
        if (Nullable.GetUnderlyingType(type) is { } underlying) return IsMissing(column) ? null : MemberValue(underlying, column);
        if (type == typeof(string)) return String(column);
        if (type == typeof(double)) return Double(column);
        if (type == typeof(float)) return Float(column);
        if (type == typeof(int)) return Int(column);
        if (type == typeof(decimal)) return (decimal)Double(column);
        if (type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte))
        {
            double value = Double(column);
            if (value != Math.Floor(value)) throw new DataFormatException(file.Path, Row, column, $"'{Shorten(String(column).Trim())}' is not a whole number.");
            try
            {
                return Convert.ChangeType(checked((long)value), type, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is OverflowException)
            {
                throw new DataFormatException(file.Path, Row, column, $"'{Shorten(String(column).Trim())}' is outside the range of {type.Name}.");
            }
        }
        if (type == typeof(bool))
        {
            var cell = String(column).Trim();
            return cell.ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" => false,
                _ => throw new DataFormatException(file.Path, Row, column, $"'{Shorten(cell)}' is not true/false, 1/0 or yes/no."),
            };
        }
        if (type.IsEnum)
        {
            var cell = String(column).Trim();
            if (Enum.TryParse(type, cell, ignoreCase: true, out var value) && Enum.IsDefined(type, value!) && !char.IsDigit(cell.FirstOrDefault()) && cell.FirstOrDefault() != '-')
                return value;
            throw new DataFormatException(file.Path, Row, column, $"'{Shorten(cell)}' is not a {type.Name}; its values are {string.Join(", ", Enum.GetNames(type))}.");
        }
        throw new NotSupportedException($"A record member of type {type.Name} cannot be read from a delimited file.");
    }

    /// <summary>The columns Member_0, Member_1, ... (any separator, or none) of a vector member, in order.</summary>
    private IEnumerable<string> MemberVector(string member)
    {
        var found = new List<string>();
        for (int i = 0; file.TryMemberIndex(member + "_" + i.ToString(CultureInfo.InvariantCulture)) is { } index; i++) found.Add(file.Header[index]);
        if (found.Count == 0)
            throw new DataFormatException(file.Path, 1, member + "_0", $"no such column: the vector member '{member}' is read from the columns {member}_0, {member}_1, ...; the header has {string.Join(", ", file.Header)}.");
        return found;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}

/// <summary>Reads typed records from a delimited file with a header row (or given column names).</summary>
public static class CsvSource
{
    /// <summary>
    /// Reads every row through <paramref name="map"/>. Quoting follows RFC 4180 unless turned off
    /// (STS-B and SICK need it off); a UTF-8 byte-order mark is ignored.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="map">Builds a record from a row with typed accessors (row.Double("x"), row.Target("y"), ...).</param>
    /// <param name="delimiter">Field separator: one character or several (", "); "\t" for tab-separated files.</param>
    /// <param name="quoting">RFC 4180 quotes.</param>
    /// <param name="columns">Column names when the file has no header row.</param>
    /// <param name="trim">Remove white space around every field (a file written as "a, b, c" with a "," delimiter).</param>
    /// <exception cref="DataFormatException">Empty file, wrong number of fields, missing column, bad cell: names file, row and column.</exception>
    public static CsvRecords<T> Read<T>(string path, Func<CsvRow, T> map, string delimiter = ",", bool quoting = true, IReadOnlyList<string>? columns = null,
        bool trim = false)
    {
        // Row by row: each row's cells are mapped and dropped, so memory holds the records, not every cell as text.
        var records = new CsvRecords<T>(path);
        foreach (var (file, cells, row) in TabularFile.Records(path, new CsvFormat(delimiter, quoting, trim), columns)) records.Add(map(new CsvRow(file, cells, row)));
        if (records.Count == 0) throw new DataFormatException(path, columns is null ? 2 : 1, null, "the file has no data rows.");
        return records;
    }

    /// <summary>
    /// The rows of a delimited file as records read on demand (see <see cref="StreamedCsv{T}"/>): for files larger than
    /// memory, a split of these is streamed in batches. The same accessors and errors as <see cref="Read{T}"/>;
    /// a bad cell is reported when its row is first read.
    /// </summary>
    /// <exception cref="DataFormatException">An empty file or header, a duplicate column, an unclosed quote.</exception>
    public static StreamedCsv<T> Stream<T>(string path, Func<CsvRow, T> map, string delimiter = ",", bool quoting = true, IReadOnlyList<string>? columns = null,
        bool trim = false) =>
        new(path, map, new CsvFormat(delimiter, quoting, trim), columns);
}

/// <summary>
/// Builds balanced validation and test splits from one set of records, the way the DIR benchmarks
/// were built: per label bin, the test split takes at most <c>testPerBin</c> records and at most
/// half of the bin; validation then takes at most <c>validationPerBin</c> and at most half of what
/// is left; the rest is training. Thin bins therefore stay represented in training.
/// </summary>
public static class BalancedSplit
{
    /// <summary>Splits <paramref name="records"/>; deterministic for a seed.</summary>
    /// <exception cref="DirDataException">A split comes out empty (too few records per bin).</exception>
    public static DirSplits<T> Create<T>(IReadOnlyList<T> records, Func<T, float> target, LabelBins bins,
        int testPerBin, int validationPerBin, int seed)
    {
        if (testPerBin < 1 || validationPerBin < 1)
            throw new ArgumentOutOfRangeException(nameof(testPerBin), "testPerBin and validationPerBin must be at least 1.");
        var byBin = new List<T>[bins.Count];
        for (int b = 0; b < byBin.Length; b++) byBin[b] = new List<T>();
        for (int i = 0; i < records.Count; i++)
        {
            float value = target(records[i]);
            if (!float.IsFinite(value)) throw new DirDataException("input", i, "target", $"the target is {value}; targets must be finite.");
            byBin[bins.BinOf(value)].Add(records[i]);
        }
        var random = new Random(seed);
        var train = new List<T>();
        var validation = new List<T>();
        var test = new List<T>();
        foreach (var bin in byBin)
        {
            var shuffled = bin.ToArray();
            random.Shuffle(shuffled);
            int testCount = Math.Min(testPerBin, shuffled.Length / 2);
            int validationCount = Math.Min(validationPerBin, (shuffled.Length - testCount) / 2);
            test.AddRange(shuffled.Take(testCount));
            validation.AddRange(shuffled.Skip(testCount).Take(validationCount));
            train.AddRange(shuffled.Skip(testCount + validationCount));
        }
        foreach (var (name, split) in new[] { ("train", train), ("validation", validation), ("test", test) })
            if (split.Count == 0)
                throw new DirDataException(name, $"it is empty: {records.Count} records{(records is IRecordSource source ? $" of '{source.Source}'" : "")} are too few for "
                    + $"{bins.Count} bins with these caps (each bin gives test and validation at most half of its records).");
        return new DirSplits<T>(train, validation, test);
    }
}

/// <summary>Records that know where they were read from (a file), so errors about them can name it.</summary>
public interface IRecordSource
{
    /// <summary>The file (or other source) the records came from.</summary>
    string Source { get; }
}

/// <summary>The records of a delimited file read whole (<see cref="CsvSource.Read{T}"/>): a list that names its file.</summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class CsvRecords<T>(string path) : List<T>, IRecordSource
{
    /// <inheritdoc />
    public string Source { get; } = path;
}
