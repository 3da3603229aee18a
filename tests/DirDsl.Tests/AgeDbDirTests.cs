using System.Diagnostics;
using DirDsl.Tests.Data;
using Xunit;

namespace DirDsl.Tests;

/// <summary>The AgeDB-DIR example without the AgeDB images: one error naming the folder, the first file missed and the source.</summary>
public sealed class AgeDbDirTests
{
    [Fact]
    public async Task WithoutTheImages_SaysWhereItLookedWhatItMissedAndHowToGetThem()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var program = Path.Combine(CsvSourceTests.RepositoryRoot(), "examples", "AgeDbDir", "bin", configuration, "net10.0", "AgeDbDir.dll");
        Assert.True(File.Exists(program), $"{program} is missing: build the solution (dotnet build DirDsl.sln) before testing.");
        // The first image of the official split file, read independently of the example.
        var firstRow = File.ReadLines(Path.Combine(CsvSourceTests.RepositoryRoot(), "data", "agedb-dir-labels", "agedb.csv")).Skip(1).First().Split(',');
        var images = Directory.CreateTempSubdirectory("dirdsl-no-agedb").FullName;
        var output = Directory.CreateTempSubdirectory("dirdsl-agedb-out").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { program, "--data", images, "--output", output, "--device", "cpu" }) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var errorRead = process.StandardError.ReadToEndAsync();
            var standardOutput = await process.StandardOutput.ReadToEndAsync();
            string error = await errorRead;
            await process.WaitForExitAsync();
            Assert.Equal(1, process.ExitCode);
            Assert.Equal(
                $"error: AgeDB-DIR needs the AgeDB images: looked in '{images}' and did not find '{firstRow[1]}' (16,488 of 16,488 images missing). "
                + "AgeDB is distributed by its authors on request (https://ibug.doc.ic.ac.uk/resources/agedb/); unpack it so that <folder>/AgeDB/<name>.jpg exist "
                + "and run with --data <folder>.",
                error.Trim());
            Assert.DoesNotContain("   at ", standardOutput + error);
        }
        finally
        {
            Directory.Delete(images, recursive: true);
            Directory.Delete(output, recursive: true);
        }
    }
}
