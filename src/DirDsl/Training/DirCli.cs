namespace DirDsl;

/// <summary>An experiment a generated entry point can run.</summary>
/// <param name="Name">The experiment class name.</param>
/// <param name="Run">Its generated Run method.</param>
/// <param name="Variants">The rows it trains by default (for --list).</param>
/// <param name="SearchVariants">Its hyperparameter-search points (for --list), when it declares [Search].</param>
public sealed record ExperimentEntry(string Name, Func<RunOptions, ExperimentResult> Run, IReadOnlyList<DirVariant>? Variants = null,
    IReadOnlyList<DirVariant>? SearchVariants = null);

/// <summary>The command line of a generated entry point: parse options, run, print the table, map errors to exit codes.</summary>
public static class DirCli
{
    /// <summary>Runs the experiments; returns 0 on success, 1 on a data/training error, 2 on a usage error.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="experiments">The experiments the program declares.</param>
    /// <param name="output">Where tables and progress go (default: standard output).</param>
    /// <param name="figures">Draws each run's figures (DirDsl.Figures), or null for none.</param>
    public static int Run(IReadOnlyList<string> args, IReadOnlyList<ExperimentEntry> experiments, TextWriter? output = null, IFigureWriter? figures = null)
    {
        var log = output ?? Console.Out;
        if (args.Contains("--help") || args.Contains("-h"))
        {
            log.WriteLine($"Experiments: {string.Join(", ", experiments.Select(e => e.Name))}");
            log.WriteLine(RunOptions.Usage);
            return 0;
        }
        RunOptions options;
        try
        {
            options = RunOptions.Parse(args);
            options.Log = log;
            options.Figures = figures;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        var selected = options.Experiment is null
            ? experiments
            : experiments.Where(e => string.Equals(e.Name, options.Experiment, StringComparison.OrdinalIgnoreCase)).ToList();
        if (selected.Count == 0)
        {
            Console.Error.WriteLine($"error: no experiment '{options.Experiment}'; this program has {string.Join(", ", experiments.Select(e => e.Name))}.");
            return 2;
        }
        if (options.List)
        {
            // One variant name per line, for scripts that run each as its own job (--variant NAME --output DIR).
            foreach (var experiment in selected)
                foreach (var variant in (experiment.Variants ?? Array.Empty<DirVariant>()).Concat(experiment.SearchVariants ?? Array.Empty<DirVariant>()))
                    log.WriteLine(selected.Count > 1 ? $"{experiment.Name}\t{variant.Name}" : variant.Name);
            return 0;
        }
        try
        {
            foreach (var experiment in selected)
            {
                var result = experiment.Run(options);
                log.WriteLine();
                var table = ResultWriter.Table(result, explicitGroups: false);
                // A --search run has search points only: they are reported in the search section below.
                if (table.Length > 0)
                {
                    log.WriteLine($"{result.Experiment}: test split, model selected on validation (seed {result.Seed}).");
                    log.WriteLine();
                    log.Write(table);
                }
                if (table.Length > 0 && result.Variants.Any(v => v.TestExplicitGroups is not null))
                {
                    log.WriteLine("With the explicit shot groups:");
                    log.WriteLine();
                    log.Write(ResultWriter.Table(result, explicitGroups: true));
                }
                var search = ResultWriter.SearchSection(result);
                if (search.Length > 0) log.Write(search);
                log.WriteLine($"Results written to {Path.GetFullPath(Path.Combine(options.OutputFolder, result.Experiment))}");
            }
            return 0;
        }
        catch (Exception e) when (e is DirDataException or DataFormatException or CheckpointException or TrainingDivergedException
                                      or FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
