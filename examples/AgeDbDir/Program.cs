// AgeDB-DIR, the paper's main image benchmark: ResNet-50 trained end to end on the official split, the ablation
// Vanilla / LDS / FDS / LDS+FDS, printed beside the paper's published numbers. The images are not in the repository:
// pass the folder that holds AgeDB/ with --data. Options as every DirDsl program (see --help).
using System.Globalization;
using DirDsl;
using Examples.AgeDbDir;

var options = DirDsl.Hosting.DirCommandLine.TryParse(args,
    "AgeDB-DIR ablation (Vanilla, LDS, FDS, LDS+FDS) with ResNet-50 on 224 px faces. --data: the folder holding AgeDB/ (the images).",
    out int exitCode);
if (options is null) return exitCode;
options.Figures = DirDsl.Figures.FigureWriter.Instance;

var clock = System.Diagnostics.Stopwatch.StartNew();
ExperimentResult result;
try
{
    result = AgeDbExperiment.Run(options);
}
catch (Exception e) when (e is DirDataException or DataFormatException or FileNotFoundException or CheckpointException or TrainingDivergedException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

Console.WriteLine();
Console.WriteLine($"AgeDB-DIR test set ({result.TestTargets.Length:N0} faces), models selected by validation MAE; seeds {string.Join(", ", result.Seeds)}; {clock.Elapsed:hh\\:mm\\:ss}.");
Console.WriteLine();
Console.Write(ResultWriter.Table(result, explicitGroups: false));
Console.WriteLine("The paper's published AgeDB-DIR results (Table 2; ResNet-50, one run each), for reference:");
Console.WriteLine();
Console.WriteLine("| paper | MAE All | Many | Medium | Few | GM All | Many | Medium | Few |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
Console.WriteLine("| Vanilla | 7.77 | 6.62 | 9.55 | 13.67 | 5.05 | 4.23 | 7.01 | 10.75 |");
Console.WriteLine("| LDS | 7.67 | 6.98 | 8.86 | 10.89 | 4.85 | 4.39 | 5.80 | 7.45 |");
Console.WriteLine("| FDS | 7.69 | 7.10 | 8.86 | 9.98 | 4.83 | 4.41 | 5.97 | 6.29 |");
Console.WriteLine("| LDS+FDS | 7.55 | 7.01 | 8.24 | 10.79 | 4.72 | 4.36 | 5.45 | 6.79 |");
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Results, predictions and figures: {Path.GetFullPath(Path.Combine(options.OutputFolder, result.Experiment))}"));
return 0;
