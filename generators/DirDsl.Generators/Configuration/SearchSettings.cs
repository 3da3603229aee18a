using System.Collections.Generic;
using System.Linq;
using DirDsl.Generators.Diagnostics;
using DirDsl.Generators.Emitting;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;
using static DirDsl.Generators.Parsing.ExperimentValidator;

namespace DirDsl.Generators.Configuration;

/// <summary>
/// [Search(Kernels, Sizes, Sigmas, Momentums, BinCounts)]: a grid of LDS / FDS settings around the configured variant,
/// each point a variant of its own (run with --search; the report selects on validation).
/// </summary>
internal static class SearchSettings
{
    public const string AttributeName = AttributeNames.Search;
    private const string Attribute = "Search";

    /// <summary>The most points a grid may have.</summary>
    private const long MaxPoints = 1000;

    public static void Read(ExperimentParser.ArgumentReader args, ExperimentDraft draft)
    {
        draft.HasSearch = true;
        draft.SearchKernels = args.NamedValues<Kernel>("Kernels", ExperimentParser.ArgumentReader.TryEnum);
        draft.SearchSizes = args.NamedArray("Sizes");
        draft.SearchSigmas = args.NamedValues<double>("Sigmas", ExperimentParser.ArgumentReader.TryValue);
        draft.SearchMomentums = args.NamedValues<double>("Momentums", ExperimentParser.ArgumentReader.TryValue);
        draft.SearchBinCounts = args.NamedArray("BinCounts");
        draft.SearchLearningRates = args.NamedValues<double>("LearningRates", ExperimentParser.ArgumentReader.TryValue);
        draft.SearchWeightDecays = args.NamedValues<double>("WeightDecays", ExperimentParser.ArgumentReader.TryValue);
        draft.SearchEpochs = args.NamedArray("Epochs");
        draft.SearchBatchSizes = args.NamedArray("BatchSizes");
    }

    /// <summary>Every axis non-empty, without repeats, with valid values; something to search; a grid of at most <see cref="MaxPoints"/> points.</summary>
    public static void Check(ExperimentDraft d, List<Problem> problems)
    {
        if (!d.HasSearch) return;
        bool methodAxes = d.SearchKernels is not null || d.SearchSizes is not null || d.SearchSigmas is not null || d.SearchMomentums is not null || d.SearchBinCounts is not null;
        bool trainingAxes = d.SearchLearningRates is not null || d.SearchWeightDecays is not null || d.SearchEpochs is not null || d.SearchBatchSizes is not null;
        if (!d.HasLds && !d.HasFds && (methodAxes || !trainingAxes))
        {
            problems.Add(Problem.OnArgument(DiagnosticIds.SearchTarget, Attribute, "",
                "[Search] of Kernels, Sizes, Sigmas, Momentums or BinCounts varies LDS and FDS settings: add [Lds] or [Fds] (LearningRates, WeightDecays, Epochs and BatchSizes need neither)"));
            return;
        }
        if (d.SearchMomentums is not null && !d.HasFds)
            problems.Add(Problem.OnArgument(DiagnosticIds.SearchTarget, Attribute, "Momentums", "Momentums are FDS settings: add [Fds] or remove Momentums"));
        void Axis<T>(string name, T[]? values, System.Func<T, string?> check, System.Func<T, string> text)
        {
            if (values is null) return;
            if (values.Length == 0) { problems.Add(Problem.OnArgument(DiagnosticIds.SearchValue, Attribute, name, name, "is empty; leave it out to keep the attribute's value")); return; }
            if (values.Distinct().Count() != values.Length) { problems.Add(Problem.OnArgument(DiagnosticIds.SearchValue, Attribute, name, name, "repeats a value")); return; }
            foreach (var value in values)
            {
                if (check(value) is { } error) { problems.Add(Problem.OnArgument(DiagnosticIds.SearchValue, Attribute, name, name, $"has {text(value)}: {error}")); return; }
            }
        }
        Axis("Kernels", d.SearchKernels, _ => null, k => k.ToString());
        Axis("Sizes", d.SearchSizes, s => DslRules.IsValidKernelSize(s) ? null : "a size must be odd and at least 3", Text);
        Axis("Sigmas", d.SearchSigmas, s => DslRules.IsValidSigma(s) ? null : "a sigma must be a finite number greater than 0", Text);
        Axis("Momentums", d.SearchMomentums, m => DslRules.IsValidMomentum(m) ? null : "a momentum must lie in [0, 1)", Text);
        Axis("BinCounts", d.SearchBinCounts, b => b >= 1 ? null : "a bin count must be at least 1", Text);
        Axis("LearningRates", d.SearchLearningRates, r => DslRules.IsValidLearningRate(r) ? null : "a learning rate must be a finite number greater than 0", Text);
        Axis("WeightDecays", d.SearchWeightDecays, w => DslRules.IsValidWeightDecay(w) ? null : "a weight decay must be a finite number of 0 or more", Text);
        Axis("Epochs", d.SearchEpochs, e => e >= 1 ? null : "epochs must be at least 1", Text);
        Axis("BatchSizes", d.SearchBatchSizes, b => b >= 1 ? null : "a batch size must be at least 1", Text);
        if (d.HasFds && d.SearchBinCounts is { Length: > 0 } counts)
        {
            // FDS pads the bin axis by half its window on each side (reflect): it needs more bins than that.
            int widest = (d.SearchSizes is { Length: > 0 } sizes ? sizes.Max() : (int)d.FdsSize);
            int fewest = counts.Min();
            if (!DslRules.HasEnoughBinsForFds(fewest, widest))
                problems.Add(Problem.OnArgument(DiagnosticIds.SearchValue, Attribute, "BinCounts", "BinCounts", $"has {Text(fewest)}: FDS with size {Text(widest)} needs more than {Text(DslRules.FdsPadding(widest))} bins"));
        }
        long points = new[] { d.SearchKernels?.Length, d.SearchSizes?.Length, d.SearchSigmas?.Length, d.SearchMomentums?.Length, d.SearchBinCounts?.Length,
                d.SearchLearningRates?.Length, d.SearchWeightDecays?.Length, d.SearchEpochs?.Length, d.SearchBatchSizes?.Length }
            .Aggregate(1L, (product, n) => product * System.Math.Max(1, n ?? 1));
        if (points > MaxPoints) problems.Add(Problem.OnArgument(DiagnosticIds.SearchValue, Attribute, "", "the grid", $"has {points} points; keep it to at most {MaxPoints}"));
    }

