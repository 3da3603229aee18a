using Microsoft.CodeAnalysis;
using Xunit;

namespace DirDsl.Generators.Tests;

/// <summary>
/// Golden files for generated sources (Verify is not available here): Baselines/&lt;Case&gt;/&lt;hint&gt;.txt,
/// compared line by line with normalised line endings and the generator version as a placeholder.
/// Set DIRDSL_UPDATE_BASELINES=1 to rewrite them, then review the diff.
/// </summary>
internal static class Snapshot
{
    private const string VersionPlaceholder = "{generator-version}";

    public static void Verify(string caseName, GeneratorDriverRunResult result)
    {
        var folder = Path.Combine(DiagnosticTests.RepositoryRoot(), "tests", "DirDsl.Generators.Tests", "Baselines", caseName);
        bool update = Environment.GetEnvironmentVariable("DIRDSL_UPDATE_BASELINES") == "1";
        var generated = result.Results.SelectMany(r => r.GeneratedSources)
            .ToDictionary(s => s.HintName + ".txt", s => Normalise(s.SourceText.ToString()));
        if (update)
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.CreateDirectory(folder);
            foreach (var (file, text) in generated) File.WriteAllText(Path.Combine(folder, file), text);
            return;
        }
        Assert.True(Directory.Exists(folder), $"No baselines for {caseName}; run the tests once with DIRDSL_UPDATE_BASELINES=1 and review them.");
        var expectedFiles = Directory.GetFiles(folder).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.Equal(expectedFiles, generated.Keys.OrderBy(f => f, StringComparer.Ordinal).ToArray());
        foreach (var (file, text) in generated)
        {
            var expected = Normalise(File.ReadAllText(Path.Combine(folder, file))).Split('\n');
            var actual = text.Split('\n');
            for (int i = 0; i < Math.Min(expected.Length, actual.Length); i++)
                Assert.True(expected[i] == actual[i], $"{caseName}/{file} line {i + 1}:\n expected: {expected[i]}\n actual:   {actual[i]}");
            Assert.Equal(expected.Length, actual.Length);
        }
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n")
        .Replace($"\"DirDsl.Generators\", \"{Emitting.SourceWriter.GeneratorVersion}\"", $"\"DirDsl.Generators\", \"{VersionPlaceholder}\"");
}
