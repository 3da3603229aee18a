using System;
using DirDsl.Generators.Model;

namespace DirDsl.Generators.Emitting;

/// <summary>Wraps an emitter's members in the file header, the namespace and the partial experiment class.</summary>
internal static class ExperimentFile
{
    public static string Write(ExperimentModel model, Action<SourceWriter> members)
    {
        var writer = new SourceWriter().FileHeader();
        if (model.Namespace.Length > 0) writer.Open($"namespace {model.Namespace}");
        writer.Open($"partial class {model.ClassName}");
        members(writer);
        writer.Close();
        if (model.Namespace.Length > 0) writer.Close();
        return writer.ToString();
    }

    public static string Enum<T>(T value) where T : struct, System.Enum => $"global::DirDsl.{typeof(T).Name}.{value}";
}
