// NYUD2-DIR, the paper's dense benchmark: depth per pixel from an indoor photo, the ResNet-50 encoder-decoder trained
// end to end on the reference's NYU Depth v2 folder, the ablation Vanilla / LDS / FDS / LDS+FDS with the depth metrics
// per shot group over the balanced test mask's pixels, printed beside the reference's published numbers. The data is
// not in the repository: pass the reference's data/ folder with --data. Options as every DirDsl program (see --help).
using System.Globalization;
using DirDsl;
using Examples.Nyud2Dir;

var options = DirDsl.Hosting.DirCommandLine.TryParse(args,
    "NYUD2-DIR ablation (Vanilla, LDS, FDS, LDS+FDS): depth from a photo with the ResNet-50 encoder-decoder. --data: the reference's NYU Depth v2 data/ folder.",
    out int exitCode);
if (options is null) return exitCode;
options.Figures = DirDsl.Figures.FigureWriter.Instance;

var clock = System.Diagnostics.Stopwatch.StartNew();
ExperimentResult result;
try
{
    result = Nyud2Experiment.Run(options);
}
catch (Exception e) when (e is DirDataException or DataFormatException or FileNotFoundException or CheckpointException or TrainingDivergedException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

Console.WriteLine();
Console.WriteLine($"NYUD2-DIR test set ({result.TestTargets.Length:N0} pixels of the balanced mask), models selected by validation MSE; seeds {string.Join(", ", result.Seeds)}; {clock.Elapsed:hh\\:mm\\:ss}.");
Console.WriteLine();
Console.Write(ResultWriter.Markdown(result));
Console.WriteLine("The reference's NYUD2-DIR results (its nyud2-dir/README.md, reproduced runs, RMSE; ResNet-50, 4 GPUs, one run each), for reference:");
Console.WriteLine();
Console.WriteLine("| reference | RMSE All | Many | Medium | Few |");
Console.WriteLine("|---|---:|---:|---:|---:|");
Console.WriteLine("| LDS | 1.387 | 0.671 | 0.913 | 1.954 |");
Console.WriteLine("| FDS | 1.442 | 0.615 | 0.940 | 2.059 |");
Console.WriteLine("| LDS+FDS | 1.301 | 0.731 | 0.832 | 1.799 |");
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Results, predictions and figures: {Path.GetFullPath(Path.Combine(options.OutputFolder, result.Experiment))}"));
return 0;
