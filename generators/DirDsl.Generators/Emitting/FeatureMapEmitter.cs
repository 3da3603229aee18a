using System.Linq;
using DirDsl.Generators.Model;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Emitting;

/// <summary>Emits <c>FeatureMap</c>: the record-to-tensor mapping of the [Feature] and [Target] members, with no reflection.</summary>
internal static class FeatureMapEmitter
{
    public static string Emit(ExperimentModel m) => m.Record.Image is { } image
        ? m.Record.DepthMap is { } depth ? EmitDepthImage(m, image, depth) : EmitImage(m, image)
        : ExperimentFile.Write(m, w =>
    {
        var record = m.Record.GlobalName;
        w.Line($"/// <summary>Maps {record.Replace("global::", "")} records to input rows: numbers standardised, categories one-hot, vectors per component; fitted on the training split.</summary>");
        w.Line(GeneratedCodeAttribute);
        w.Open($"public sealed class FeatureMap : global::DirDsl.IFeatureMap<{record}>");
        foreach (var f in m.Record.Features)
        {
            var type = f.Kind switch
            {
                FeatureKind.Number or FeatureKind.Boolean => "Standardizer",
                FeatureKind.NullableNumber or FeatureKind.NullableBoolean => "ImputingStandardizer",
                FeatureKind.Category or FeatureKind.EnumCategory => "Vocabulary",
                _ => "VectorStandardizer",
            };
            w.Line(IsNullable(f)
                ? $"private readonly global::DirDsl.{type} {Field(f)} = new({Literal(f.Name)}, {ExperimentFile.Enum(f.Impute)});"
                : $"private readonly global::DirDsl.{type} {Field(f)} = new({Literal(f.Name)});");
        }
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("public int Width { get; private set; }");
        w.Line();
        w.Line("/// <summary>The members' fitters in row order.</summary>");
        w.Line($"private global::DirDsl.IFeatureFitter[] Fitters => new global::DirDsl.IFeatureFitter[] {{ {string.Join(", ", m.Record.Features.Select(Field))} }};");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Open($"public void Fit(global::System.Collections.Generic.IReadOnlyList<{record}> train)");
        w.Line("// Two passes over the training records (sums, then squared deviations) for all members at once:");
        w.Line("// a streamed split is read twice, not twice per member.");
        w.Open("global::DirDsl.FeatureFitting.Fit(train, Fitters, (record, pass, index) =>");
        foreach (var f in m.Record.Features)
        {
            w.Line(f.Kind is FeatureKind.Category or FeatureKind.EnumCategory
                ? $"{Field(f)}.Observe({Read(f)}, pass);"
                : $"{Field(f)}.Observe({Read(f)}, pass, index);");
        }
        w.Close(");");
        var widths = string.Join(" + ", System.Linq.Enumerable.Select(m.Record.Features, Width));
        w.Line("Width = FittedWidth;");
        w.Close();
        w.Line();
        w.Line("/// <summary>The row width once the members are fitted (a vocabulary's width is its number of categories).</summary>");
        w.Line($"private int FittedWidth => {widths};");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("public global::System.Collections.Generic.IReadOnlyList<global::DirDsl.FittedMember> Fitted => global::System.Array.ConvertAll(Fitters, static f => f.Save());");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Open("public void Restore(global::System.Collections.Generic.IReadOnlyList<global::DirDsl.FittedMember> state)");
        w.Line("global::DirDsl.FeatureFitting.Restore(Fitters, state);");
        w.Line("Width = FittedWidth;");
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Open($"public void Write({record} record, global::System.Span<float> row, string split, int index)");
        w.Line("int at = 0;");
        foreach (var f in m.Record.Features)
        {
            switch (f.Kind)
            {
                case FeatureKind.Number:
                case FeatureKind.Boolean:
                    w.Line($"row[at++] = {Field(f)}.Transform({Read(f)}, split, index);");
                    break;
                case FeatureKind.NullableNumber:
                case FeatureKind.NullableBoolean:
                    w.Line($"{Field(f)}.Transform({Read(f)}, row.Slice(at, global::DirDsl.ImputingStandardizer.Width), split, index);");
                    w.Line("at += global::DirDsl.ImputingStandardizer.Width;");
                    break;
                case FeatureKind.Category:
                case FeatureKind.EnumCategory:
                    w.Line($"{Field(f)}.Transform({Read(f)}, row.Slice(at, {Field(f)}.Count));");
                    w.Line($"at += {Field(f)}.Count;");
                    break;
                default:
                    w.Line($"{Field(f)}.Transform({Read(f)}, row.Slice(at, {Field(f)}.Width), split, index);");
                    w.Line($"at += {Field(f)}.Width;");
                    break;
            }
        }
        w.Close();
        w.Line();
        if (m.Record.Features.Any(f => f.Kind is FeatureKind.Category or FeatureKind.EnumCategory))
        {
            // Resampling must copy one-hot blocks whole; an all-numeric map keeps the interface's default layout.
            w.Line("/// <inheritdoc />");
            w.Line("/// <remarks>Each member's block of columns in row order: its width, and whether it is a one-hot category.</remarks>");
            w.Line("public global::DirDsl.FeatureLayout Layout => global::DirDsl.FeatureLayout.FromBlocks(new (int Width, bool IsCategory)[]");
            w.Line("{");
            foreach (var f in m.Record.Features)
                w.Line($"    ({Width(f)}, {Literal(f.Kind is FeatureKind.Category or FeatureKind.EnumCategory)}), // {f.Name}");
            w.Line("});");
            w.Line();
        }
        // What fitting logs: the fill of each nullable member, and categories whose training values look missing.
        var noted = m.Record.Features.Where(f => IsNullable(f) || f.Kind == FeatureKind.Category).ToList();
        if (noted.Count > 0)
        {
            w.Line("/// <inheritdoc />");
            w.Line("public global::System.Collections.Generic.IReadOnlyList<string> FitNotes =>");
            w.Line($"    global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.OfType<string>(new string?[] {{ {string.Join(", ", noted.Select(f => Field(f) + ".Note"))} }}));");
            w.Line();
        }
        EmitTarget(w, m.Record);
        w.Close();
    });

