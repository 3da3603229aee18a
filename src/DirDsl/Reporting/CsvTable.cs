using System.Globalization;
using CsvHelper;

namespace DirDsl;

/// <summary>CSV output of the project (predictions, weights), written by CsvHelper: RFC 4180 quoting where a cell needs it.</summary>
public static class CsvTable
{
    /// <summary>A header and rows as CSV text; numbers are the caller's invariant round-trip strings (see <see cref="Number(double)"/>).</summary>
    public static string Write(IReadOnlyList<string> header, IEnumerable<IEnumerable<string>> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        using (var csv = new CsvWriter(text, new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" }))
        {
            foreach (var name in header) csv.WriteField(name);
            csv.NextRecord();
            foreach (var row in rows)
            {
                foreach (var cell in row) csv.WriteField(cell);
                csv.NextRecord();
            }
        }
        return text.ToString();
    }

    /// <summary>A number in invariant round-trip form.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A float in invariant round-trip form.</summary>
    public static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
