// STS-B-DIR, the README's main job: the paper's ablation on the embedded data, printed beside
// the paper's published numbers. Options as every DirDsl program: --epochs, --seed, --output,
// --variant, --resume, --device, --data (see --help).
using System.Globalization;
using DirDsl;
using Examples.StsbDir;

var options = DirDsl.Hosting.DirCommandLine.TryParse(args,
    "STS-B-DIR ablation (Vanilla, Inverse, LDS, FDS, LDS+FDS, RRT, DenseWeight, BMSE-BNI, SMOTER, SMOGN) with MiniLM sentence embeddings.",
    out int exitCode);
if (options is null) return exitCode;
options.Figures = DirDsl.Figures.FigureWriter.Instance;
if (options.DataRoot is null && DataContext.FindDataRoot(AppContext.BaseDirectory) is null)
{
    Console.Error.WriteLine("error: the data folder was not found above the program; pass --data <repo>/data.");
    return 2;
}

var clock = System.Diagnostics.Stopwatch.StartNew();
ExperimentResult result;
try
{
    result = StsbExperiment.Run(options);
}
catch (Exception e) when (e is DirDataException or DataFormatException or FileNotFoundException or CheckpointException or TrainingDivergedException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

Console.WriteLine();
Console.WriteLine($"STS-B-DIR test set (1,000 pairs), each variant's model selected by validation MSE; seeds {string.Join(", ", result.Seeds)}; {clock.Elapsed:mm\\:ss} in all.");
Console.WriteLine();
Console.WriteLine("Shot groups as the paper lists them (many / medium / few bins by index):");
Console.WriteLine();
Console.Write(ResultWriter.Table(result, explicitGroups: true));
Console.WriteLine("Shot groups recomputed from the training counts (many > 100, few < 20):");
Console.WriteLine();
Console.Write(ResultWriter.Table(result, explicitGroups: false));
Console.WriteLine("The paper's published MSE (BiLSTM + GloVe, reference checkpoints), for reference:");
Console.WriteLine();
Console.WriteLine("| MSE | All | Many | Medium | Few |");
Console.WriteLine("|---|---:|---:|---:|---:|");
Console.WriteLine("| LDS (paper) | 0.914 | 0.819 | 1.319 | 0.955 |");
Console.WriteLine("| FDS (paper) | 0.916 | 0.875 | 1.027 | 1.086 |");
Console.WriteLine("| LDS+FDS (paper) | 0.907 | 0.802 | 1.363 | 0.942 |");
Console.WriteLine();
var rows = result.VariantNames
    .Select(name => (Name: name, All: SeedStatistics.Cell(result, name, r => r.Overall, m => m.Mse, explicitGroups: true),
                     Few: SeedStatistics.Cell(result, name, r => r.Few, m => m.Mse, explicitGroups: true)))
    .ToList();
// The lowest trained row, and a baseline row (Mean, Linear: nothing trained, no spread) when one is lower still.
// A run of some rows (--variant) has no baseline rows; one of a single seed has no interval.
var best = rows.Where(row => !Baselines.IsBaseline(row.Name)).MinBy(row => row.All.Mean);
string spread = best.All.Seeds > 1 ? string.Create(CultureInfo.InvariantCulture, $" +- {best.All.HalfWidth:0.000}") : " (one seed)";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Lowest mean test MSE here: {best.Name} {best.All.Mean:0.000}{spread} (few-shot {best.Few.Mean:0.000}); paper's LDS+FDS 0.907 (few 0.942)."));
var baselines = rows.Where(row => Baselines.IsBaseline(row.Name)).ToList();
if (baselines.Count > 0 && baselines.MinBy(row => row.All.Mean) is var baseline && baseline.All.Mean < best.All.Mean)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"The baseline row {baseline.Name} is lower still: {baseline.All.Mean:0.000} (few-shot {baseline.Few.Mean:0.000}), with nothing trained."));
Console.WriteLine($"Results, predictions and figures: {Path.GetFullPath(Path.Combine(options.OutputFolder, result.Experiment))}");
return 0;
