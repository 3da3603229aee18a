namespace DirDsl;

/// <summary>The three splits of an experiment. Validation selects the model; test is only reported.</summary>
/// <typeparam name="T">The record type, whose properties carry [Feature] and [Target].</typeparam>
public sealed record DirSplits<T>(IReadOnlyList<T> Train, IReadOnlyList<T> Validation, IReadOnlyList<T> Test)
{
    /// <summary>
    /// The training records (positions in <see cref="Train"/>) whose features FDS's unaugmented pass averages after each
    /// epoch, when its statistics come from that pass (<c>[Fds(Statistics = FdsStatistics.UnaugmentedPass)]</c>): the
    /// reference's depth code uses 600 fixed images. Null (the default) takes every training record. The subset is data,
    /// so the [Data] member gives it; every FDS row of the run uses it.
    /// </summary>
    public IReadOnlyList<int>? FdsSubset { get; init; }
}

/// <summary>What a [Data] member gets: where data lives, the run's seed and a log.</summary>
public sealed class DataContext
{
    /// <summary>Creates a context.</summary>
    public DataContext(string? dataRoot = null, int seed = 0, TextWriter? log = null, int? splitSeed = null)
    {
        DataRoot = dataRoot ?? FindDataRoot(AppContext.BaseDirectory) ?? Directory.GetCurrentDirectory();
        Seed = seed;
        SplitSeed = splitSeed ?? seed;
        Log = log ?? Console.Out;
    }

    /// <summary>The folder data files are resolved against (default: the nearest "data" folder above the program).</summary>
    public string DataRoot { get; }

    /// <summary>The run's seed (--seed; the first of --seeds).</summary>
    public int Seed { get; }

    /// <summary>
    /// The seed for the split or sampling the member does (--split-seed; by default the run's seed): fixed, it keeps the
    /// same train, validation and test records across runs with other --seed values, so their results compare on one test set.
    /// </summary>
    public int SplitSeed { get; }

    /// <summary>Where to write progress lines.</summary>
    public TextWriter Log { get; }

    /// <summary>A path under <see cref="DataRoot"/>; throws a clear error if the file does not exist.</summary>
    public string File(string relativePath)
    {
        var path = Path.Combine(DataRoot, relativePath);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"Data file '{relativePath}' not found under {DataRoot}. Pass --data <folder> to point elsewhere.", path);
        return path;
    }

    /// <summary>The nearest folder named "data" in <paramref name="start"/> or above it.</summary>
    public static string? FindDataRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}

/// <summary>A problem in the records of a split: names the split, the record's index and the member.</summary>
public sealed class DirDataException : Exception
{
    /// <summary>Creates the error.</summary>
    public DirDataException(string split, int index, string member, string problem)
        : base($"{split} split, record {index}, member '{member}': {problem}")
    {
        Split = split;
        Index = index;
        Member = member;
    }

    /// <summary>Creates an error about a whole split.</summary>
    public DirDataException(string split, string problem) : base($"{split} split: {problem}")
    {
        Split = split;
        Index = -1;
        Member = "";
    }

    /// <summary>train, validation or test.</summary>
    public string Split { get; }
    /// <summary>Index of the record in its split, or -1.</summary>
    public int Index { get; }
    /// <summary>The [Feature] or [Target] member.</summary>
    public string Member { get; }
}
