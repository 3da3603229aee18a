using DirDsl.Generators.Parsing;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Emitting;

/// <summary>
/// Emits, for an experiment whose attributes have errors, the declarations other code refers to (<c>Run</c>, and a
/// <c>Configuration</c> with the label space and the rows), so the build reports only the DIRnnn errors themselves
/// and not the missing members they would otherwise cascade into. Nothing here trains: <c>Run</c> says what to fix.
/// </summary>
internal static class StubEmitter
{
    public static string Emit(ExperimentStub stub)
    {
        var errors = string.Join(", ", stub.ErrorIds);
        var w = new SourceWriter().FileHeader();
        if (stub.Namespace.Length > 0) w.Open($"namespace {stub.Namespace}");
        w.Open($"partial class {stub.ClassName}");
        w.Line("/// <summary>");
        w.Line($"/// Not generated: {stub.ClassName} has configuration errors ({errors}). The build lists them on the attribute");
        w.Line("/// arguments at fault; once they are fixed, the training code replaces this.");
        w.Line("/// </summary>");
        w.Line(GeneratedCodeAttribute);
        w.Line("public static global::DirDsl.ExperimentResult Run(global::DirDsl.RunOptions? options = null) =>");
        w.Line($"    throw new global::System.InvalidOperationException({Literal($"{stub.ClassName} has configuration errors ({errors}); fix them (see the build output) to get its generated training code.")});");
        w.Line();
        w.Line("/// <summary>Placeholders while the experiment has errors: the members other code reads, never used to train.</summary>");
        w.Line(GeneratedCodeAttribute);
        w.Open("public static class Configuration");
        w.Line("/// <summary>A placeholder label space.</summary>");
        w.Line("public static global::DirDsl.LabelBins Bins { get; } = global::DirDsl.LabelBins.Uniform(0, 1, 1);");
        w.Line("/// <summary>No rows until the errors are fixed.</summary>");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::DirDsl.DirVariant> Variants { get; } = global::System.Array.Empty<global::DirDsl.DirVariant>();");
        w.Close();
        w.Close();
        if (stub.Namespace.Length > 0) w.Close();
        return w.ToString();
    }
}
