using System.Collections.Generic;
using System.Linq;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;

namespace DirDsl.Generators.Methods;

/// <summary>
/// The attributes of the methods beyond LDS and FDS, each a unit of its own (a runtime <c>IVariantMethod</c>): each has
/// a file here that reads its attribute, checks its arguments with <c>DslRules</c> (a DIRnnn on the argument) and
/// returns the C# initializer of its runtime object. The configuration emitter only writes those initializers, so a
/// new method adds one file here and one line below.
/// </summary>
internal static class MethodUnits
{
    /// <summary>Reads one method attribute through the parser's reader (which marks an unreadable argument), adding its problems.</summary>
    public delegate MethodUnitModel Reader(ExperimentParser.ArgumentReader args, List<Problem> problems);

    /// <summary>The reader of each method attribute, by its full name, in the order of the ablation's rows.</summary>
    private static readonly (string Attribute, Reader Read)[] Ordered =
    {
        (RrtMethod.AttributeName, RrtMethod.Read),
        (DenseWeightMethod.AttributeName, DenseWeightMethod.Read),
        (BalancedMseMethod.AttributeName, BalancedMseMethod.Read),
        (SmoterMethod.AttributeName, SmoterMethod.Read),
        (SmognMethod.AttributeName, SmognMethod.Read),
        (BsamMethod.AttributeName, BsamMethod.Read),
    };

    /// <summary>The reader of each method attribute, by its full name.</summary>
    public static readonly IReadOnlyDictionary<string, Reader> Readers = Ordered.ToDictionary(entry => entry.Attribute, entry => entry.Read);

    /// <summary>The place of an attribute's rows in the ablation (the units are emitted in this order, whatever the declaration order).</summary>
    public static int RowOrder(string attribute) => System.Array.FindIndex(Ordered, entry => entry.Attribute == attribute);
}
