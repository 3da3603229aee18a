using System.Text;
using Xunit;

namespace DirDsl.Tests.Data;

/// <summary>The CSV record source and the balanced split builder.</summary>
public sealed class CsvSourceTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-csv").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string text, bool bom = false)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text, new UTF8Encoding(bom));
        return path;
    }

    private sealed record House(double Area, string City, float Price);

    private static House Map(CsvRow row) => new(row.Double("area"), row.String("city"), row.Target("price"));

    public enum Colour { Red, Green }

    [Fact]
    public void Member_ReadsAColumnNamedLikeTheMember_OfEveryReadableType()
    {
        // Names match ignoring case and separators; a vector member reads Name_0, Name_1, ...; nullable cells may be missing.
        var path = Write("members.csv", "whole_weight,COLOUR,is-adult,Count,Size,Extra_0,Extra_1,name\n0.5,green,yes,3,?,1.5,-2,a b\n");
        var row = TabularFile.Read(path).RowAt(0);
        Assert.Equal(0.5, row.Member<double>("WholeWeight"));
        Assert.Equal(Colour.Green, row.Member<Colour>("Colour"));
        Assert.True(row.Member<bool>("IsAdult"));
        Assert.Equal(3L, row.Member<long>("Count"));
        Assert.Null(row.Member<double?>("Size"));
        Assert.Equal(new[] { 1.5f, -2f }, row.Member<float[]>("Extra"));
        Assert.Equal("a b", row.Member<string>("Name"));
        // Each bad cell or name is an error naming the file, the row and the column.
        var bad = TabularFile.Read(Write("bad.csv", "Colour,Flag,Count,X,x\nblue,maybe,2.5,1,2\n")).RowAt(0);
        Assert.Contains("row 2, column 'Colour': 'blue' is not a Colour; its values are Red, Green", Assert.Throws<DataFormatException>(() => bad.Member<Colour>("colour")).Message);
        Assert.Contains("'maybe' is not true/false", Assert.Throws<DataFormatException>(() => bad.Member<bool>("Flag")).Message);
        Assert.Contains("'2.5' is not a whole number", Assert.Throws<DataFormatException>(() => bad.Member<long>("Count")).Message);
        Assert.Contains("no column for the record member 'Age'", Assert.Throws<DataFormatException>(() => bad.Member<int>("Age")).Message);
        Assert.Contains("the vector member 'Extra' is read from the columns Extra_0", Assert.Throws<DataFormatException>(() => bad.Member<float[]>("Extra")).Message);
        // An exact name wins; two loose matches and no exact one is ambiguous.
        Assert.Equal(1.0, bad.Member<double>("X"));
        var twice = TabularFile.Read(Write("twice.csv", "Big_X,big-x\n1,2\n")).RowAt(0);
        Assert.Contains("the columns Big_X and big-x both name the record member 'BigX'", Assert.Throws<DataFormatException>(() => twice.Member<double>("BigX")).Message);
    }

    [Fact]
    public void ReadsAMultiCharacterDelimiter_AndTrimsWhenAsked()
    {
        // A census table: fields separated by ", ", a quoted field holding the delimiter, a "?" for a missing category.
        var census = Write("census.csv", "price, area, city\n100, 50.5, \"Paris, FR\"\n200, 1e2, ?\n");
        var expected = new[] { new House(50.5, "Paris, FR", 100), new House(100, "?", 200) };
        Assert.Equal(expected, CsvSource.Read(census, Map, delimiter: ", "));
        using (var streamed = CsvSource.Stream(census, Map, delimiter: ", ")) Assert.Equal(expected, streamed.ToArray());
        // With "," the cells keep their leading space (" Paris, FR" is not even quoted then); trim removes it.
        var spaced = Write("spaced.csv", "price , area,city\n100,  50.5 , Paris \n");
        Assert.Equal(new[] { new House(50.5, " Paris ", 100) }, CsvSource.Read(spaced, Map));
        Assert.Equal(new[] { new House(50.5, "Paris", 100) }, CsvSource.Read(spaced, Map, trim: true));
        Assert.Contains("is the delimiter ', ' right?", Assert.Throws<DataFormatException>(() =>
            CsvSource.Read(Write("short.csv", "price, area, city\n100, 50.5\n"), Map, delimiter: ", ")).Message);
        Assert.Throws<ArgumentException>(() => CsvSource.Read(census, Map, delimiter: ""));
    }

    [Fact]
    public void ReadsHeaderMappedRows_WithQuotesAndABom()
    {
        var path = Write("ok.csv", "price,area,city\n100,50.5,\"Paris, FR\"\n200,1e2,\"Say \"\"hi\"\"\"\n", bom: true);
        var houses = CsvSource.Read(path, Map);
        Assert.Equal(new[] { new House(50.5, "Paris, FR", 100), new House(100, "Say \"hi\"", 200) }, houses);
    }

    [Theory]
    [InlineData("price,area,city\n100,abc,x\n", 2, "area", "'abc' is not a number")]
    [InlineData("price,area,city\n100,1,x\n,2,y\n", 3, "price", "target the cell is empty")]
    [InlineData("price,area,city\nNaN,1,x\n", 2, "price", "target 'NaN' is not a finite number")]
    [InlineData("price,area,city\n1e400,1,x\n", 2, "price", "not a finite number")]
    [InlineData("price,area\n1,2\n", 1, "city", "no such column")]
    [InlineData("price,area,city\n1,2\n", 2, null, "expected 3 fields")]
    [InlineData("price;area;city\n1;2;x\n", 1, "area", "no such column")]
    [InlineData("", 1, null, "the file is empty")]
    [InlineData("price,area,city\n", 2, null, "no data rows")]
    [InlineData("price,area,price\n1,2,3\n", 1, "price", "names this column twice")]
    public void BadInput_NamesFileRowAndColumn(string text, int row, string? column, string problem)
    {
        var path = Write("bad.csv", text);
        var e = Assert.Throws<DataFormatException>(() => CsvSource.Read(path, Map));
        Assert.Equal(path, e.File);
        Assert.Equal(row, e.Row);
        Assert.Equal(column, e.Column);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"{path}, row {row}", e.Message);
    }

    [Fact]
    public void HeaderlessFile_TakesColumnNames()
    {
        var path = Write("plain.csv", "1,2,x\n3,4,y\n");
        var rows = CsvSource.Read(path, Map, columns: new[] { "price", "area", "city" });
        Assert.Equal(2, rows.Count);
        var e = Assert.Throws<DataFormatException>(() => CsvSource.Read(Write("p2.csv", "1,2,x\n3,z,y\n"), Map, columns: new[] { "price", "area", "city" }));
        Assert.Equal(2, e.Row); // without a header the first data line is row 1
    }

    [Theory]
    [InlineData(10, 193)]
    [InlineData(20, 352)]
    [InlineData(30, 490)]
    public void BalancedTest_OnAbalone_MatchesTheDataReadme(int perBin, int expectedTestRows)
    {
        // data/abalone/README.md: "at most k rows per bin and at most half of any bin has
        // 193 rows (k = 10), 352 (k = 20), 490 (k = 30)".
        var path = Path.Combine(RepositoryRoot(), "data", "abalone", "abalone.csv");
        var columns = new[] { "sex", "length", "diameter", "height", "whole", "shucked", "viscera", "shell", "rings" };
        var rings = CsvSource.Read(path, row => row.Target("rings"), columns: columns);
        Assert.Equal(4177, rings.Count);
        var splits = BalancedSplit.Create(rings, r => r, LabelBins.Integer(29, start: 1), perBin, 1, seed: 3);
        Assert.Equal(expectedTestRows, splits.Test.Count);
        Assert.Equal(4177, splits.Train.Count + splits.Validation.Count + splits.Test.Count);
        // No bin gives the test split more than half of its rows.
        foreach (var group in rings.GroupBy(r => r))
            Assert.True(splits.Test.Count(t => t == group.Key) <= group.Count() / 2);
    }

    [Fact]
    public void BalancedSplit_IsDeterministic_AndRejectsTooLittleData()
    {
        var values = Enumerable.Range(0, 200).Select(i => (float)(i % 10)).ToList();
        var a = BalancedSplit.Create(values, v => v, LabelBins.Integer(10), 3, 2, seed: 5);
        var b = BalancedSplit.Create(values, v => v, LabelBins.Integer(10), 3, 2, seed: 5);
        Assert.Equal(a.Test, b.Test);
        Assert.Equal(30, a.Test.Count);
        Assert.Equal(20, a.Validation.Count);
        var e = Assert.Throws<DirDataException>(() => BalancedSplit.Create(new List<float> { 1f }, v => v, LabelBins.Integer(10), 3, 2, 0));
        Assert.Contains("split: it is empty", e.Message);
    }

    [Fact]
    public void ThousandMutatedFiles_OnlyTheDocumentedDataErrorEscapes()
    {
        var random = new Random(1234);
        var seed = "price,area,city\n100,50.5,\"Paris, FR\"\n200,75,Lyon\n300,12.25,\"a \"\"b\"\"\"\n";
        string[] insertions = { "\"", ",", ";", "\t", "\n", "\r\n", "NaN", "-Infinity", "1e999", "", "\uFEFF", "\0", "99999999999999999999999999", " ", "x" };
        int parsed = 0, rejected = 0;
        for (int i = 0; i < 1000; i++)
        {
            var text = new StringBuilder(seed);
            for (int edit = 0, edits = 1 + random.Next(4); edit < edits; edit++)
            {
                int at = random.Next(text.Length + 1);
                switch (random.Next(4))
                {
                    case 0: text.Insert(at, insertions[random.Next(insertions.Length)]); break;
                    case 1: if (at < text.Length) text.Remove(at, Math.Min(text.Length - at, 1 + random.Next(5))); break;
                    case 2: text.Length = Math.Min(text.Length, at); break; // truncate
                    default: text.Replace(',', random.Next(2) == 0 ? ';' : '\t'); break;
                }
            }
            var path = Write($"fuzz{i}.csv", text.ToString(), bom: random.Next(3) == 0);
            try
            {
                CsvSource.Read(path, Map);
                parsed++;
            }
            catch (DataFormatException e)
            {
                Assert.StartsWith(path + ", row ", e.Message);
                rejected++;
            }
        }
        Assert.True(parsed > 50 && rejected > 50, $"parsed {parsed}, rejected {rejected}: the mutations should produce both");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DirDsl.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("DirDsl.sln not found above the test binaries.");
    }
}