    /// <summary>
    /// The target: <c>Target</c> for one number member; for a vector, its <c>TargetShape</c> and <c>WriteTarget</c> (the
    /// number members in declaration order, or the array member's elements).
    /// </summary>
    private static void EmitTarget(SourceWriter w, RecordModel r)
    {
        var record = r.GlobalName;
        if (!r.IsVectorTarget)
        {
            w.Line("/// <inheritdoc />");
            w.Line($"public float Target({record} record, string split, int index) =>");
            w.Line($"    global::DirDsl.DirDataset.CheckTarget((double)record.{r.Target}, split, index, {Literal(r.Target)});");
            return;
        }
        w.Line(r.TargetLength > 0
            ? $"/// <summary>The [Target(Length = {r.TargetLength})] member {r.Target} as a vector target.</summary>"
            : "/// <summary>The [Target] members as one vector target, in declaration order.</summary>");
        w.Line(r.TargetLength > 0
            ? $"public global::DirDsl.TargetShape TargetShape {{ get; }} = global::DirDsl.TargetShape.Vector(length: {r.TargetLength}, member: {Literal(r.Target)});"
            : $"public global::DirDsl.TargetShape TargetShape {{ get; }} = global::DirDsl.TargetShape.Vector({string.Join(", ", r.Targets.Select(Literal))});");
        w.Line();
        w.Line("/// <inheritdoc />");
        if (r.TargetLength > 0)
        {
            w.Line($"public void WriteTarget({record} record, global::System.Span<float> target, string split, int index) =>");
            w.Line($"    global::DirDsl.DirDataset.CopyTarget(record.{r.Target}, target, split, index, {Literal(r.Target)});");
            return;
        }
        w.Open($"public void WriteTarget({record} record, global::System.Span<float> target, string split, int index)");
        for (int i = 0; i < r.Targets.Count; i++)
            w.Line($"target[{i}] = global::DirDsl.DirDataset.CheckTarget((double)record.{r.Targets[i]}, split, index, {Literal(r.Targets[i])});");
        w.Close();
    }

    /// <summary>
    /// An image record: the runtime's ImageFeatureMap does the decoding, augmentation and checks; the generated class
    /// supplies the [Image] settings and typed accessors (no reflection).
    /// </summary>
    private static string EmitImage(ExperimentModel m, ImageModel image) => ExperimentFile.Write(m, w =>
    {
        var record = m.Record.GlobalName;
        var input = ImageInput(image);
        w.Line($"/// <summary>Maps {record.Replace("global::", "")} records to images [{DslRules.ImageChannels(image.Color)}, {image.Rows}, {image.Size}]: decoded, resized, normalised; augmented in training.</summary>");
        w.Line(GeneratedCodeAttribute);
        w.Open($"public sealed class FeatureMap : global::DirDsl.Images.ImageFeatureMap<{record}>");
        EmitImageSpec(w, image);
        w.Line();
        w.Line("/// <summary>A map of the [Image] member and the [Target] member.</summary>");
        w.Line($"public FeatureMap() : base(Image, {ExperimentFile.Enum(image.BadImages)}, {Literal(image.Name)}, {Literal(m.Record.Target)},");
        w.Line($"    static record => global::DirDsl.Images.ImageInput.{input}(record.{image.Name}), static record => (double)record.{m.Record.Target})");
        w.Line("{");
        w.Line("}");
        w.Close();
    });

