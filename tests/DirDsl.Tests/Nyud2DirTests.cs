using System.Diagnostics;
using DirDsl.Tests.Data;
using Xunit;

namespace DirDsl.Tests;

/// <summary>The NYUD2-DIR example without the data: one error naming the folder, the first file missed and where to get it.</summary>
public sealed class Nyud2DirTests
{
    [Fact]
    public async Task WithoutTheData_SaysWhereItLookedWhatItMissedAndHowToGetIt()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var program = Path.Combine(CsvSourceTests.RepositoryRoot(), "examples", "Nyud2Dir", "bin", configuration, "net10.0", "Nyud2Dir.dll");
        Assert.True(File.Exists(program), $"{program} is missing: build the solution (dotnet build DirDsl.sln) before testing.");
        // The FDS subset travels with the program, byte for byte the reference's (600 rows of image and depth paths).
        var subset = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(program)!, "nyud2-dir", "nyu2_train_FDS_subset.csv"));
        Assert.Equal(600, subset.Length);
        Assert.All(subset, row => Assert.Matches(@"^data/nyu2_train/[a-z_0-9]+_out/\d+\.jpg,data/nyu2_train/[a-z_0-9]+_out/\d+\.png$", row));
        var data = Directory.CreateTempSubdirectory("dirdsl-no-nyu").FullName;
        var output = Directory.CreateTempSubdirectory("dirdsl-nyu-out").FullName;
        try
        {
            // A folder with the split files but not the mask: the first missing file is named.
            File.WriteAllText(Path.Combine(data, "nyu2_train.csv"), "");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { program, "--data", data, "--output", output, "--device", "cpu" }) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var errorRead = process.StandardError.ReadToEndAsync();
            var standardOutput = await process.StandardOutput.ReadToEndAsync();
            string error = await errorRead;
            await process.WaitForExitAsync();
            Assert.Equal(1, process.ExitCode);
            Assert.Equal(
                $"error: NYUD2-DIR needs the reference's NYU Depth v2 data: looked in '{data}' and did not find 'nyu2_test.csv'. Get it with the reference's "
                + "download_nyud2.py (https://github.com/YyzHarry/imbalanced-regression/tree/main/nyud2-dir), which unpacks data/ with nyu2_train/, nyu2_test/, "
                + "nyu2_train.csv and nyu2_test.csv; put test_balanced_mask.npy from the reference's nyud2-dir/data/ beside them and run with --data <that folder>.",
                error.Trim());
            Assert.DoesNotContain("   at ", standardOutput + error);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            Directory.Delete(output, recursive: true);
        }
    }
}
