using System.Collections.Generic;
using DirDsl.Generators.Model;
using DirDsl.Generators.Parsing;

namespace DirDsl.Generators.Methods;

/// <summary>
/// The attributes of methods that are units of their own (a runtime <c>IVariantMethod</c>): each has a file here that
/// reads its attribute, checks its arguments with <c>DslRules</c> (a DIR044 on the argument) and returns the C#
/// initializer of its runtime object. The configuration emitter only writes those initializers, so a new method adds
/// one file here and one line below.
/// </summary>
internal static class MethodUnits
{
    /// <summary>Reads one method attribute through the parser's reader (which marks an unreadable argument), adding its problems.</summary>
    public delegate MethodUnitModel Reader(ExperimentParser.ArgumentReader args, List<Problem> problems);

    /// <summary>The reader of each method attribute, by its full name.</summary>
    public static readonly IReadOnlyDictionary<string, Reader> Readers = new Dictionary<string, Reader>
    {
        [BsamMethod.AttributeName] = BsamMethod.Read,
    };
}