    /// <summary>
    /// An image record with a [DepthMap] target: the runtime's ImageDepthFeatureMap reads both, applies the training
    /// augmentation to both together and checks them; the generated class supplies the settings and typed accessors.
    /// </summary>
    private static string EmitDepthImage(ExperimentModel m, ImageModel image, DepthMapModel depth) => ExperimentFile.Write(m, w =>
    {
        var record = m.Record.GlobalName;
        var input = ImageInput(image);
        w.Line($"/// <summary>Maps {record.Replace("global::", "")} records to images [{DslRules.ImageChannels(image.Color)}, {image.Rows}, {image.Size}] and target maps [{depth.Height}, {depth.Width}]: augmented together in training.</summary>");
        w.Line(GeneratedCodeAttribute);
        w.Open($"public sealed class FeatureMap : global::DirDsl.Images.ImageDepthFeatureMap<{record}>");
        EmitImageSpec(w, image);
        w.Line();
        w.Line("/// <summary>The [DepthMap] settings of the record's target map member, as declared.</summary>");
        var missing = double.IsNaN(depth.MissingValue) ? "null" : Literal(depth.MissingValue);
        var max = double.IsPositiveInfinity(depth.Max) ? "double.PositiveInfinity" : Literal(depth.Max);
        w.Line("public static readonly global::DirDsl.Images.DepthMapSpec Depth = new(");
        w.Line($"    Height: {depth.Height}, Width: {depth.Width}, Scale: {Literal(depth.Scale)}, Min: {Literal(depth.Min)}, Max: {max}, MissingValue: {missing});");
        w.Line();
        w.Line("/// <summary>A map of the [Image] member and the [DepthMap] member.</summary>");
        w.Line($"public FeatureMap() : base(Image, Depth, {ExperimentFile.Enum(image.BadImages)}, {Literal(image.Name)}, {Literal(depth.Name)},");
        w.Line($"    static record => global::DirDsl.Images.ImageInput.{input}(record.{image.Name}),");
        w.Line(depth.InMemory
            ? $"    static record => global::DirDsl.Images.DepthMapInput.FromValues(record.{depth.Name}, Depth.Height, Depth.Width))"
            : $"    static record => global::DirDsl.Images.DepthMapInput.File(record.{depth.Name}))");
        w.Line("{");
        w.Line("}");
        w.Close();
    });

    private static string ImageInput(ImageModel image) => image.Source switch
    {
        ImageSourceKind.File => "File",
        ImageSourceKind.Encoded => "FromEncoded",
        _ => "FromPixels",
    };

    private static void EmitImageSpec(SourceWriter w, ImageModel image)
    {
        w.Line("/// <summary>The [Image] settings of the record's image member, as declared.</summary>");
        w.Line("public static readonly global::DirDsl.Images.ImageSpec Image = new(");
        w.Line($"    Size: {image.Size}, Color: {ExperimentFile.Enum(image.Color)}, Mean: {Literal(image.Mean)}, Std: {Literal(image.Std)},");
        w.Line(image.Height > 0
            ? $"    Augment: {Literal(image.Augment)}, Padding: {image.Padding}, Flip: {Literal(image.Flip)}) {{ Height = {image.Height} }};"
            : $"    Augment: {Literal(image.Augment)}, Padding: {image.Padding}, Flip: {Literal(image.Flip)});");
    }

    private static string Field(FeatureModel f) => Camel(f.Name) + "Feature";

    private static bool IsNullable(FeatureModel f) => f.Kind is FeatureKind.NullableNumber or FeatureKind.NullableBoolean;

    private static string Width(FeatureModel f) => f.Kind switch
    {
        FeatureKind.Number or FeatureKind.Boolean => "1",
        FeatureKind.NullableNumber or FeatureKind.NullableBoolean => "global::DirDsl.ImputingStandardizer.Width",
        FeatureKind.Category or FeatureKind.EnumCategory => Field(f) + ".Count",
        _ => Field(f) + ".Width",
    };

    /// <summary>The expression reading a feature in the form its encoder takes.</summary>
    private static string Read(FeatureModel f) => f.Kind switch
    {
        FeatureKind.Number => $"(double)record.{f.Name}",
        FeatureKind.Boolean => $"record.{f.Name} ? 1.0 : 0.0",
        FeatureKind.NullableNumber => $"(double?)record.{f.Name}",
        FeatureKind.NullableBoolean => $"record.{f.Name} is {{ }} {Camel(f.Name)}Value ? ({Camel(f.Name)}Value ? 1.0 : 0.0) : (double?)null",
        FeatureKind.Category => $"record.{f.Name}",
        FeatureKind.EnumCategory => $"record.{f.Name}.ToString()",
        FeatureKind.FloatVector => $"record.{f.Name}",
        _ => $"record.{f.Name} is null ? null : global::System.Array.ConvertAll(record.{f.Name}, static value => (float)value)",
    };
}
