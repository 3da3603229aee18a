using System.Linq;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;

namespace DirDsl.Generators.Emitting;

/// <summary>Emits <c>Main</c> for an executable that declares experiments and no entry point of its own.</summary>
internal static class EntryPointEmitter
{
    public static string Emit(EquatableArray<ExperimentModel> experiments, EquatableArray<ExperimentStub> stubs, bool figures)
    {
        var w = new SourceWriter().FileHeader();
        w.Open("namespace DirDsl.Generated");
        w.Line("/// <summary>The program's entry point: runs the experiments with command-line overrides (--help lists them); DirDsl.Hosting parses them.</summary>");
        w.Line(SourceWriter.GeneratedCodeAttribute);
        w.Open("internal static class DirDslProgram");
        w.Open("public static int Main(string[] args)");
        w.Line("var experiments = new global::DirDsl.ExperimentEntry[]");
        w.Line("{");
        var entries = experiments.Select(m => (m.HintPrefix, Lines: new[]
            {
                $"    new(\"{m.ClassName}\", {m.GlobalName}.Run, {m.GlobalName}.Configuration.Variants{(m.Search is null ? "" : $", {m.GlobalName}.Configuration.SearchVariants")})",
                "    {",
                $"        Settings = {m.GlobalName}.Configuration.Training,",
                // --predict and --export use the trained model through the experiment's typed reader and loader.
                $"        PredictFile = {m.GlobalName}.PredictFile,",
                $"        LoadTrained = static (output, variant, seed) => {m.GlobalName}.LoadTrained(output, variant, seed),",
                "    },",
            }))
            // An experiment with errors is listed too (its Run says what to fix), so the program still compiles.
            .Concat(stubs.Select(s => (s.HintPrefix, Lines: new[]
            {
                s.Extensible
                    ? $"    new(\"{s.ClassName}\", {s.GlobalName}.Run),"
                    : $"    new(\"{s.ClassName}\", static _ => throw new global::System.InvalidOperationException({SourceWriter.Literal($"{s.ClassName} is not partial (DIR001): declare it partial so DirDsl can generate its training code.")})),",
            })));
        foreach (var entry in entries.OrderBy(e => e.HintPrefix, System.StringComparer.Ordinal))
            foreach (var line in entry.Lines) w.Line(line);
        w.Line("};");
        w.Line(figures
            ? "return global::DirDsl.Hosting.DirCommandLine.Run(args, experiments, figures: global::DirDsl.Figures.FigureWriter.Instance);"
            : "return global::DirDsl.Hosting.DirCommandLine.Run(args, experiments);  // reference DirDsl.Figures to get the PNG figures");
        w.Close();
        w.Close();
        w.Close();
        return w.ToString();
    }
}
