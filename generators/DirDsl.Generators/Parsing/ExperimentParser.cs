using DirDsl.Generators.Diagnostics;
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using DirDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DirDsl.Generators.Parsing;

/// <summary>The outcome of parsing one experiment class: the model (null when anything is wrong) and the problems.</summary>
internal sealed record ParseResult(ExperimentModel? Model, EquatableArray<Problem> Problems, ExperimentStub? Stub = null)
{
    /// <summary>What the generator keeps: the model or the stub (never the problems, which the analyzer reports).</summary>
    public ExperimentOutput Output => new(Model, Stub);
}

/// <summary>
/// An experiment whose configuration has errors: only what the stub needs, so the rest of the program still compiles
/// and the user sees the real DIRnnn errors, not CS5001 / CS0103 after them.
/// </summary>
internal sealed record ExperimentStub(string Namespace, string ClassName, EquatableArray<string> ErrorIds)
{
    /// <summary>
    /// Whether the class can take the stub's members (it is partial). A class that is not (DIR001) gets none: the entry
    /// point lists it with a Run of its own that says what to fix, so the build shows DIR001 and no CS5001 after it.
    /// </summary>
    public bool Extensible { get; init; } = true;

    public string HintPrefix => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;
    public string GlobalName => "global::" + HintPrefix;
}

/// <summary>What the generator gets per [DirExperiment] class: the model of a valid experiment, else a stub (or nothing).</summary>
internal sealed record ExperimentOutput(ExperimentModel? Model, ExperimentStub? Stub);

