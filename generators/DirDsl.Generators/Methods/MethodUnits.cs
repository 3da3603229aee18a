using System.Collections.Generic;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace DirDsl.Generators.Methods;

/// <summary>
/// The attributes of methods that are units of their own (a runtime <c>IVariantMethod</c>): each has a file here that
/// reads its attribute, checks its arguments with <c>DslRules</c> (a DIR044 on the argument) and returns the C#
/// initializer of its runtime object. The configuration emitter only writes those initializers, so a new method adds
/// one file here and one line below.
/// </summary>
internal static class MethodUnits
{
    /// <summary>Reads one method attribute: its arguments in, the unit (or null when unreadable) and its problems out.</summary>
    public delegate MethodUnitModel? Reader(AttributeData attribute, List<Problem> problems);

    /// <summary>The reader of each method attribute, by its full name.</summary>
    public static readonly IReadOnlyDictionary<string, Reader> Readers = new Dictionary<string, Reader>
    {
        [BsamMethod.AttributeName] = BsamMethod.Read,
    };

    /// <summary>A named double argument of <paramref name="attribute"/>, or <paramref name="fallback"/>; null when it is not a double.</summary>
    public static double? Named(AttributeData attribute, string name, double fallback)
    {
        foreach (var argument in attribute.NamedArguments)
            if (argument.Key == name) return argument.Value.Value is double value ? value : null;
        return fallback;
    }
}