    public static SearchModel? Build(ExperimentDraft d) => d.HasSearch
        ? new SearchModel(d.SearchKernels?.Select(k => (int)k).ToEquatableArray(), d.SearchSizes?.ToEquatableArray(), d.SearchSigmas?.ToEquatableArray(),
            d.SearchMomentums?.ToEquatableArray(), d.SearchBinCounts?.ToEquatableArray())
        {
            LearningRates = d.SearchLearningRates?.ToEquatableArray(),
            WeightDecays = d.SearchWeightDecays?.ToEquatableArray(),
            Epochs = d.SearchEpochs?.ToEquatableArray(),
            BatchSizes = d.SearchBatchSizes?.ToEquatableArray(),
        }
        : null;

    /// <summary>The grid of [Search] as search variants of the configured one.</summary>
    public static void Emit(SourceWriter w, SearchModel search)
    {
        string Axis<T>(EquatableArray<T>? values, string type, System.Func<T, string> literal) where T : System.IEquatable<T> =>
            values is null ? "null" : $"new {type}[] {{ {string.Join(", ", values.Value.Select(literal))} }}";
        var kernels = Axis(search.Kernels, "global::DirDsl.Kernel", k => ExperimentFile.Enum((Kernel)k));
        var axes = new[]
        {
            ("Kernels", kernels), ("Sizes", Axis(search.Sizes, "int", Literal)), ("Sigmas", Axis(search.Sigmas, "double", Literal)),
            ("Momentums", Axis(search.Momentums, "double", Literal)), ("BinCounts", Axis(search.BinCounts, "int", Literal)),
            ("LearningRates", Axis(search.LearningRates, "double", Literal)), ("WeightDecays", Axis(search.WeightDecays, "double", Literal)),
            ("Epochs", Axis(search.Epochs, "int", Literal)), ("BatchSizes", Axis(search.BatchSizes, "int", Literal)),
        }.Where(axis => axis.Item2 != "null").Select(axis => $"{axis.Item1}: {axis.Item2}");
        var space = $"new global::DirDsl.SearchSpace({string.Join(", ", axes)})";
        w.Line("/// <summary>The hyperparameter-search points of [Search] (run with --search or --variant NAME; the report selects on validation).</summary>");
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<global::DirDsl.DirVariant> SearchVariants {{ get; }} = global::DirDsl.HyperparameterSearch.Grid(Configured, {space}, Bins);");
        w.Line();
    }
}