/// <summary>
/// Turns an experiment class symbol into the plain model. The only code that touches symbols;
/// it never throws on half-typed or wrong code (missing, mistyped or erroneous arguments are
/// recorded as problems), only cancellation passes through.
/// </summary>
internal static class ExperimentParser
{
    public static ParseResult Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var draft = Read(type, cancellationToken);
        var problems = ExperimentValidator.Validate(draft);
        problems.InsertRange(0, draft.ReadProblems);
        // An error (by its descriptor's severity) blocks the generated code; warnings do not.
        bool blocked = draft.HasUnreadableArgument
            || problems.Any(p => p.Id.Length == 0 || DiagnosticDescriptors.ById(p.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        // A nested or generic class gets nothing; one that is not partial gets only its entry in the generated Main.
        var stub = blocked && !draft.IsNestedOrGeneric
            ? new ExperimentStub(draft.Namespace, draft.ClassName, problems.Where(p => p.Id.Length > 0).Select(p => p.Id).Distinct().ToEquatableArray())
            {
                Extensible = draft.IsPartial,
            }
            : null;
        return new ParseResult(blocked ? null : Build(draft), problems.ToEquatableArray(), stub);
    }

    public static ExperimentDraft Read(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var draft = new ExperimentDraft
        {
            ClassName = type.Name,
            Namespace = type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
            IsNestedOrGeneric = type.ContainingType is not null || type.TypeParameters.Length > 0,
            IsPartial = type.DeclaringSyntaxReferences.Any(r =>
                r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword))),
        };

        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = attribute.AttributeClass?.ToDisplayString();
            var args = new ArgumentReader(attribute, draft);
            if (name is null) continue;
            // A configuration attribute ([DirExperiment], [Lds], ...) or a method's ([Bsam], ...): each read by its own file.
            if (Configuration.ConfigurationAttributes.Readers.TryGetValue(name, out var readSettings)) readSettings(args, draft);
            else if (Methods.MethodUnits.Readers.TryGetValue(name, out var readUnit))
                draft.Units.Add(readUnit(args, draft.ReadProblems) with { Order = Methods.MethodUnits.RowOrder(name) });
        }

        foreach (var member in type.GetMembers().OfType<IMethodSymbol>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member.Name == TrainingStepName && member.MethodKind == MethodKind.Ordinary)
            {
                // The generator's own TrainingStep is not in the compilation it reads: any found here is the user's.
                draft.UserTrainingStep = true;
                draft.TrainingStepSignatureWrong |= !IsTrainingStep(member);
            }
            foreach (var attribute in member.GetAttributes())
            {
                switch (attribute.AttributeClass?.ToDisplayString())
                {
                    case AttributeNames.Data:
                        draft.DataMembers.Add(ReadDataMember(member, cancellationToken));
                        break;
                    case AttributeNames.Encoder:
                        draft.EncoderMembers.Add(new MemberFacts(member.Name, IsModuleFactory(member, parameterlessAllowed: true), false, null, null, TakesInputDim: member.Parameters.Length == 1));
                        draft.FeatureDim = new ArgumentReader(attribute, draft).Named("FeatureDim", 0);
                        break;
                    case AttributeNames.Regressor:
                        draft.RegressorMembers.Add(new MemberFacts(member.Name, IsModuleFactory(member), false, null, null));
                        break;
                }
            }
        }
        return draft;
    }

    private static ExperimentModel Build(ExperimentDraft d)
    {
        var data = d.DataMembers[0];
        return new ExperimentModel(
            d.Namespace,
            d.ClassName,
            Configuration.ExperimentSettings.Build(d),
            Configuration.LabelBinsSettings.Build(d),
            Configuration.LdsSettings.Build(d),
            Configuration.FdsSettings.Build(d),
            Configuration.LossSettings.Build(d),
            Configuration.ShotGroupsSettings.Build(d),
            Configuration.ScheduleSettings.Build(d),
            d.Ablation,
            d.Seeds,
            new DataMemberModel(data.Name, data.TakesContext),
            data.Record!,
            new EncoderModel(d.EncoderMembers[0].Name, d.FeatureDim, d.EncoderMembers[0].TakesInputDim),
            d.RegressorMembers.Count == 1 ? d.RegressorMembers[0].Name : null,
            Configuration.SearchSettings.Build(d),
            d.UserTrainingStep,
            d.Units.OrderBy(unit => unit.Order).ToEquatableArray())
        {
            Baselines = d.Ablation && d.Baselines,
            Folds = d.Folds ?? 0,
        };
    }

    /// <summary>The name of the training step the trainer calls, generated unless the user declares it.</summary>
    public const string TrainingStepName = "TrainingStep";

    /// <summary>
    /// <c>static Tensor TrainingStep(Model model, TrainingBatch batch)</c>, as the generated one. Model is the generated
    /// nested type, which the compilation the generator reads does not contain yet: it is matched by name.
    /// </summary>
    private static bool IsTrainingStep(IMethodSymbol member) =>
        member.IsStatic && !member.IsGenericMethod && member.Parameters.Length == 2
        && member.Parameters.All(p => p.RefKind == RefKind.None)
        && member.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == AttributeNames.Tensor
        && member.Parameters[0].Type.Name == "Model"
        && member.Parameters[1].Type.ToDisplayString() == AttributeNames.TrainingBatch;

    private static MemberFacts ReadDataMember(IMethodSymbol member, CancellationToken cancellationToken)
    {
        bool takesContext = member.Parameters.Length == 1 && member.Parameters[0].Type.ToDisplayString() == AttributeNames.DataContext;
        bool parametersOk = member.Parameters.Length == 0 || takesContext;
        var returned = member.ReturnType as INamedTypeSymbol;
        bool returnsSplits = returned is { IsGenericType: true }
            && returned.OriginalDefinition.ContainingNamespace?.ToDisplayString() == "DirDsl"
            && returned.OriginalDefinition.MetadataName == "DirSplits`1";
        bool ok = member.IsStatic && !member.IsGenericMethod && parametersOk && returnsSplits;
        if (!ok || returned!.TypeArguments[0] is not INamedTypeSymbol record || record.TypeKind == TypeKind.Error)
            return new MemberFacts(member.Name, false, takesContext, null, null);

        var recordType = MetadataName(record);
        var argumentProblems = new List<Problem>();
        var (model, problem, offending) = ReadRecord(record, recordType, argumentProblems, cancellationToken);
        return new MemberFacts(member.Name, true, takesContext, problem, argumentProblems.Count == 0 ? model : null,
            RecordType: recordType, RecordTypeName: record.Name, RecordProblemMember: offending,
            RecordArgumentProblems: argumentProblems.ToEquatableArray());
    }

    /// <summary>The name GetTypeByMetadataName finds: namespace, containing types (+) and arity.</summary>
    private static string MetadataName(INamedTypeSymbol type)
    {
        var name = type.MetadataName;
        for (var containing = type.ContainingType; containing is not null; containing = containing.ContainingType) name = containing.MetadataName + "+" + name;
        return type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + name : name;
    }

    /// <summary>
    /// Reads the [Feature], [Image], [Target] and [DepthMap] members of the record type, including inherited ones; a problem names the
    /// member at fault. A wrong [Image] argument goes to <paramref name="argumentProblems"/>, located on the argument.
    /// </summary>
    private static (RecordModel? Model, string? Problem, string? Member) ReadRecord(INamedTypeSymbol record, string recordType,
        List<Problem> argumentProblems, CancellationToken cancellationToken)
    {
        var features = new List<FeatureModel>();
        var images = new List<ImageModel>();
        var depthMaps = new List<DepthMapModel>();
        var targets = new List<string>();
        string? arrayTarget = null;
        int targetLength = 0;
        var seen = new HashSet<string>();
        for (var current = record; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member is not (IPropertySymbol or IFieldSymbol) || !seen.Add(member.Name)) continue;
                var memberType = member is IPropertySymbol p ? p.Type : ((IFieldSymbol)member).Type;
                foreach (var attribute in member.GetAttributes())
                {
                    var name = attribute.AttributeClass?.ToDisplayString();
                    if (name == AttributeNames.Target)
                    {
                        var length = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Length").Value is { Kind: TypedConstantKind.Primitive, Value: int l }
                            ? l : (int?)null;
                        if (memberType is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Single or SpecialType.System_Double })
                        {
                            // A vector target of a fixed length: the length decides the regressor's width, so it is declared.
                            if (length is null or < 1)
                                argumentProblems.Add(Problem.OnRecordMemberArgument(DiagnosticIds.TargetShape, recordType, member.Name, "Target", "Length", member.Name,
                                    length is null
                                        ? "an array target needs its number of elements: [Target(Length = N)], N at least 1"
                                        : $"Length must be at least 1, not {length}"));
                            arrayTarget = member.Name;
                            targetLength = Math.Max(1, length ?? 1);
                            targets.Add(member.Name);
                            continue;
                        }
                        if (length is not null)
                            argumentProblems.Add(Problem.OnRecordMemberArgument(DiagnosticIds.TargetShape, recordType, member.Name, "Target", "Length", member.Name,
                                $"Length is for a float[] or double[] target, and '{member.Name}' is a {memberType.ToDisplayString()}: leave Length out"));
                        if (!IsNumber(memberType))
                            return (null, NullableOf(memberType) is not null
                                ? $"[Target] member '{member.Name}' has type '{memberType.ToDisplayString()}'; a target cannot be missing: make it a plain number and leave records without a target out in the [Data] member"
                                : $"[Target] member '{member.Name}' has type '{memberType.ToDisplayString()}'; a target must be a number (float, double, int, long, decimal), or a float[] or double[] with [Target(Length = N)]", member.Name);
                        targets.Add(member.Name);
                    }
                    else if (name == AttributeNames.Feature)
                    {
                        var kind = FeatureKindOf(memberType);
                        if (kind is null)
                            return (null, $"[Feature] member '{member.Name}' has unsupported type '{memberType.ToDisplayString()}' (use a number, bool, string, enum, float[] or double[], or a nullable number or bool for missing values)", member.Name);
                        var impute = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Impute").Value is { Kind: TypedConstantKind.Enum, Value: int raw }
                            && Enum.IsDefined(typeof(Imputation), raw) ? (Imputation)raw : DslDefaults.Imputation;
                        features.Add(new FeatureModel(member.Name, kind.Value, impute));
                    }
                    else if (name == AttributeNames.DepthMap)
                    {
                        bool inMemory = memberType is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Single };
                        if (!inMemory && memberType.SpecialType != SpecialType.System_String)
                            return (null, $"[DepthMap] member '{member.Name}' has type '{memberType.ToDisplayString()}' (use string for a PNG or .npy file's path, or float[] for Height x Width values)", member.Name);
                        depthMaps.Add(ReadDepthMap(attribute, member.Name, inMemory, recordType, argumentProblems));
                    }
                    else if (name == AttributeNames.Image)
                    {
                        var source = ImageSourceOf(memberType);
                        if (source is null)
                            return (null, $"[Image] member '{member.Name}' has type '{memberType.ToDisplayString()}' (use string for a file path, byte[] for an encoded image, or float[] for pixels)", member.Name);
                        images.Add(ReadImage(attribute, member.Name, source.Value, recordType, argumentProblems));
                    }
                }
            }
        }
        // A [DepthMap] member is the target of an image record.
        if (depthMaps.Count > 1)
            return (null, $"it has {depthMaps.Count} [DepthMap] members ({string.Join(", ", depthMaps.Select(d => d.Name))}); one target map is allowed", depthMaps[1].Name);
        if (depthMaps.Count == 1)
        {
            var depth = depthMaps[0];
            if (targets.Count > 0)
                return (null, $"it has a [DepthMap] member ({depth.Name}), which is its target, and [Target] members ({string.Join(", ", targets)}); remove [Target]", targets[0]);
            if (images.Count == 0)
                return (null, $"its [DepthMap] member ({depth.Name}) is a target per pixel of an image, and it has no [Image] member", depth.Name);
            targets.Add(depth.Name);
        }
        // Several number members form one vector target; an array member is a vector on its own.
        if (targets.Count == 0) return (null, "it has no [Target] member", null);
        if (arrayTarget is not null && targets.Count > 1)
            return (null, $"it has {targets.Count} [Target] members ({string.Join(", ", targets)}) and '{arrayTarget}' is an array; a vector target is either "
                + "several number members or one array member", targets.First(t => t != arrayTarget));
        if (images.Count == 1 && (targets.Count > 1 || arrayTarget is not null))
            return (null, $"an [Image] record has one number [Target], and this one has {string.Join(", ", targets)} (images with vector or per-pixel "
                + "targets are not supported yet)", targets.Count > 1 ? targets[1] : targets[0]);
        if (images.Count > 1)
            return (null, $"it has {images.Count} [Image] members ({string.Join(", ", images.Select(i => i.Name))}); one is allowed", images[1].Name);
        if (images.Count == 1 && features.Count > 0)
            return (null, $"it has an [Image] member ({images[0].Name}) and [Feature] members ({string.Join(", ", features.Select(f => f.Name))}); an image record has no other inputs", features[0].Name);
        if (features.Count == 0 && images.Count == 0) return (null, "it has no [Feature] or [Image] member", null);
        var globalName = record.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var inputs = features.Select(f => f.Name).Concat(images.Select(i => i.Name)).ToList();
        return (new RecordModel(globalName, features.ToEquatableArray(), targets.ToEquatableArray(), images.FirstOrDefault(), arrayTarget is null ? 0 : targetLength, depthMaps.FirstOrDefault())
        {
            Reader = ReadRecordReader(record, inputs),
        }, null, null);
    }

    /// <summary>
    /// How a record is built from a row of a file to predict: the public constructor whose parameters name (ignoring case)
    /// every input member and need the fewest other values, else a public parameterless constructor and settable input
    /// members. Every input member's type must be one a row reads (CsvRow.Member).
    /// </summary>
    private static RecordReaderModel ReadRecordReader(INamedTypeSymbol record, IReadOnlyList<string> inputs)
    {
        var members = new Dictionary<string, ISymbol>(StringComparer.Ordinal);
        for (var current = record; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
            foreach (var member in current.GetMembers())
                if (member is IPropertySymbol or IFieldSymbol && !members.ContainsKey(member.Name)) members[member.Name] = member;
        ITypeSymbol TypeOf(ISymbol member) => member is IPropertySymbol p ? p.Type : ((IFieldSymbol)member).Type;
        string Global(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        foreach (var input in inputs)
            if (!IsReadable(TypeOf(members[input])))
                return RecordReaderModel.None($"its member '{input}' is a {TypeOf(members[input]).ToDisplayString()}, which a row of a delimited file does not hold");

        var best = record.InstanceConstructors
            .Where(c => c.DeclaredAccessibility == Accessibility.Public && c.Parameters.Length > 0
                && !(c.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type, record)))
            .Select(c => (Constructor: c, Matched: c.Parameters.Select(p => inputs.FirstOrDefault(i => string.Equals(i, p.Name, StringComparison.OrdinalIgnoreCase))).ToList()))
            .Where(c => inputs.All(i => c.Matched.Contains(i)))
            .OrderBy(c => c.Constructor.Parameters.Count(p => !p.HasExplicitDefaultValue) - inputs.Count)
            .FirstOrDefault();
        if (best.Constructor is not null)
            return new RecordReaderModel(false, best.Constructor.Parameters.Select((p, i) => (Parameter: p, Member: best.Matched[i]))
                .Where(x => x.Member is not null || !x.Parameter.HasExplicitDefaultValue)
                .Select(x => new ReaderArgument(x.Parameter.Name, x.Member ?? x.Parameter.Name, x.Member is null ? null : Global(x.Parameter.Type))).ToEquatableArray(), null);

        bool parameterless = record.IsValueType || record.InstanceConstructors.Any(c => c.DeclaredAccessibility == Accessibility.Public && c.Parameters.Length == 0);
        bool Settable(ISymbol member) => member.DeclaredAccessibility == Accessibility.Public && member switch
        {
            IPropertySymbol property => property.SetMethod is { DeclaredAccessibility: Accessibility.Public },
            IFieldSymbol field => !field.IsReadOnly && !field.IsConst,
            _ => false,
        };
        if (!parameterless || !inputs.All(i => Settable(members[i])))
            return RecordReaderModel.None($"no public constructor takes every input member ({string.Join(", ", inputs)}) by name, and they cannot all be set "
                + "after a public parameterless constructor");
        // Required members that are not inputs (a required target) are set to their default.
        var required = members.Values.Where(m => m is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true } && !inputs.Contains(m.Name)).Select(m => m.Name);
        return new RecordReaderModel(true, inputs.Select(i => new ReaderArgument(i, i, Global(TypeOf(members[i]))))
            .Concat(required.Select(r => new ReaderArgument(r, r, null))).ToEquatableArray(), null);
    }

    /// <summary>Whether a row reads this type (CsvRow.Member): a number, bool, string, enum, a nullable one of those, float[] or double[].</summary>
    private static bool IsReadable(ITypeSymbol type)
    {
        var plain = NullableOf(type) ?? type;
        if (IsNumber(plain) || plain.SpecialType is SpecialType.System_Boolean or SpecialType.System_String or SpecialType.System_UInt16 or SpecialType.System_UInt32
                or SpecialType.System_UInt64 or SpecialType.System_SByte || plain.TypeKind == TypeKind.Enum)
            return NullableOf(type) is null || plain.SpecialType != SpecialType.System_String;
        return NullableOf(type) is null && type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Single or SpecialType.System_Double };
    }

    /// <summary>How an [Image] member of this type holds its image, or null for an unsupported type.</summary>
    private static ImageSourceKind? ImageSourceOf(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_String) return ImageSourceKind.File;
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            if (array.ElementType.SpecialType == SpecialType.System_Byte) return ImageSourceKind.Encoded;
            if (array.ElementType.SpecialType == SpecialType.System_Single) return ImageSourceKind.Pixels;
        }
        return null;
    }

    /// <summary>Reads [Image(...)] and checks each argument against DslRules; a wrong one is a DIR041 (or DIR039) on the argument.</summary>
    private static ImageModel ReadImage(AttributeData attribute, string member, ImageSourceKind source, string recordType, List<Problem> problems)
    {
        const string Attribute = "Image";
        int size = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int s ? s : 0;
        T Named<T>(string name, T fallback)
        {
            foreach (var argument in attribute.NamedArguments)
                if (argument.Key == name && argument.Value.Value is T value) return value;
            return fallback;
        }
        TEnum NamedEnum<TEnum>(string name, TEnum fallback) where TEnum : struct, Enum
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key != name || argument.Value.Value is not int raw) continue;
                if (Enum.IsDefined(typeof(TEnum), raw)) return (TEnum)Enum.ToObject(typeof(TEnum), raw);
                problems.Add(Problem.OnRecordMemberArgument(DiagnosticIds.UndefinedEnumValue, recordType, member, Attribute, name,
                    name, raw.ToString(System.Globalization.CultureInfo.InvariantCulture), typeof(TEnum).Name, string.Join(", ", Enum.GetNames(typeof(TEnum)))));
            }
            return fallback;
        }
        var image = new ImageModel(member, source, size,
            NamedEnum("Color", DslDefaults.ImageColor),
            Named("Mean", DslDefaults.ImageMean),
            Named("Std", DslDefaults.ImageStd),
            Named("Augment", DslDefaults.ImageAugment),
            Named("Padding", DslDefaults.ImagePadding),
            Named("Flip", DslDefaults.ImageFlip),
            NamedEnum("BadImages", DslDefaults.BadImages),
            Named("Height", 0));
        void Wrong(string argument, string message) =>
            problems.Add(Problem.OnRecordMemberArgument(DiagnosticIds.ImageSetting, recordType, member, Attribute, argument, member, message));
        if (!DslRules.IsValidImageSize(image.Size))
            Wrong("size", $"Size must be 1 to {DslRules.MaxImageSize} pixels, not {ExperimentValidator.Text(image.Size)}");
        if (image.Height != 0 && !DslRules.IsValidImageSize(image.Height))
            Wrong("Height", $"Height must be 1 to {DslRules.MaxImageSize} pixels, or 0 for a square image, not {ExperimentValidator.Text(image.Height)}");
        if (!DslRules.IsValidImageMean(image.Mean)) Wrong("Mean", $"Mean must be a finite number, not {ExperimentValidator.Text(image.Mean)}");
        if (!DslRules.IsValidImageStd(image.Std)) Wrong("Std", $"Std must be a positive finite number, not {ExperimentValidator.Text(image.Std)}");
        int shorter = Math.Min(image.Size, image.Rows);
        if (DslRules.IsValidImageSize(image.Size) && DslRules.IsValidImageSize(image.Rows) && !DslRules.IsValidImagePadding(image.Padding, shorter))
            Wrong("Padding", image.Height > 0
                ? $"Padding must be 0 to the shorter side ({ExperimentValidator.Text(shorter)}) pixels, not {ExperimentValidator.Text(image.Padding)}"
                : $"Padding must be 0 to Size ({ExperimentValidator.Text(image.Size)}) pixels, not {ExperimentValidator.Text(image.Padding)}");
        return image;
    }

    /// <summary>Reads [DepthMap(height, width, ...)] and checks each argument against DslRules; a wrong one is a DIR048 on the argument.</summary>
    private static DepthMapModel ReadDepthMap(AttributeData attribute, string member, bool inMemory, string recordType, List<Problem> problems)
    {
        const string Attribute = "DepthMap";
        int Side(int index) => attribute.ConstructorArguments.Length == 2 && attribute.ConstructorArguments[index].Value is int side ? side : 0;
        double Named(string name, double fallback)
        {
            foreach (var argument in attribute.NamedArguments)
                if (argument.Key == name && argument.Value.Value is double value) return value;
            return fallback;
        }
        var map = new DepthMapModel(member, inMemory, Side(0), Side(1), Named("Scale", DslDefaults.DepthScale), Named("Min", DslDefaults.DepthMin),
            Named("Max", DslDefaults.DepthMax), Named("MissingValue", DslDefaults.DepthMissingValue));
        void Wrong(string argument, string message) =>
            problems.Add(Problem.OnRecordMemberArgument(DiagnosticIds.DepthMapSetting, recordType, member, Attribute, argument, member, message));
        if (!DslRules.IsValidDepthMapSide(map.Height))
            Wrong("height", $"Height must be 1 to {DslRules.MaxImageSize} pixels, not {ExperimentValidator.Text(map.Height)}");
        if (!DslRules.IsValidDepthMapSide(map.Width))
            Wrong("width", $"Width must be 1 to {DslRules.MaxImageSize} pixels, not {ExperimentValidator.Text(map.Width)}");
        if (!DslRules.IsValidDepthScale(map.Scale))
            Wrong("Scale", $"Scale (stored value to target unit) must be a finite number above 0, not {ExperimentValidator.Text(map.Scale)}");
        if (!DslRules.IsValidDepthRange(map.Min, map.Max))
            Wrong(double.IsNaN(map.Min) || double.IsInfinity(map.Min) ? "Min" : "Max",
                $"the valid range (Min, Max] needs a finite Min and Max above it, not ({ExperimentValidator.Text(map.Min)}, {ExperimentValidator.Text(map.Max)}]");
        if (!DslRules.IsValidMissingValue(map.MissingValue))
            Wrong("MissingValue", $"MissingValue must be a finite stored value, or NaN for none, not {ExperimentValidator.Text(map.MissingValue)}");
        return map;
    }

    private static bool IsNumber(ITypeSymbol type) => type.SpecialType is SpecialType.System_Single or SpecialType.System_Double
        or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte
        or SpecialType.System_Decimal;

    /// <summary>T of a Nullable&lt;T&gt;, else null.</summary>
    private static ITypeSymbol? NullableOf(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : null;

    private static FeatureKind? FeatureKindOf(ITypeSymbol type)
    {
        if (NullableOf(type) is { } underlying)
        {
            if (IsNumber(underlying)) return FeatureKind.NullableNumber;
            if (underlying.SpecialType == SpecialType.System_Boolean) return FeatureKind.NullableBoolean;
            return null;
        }
        if (IsNumber(type)) return FeatureKind.Number;
        if (type.SpecialType == SpecialType.System_Boolean) return FeatureKind.Boolean;
        if (type.SpecialType == SpecialType.System_String) return FeatureKind.Category;
        if (type.TypeKind == TypeKind.Enum) return FeatureKind.EnumCategory;
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            if (array.ElementType.SpecialType == SpecialType.System_Single) return FeatureKind.FloatVector;
            if (array.ElementType.SpecialType == SpecialType.System_Double) return FeatureKind.DoubleVector;
        }
        return null;
    }

    /// <summary>
    /// static, non-generic, one int or long parameter (TorchSharp's Linear takes long) or, for an [Encoder], none (an image
    /// encoder needs no input width), returning Module&lt;Tensor, Tensor&gt; or a subclass of it.
    /// </summary>
    private static bool IsModuleFactory(IMethodSymbol member, bool parameterlessAllowed = false)
    {
        bool widthParameter = member.Parameters.Length == 1 && member.Parameters[0].Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64;
        if (!member.IsStatic || member.IsGenericMethod || !(widthParameter || (parameterlessAllowed && member.Parameters.Length == 0))) return false;
        for (var type = member.ReturnType as INamedTypeSymbol; type is not null; type = type.BaseType)
            if (type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == AttributeNames.TensorModule) return true;
        return false;
    }

    /// <summary>Reads attribute arguments defensively: an erroneous argument marks the draft unreadable.</summary>
    internal readonly struct ArgumentReader
    {
        private readonly AttributeData attribute;
        private readonly ExperimentDraft draft;

        public ArgumentReader(AttributeData attribute, ExperimentDraft draft)
        {
            this.attribute = attribute;
            this.draft = draft;
            if (attribute.AttributeClass is null or { TypeKind: TypeKind.Error }
                || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
                || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error))
                draft.HasUnreadableArgument = true;
        }

        public Setting<T> Named<T>(string name, T fallback)
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key != name) continue;
                if (argument.Value.Kind != TypedConstantKind.Error && argument.Value.Value is T value) return new Setting<T>(value, true);
                draft.HasUnreadableArgument = true;
            }
            return new Setting<T>(fallback, false);
        }

        public T NamedEnum<T>(string name, T fallback) where T : struct, Enum => NamedEnumSetting(name, fallback);

        public Setting<T> NamedEnumSetting<T>(string name, T fallback) where T : struct, Enum
        {
            foreach (var argument in attribute.NamedArguments)
                if (argument.Key == name) return new Setting<T>(ToEnum(argument.Value, fallback, name), true);
            return new Setting<T>(fallback, false);
        }

        public T CtorEnum<T>(int index, T fallback) where T : struct, Enum =>
            index < attribute.ConstructorArguments.Length
                ? ToEnum(attribute.ConstructorArguments[index], fallback, attribute.AttributeConstructor?.Parameters.ElementAtOrDefault(index)?.Name ?? "")
                : fallback;

        public int[]? NamedArray(string name) => NamedValues<int>(name, TryValue);

        /// <summary>True when the attribute's one constructor argument is a type (<c>typeof(T)</c>); <paramref name="type"/> is null when it does not resolve.</summary>
        public bool TryOnlyConstructorType(out ITypeSymbol? type)
        {
            bool isType = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Type;
            type = isType ? attribute.ConstructorArguments[0].Value as ITypeSymbol : null;
            return isType;
        }

        /// <summary>Reads a converted element; false when the element is not of the expected kind.</summary>
        public delegate bool Convert<T>(TypedConstant constant, out T value);

        /// <summary>A named array argument, each element converted; null when absent, unreadable when an element is not.</summary>
        public T[]? NamedValues<T>(string name, Convert<T> convert)
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key != name) continue;
                if (argument.Value.Kind == TypedConstantKind.Array && !argument.Value.IsNull)
                {
                    var values = new List<T>();
                    foreach (var element in argument.Value.Values)
                    {
                        if (!convert(element, out var value)) { values = null; break; }
                        values.Add(value);
                    }
                    if (values is not null) return values.ToArray();
                }
                draft.HasUnreadableArgument = true;
            }
            return null;
        }

        /// <summary>An element of the primitive type T (int, double), as the compiler stored it.</summary>
        public static bool TryValue<T>(TypedConstant constant, out T value) where T : struct
        {
            value = constant.Value is T typed ? typed : default;
            return constant.Value is T;
        }

        /// <summary>An enum element of a defined value.</summary>
        public static bool TryEnum<T>(TypedConstant constant, out T value) where T : struct, Enum
        {
            value = default;
            if (constant.Kind != TypedConstantKind.Enum || constant.Value is not int raw || !Enum.IsDefined(typeof(T), raw)) return false;
            value = (T)Enum.ToObject(typeof(T), raw);
            return true;
        }

        private T ToEnum<T>(TypedConstant constant, T fallback, string argument) where T : struct, Enum
        {
            if (TryEnum(constant, out T value)) return value;
            draft.HasUnreadableArgument = true;
            // A cast such as (Kernel)7 compiles; say so rather than silently generating nothing.
            if (constant.Kind == TypedConstantKind.Enum && constant.Value is int raw && attribute.AttributeClass is { } type)
                draft.ReadProblems.Add(Problem.OnArgument(DiagnosticIds.UndefinedEnumValue, AttributeNames.ShortName(type.ToDisplayString()), argument,
                    argument, raw.ToString(System.Globalization.CultureInfo.InvariantCulture), typeof(T).Name,
                    string.Join(", ", Enum.GetNames(typeof(T)))));
            return fallback;
        }
    }
}
