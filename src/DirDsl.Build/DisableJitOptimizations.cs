using Microsoft.Build.Framework;
using Mono.Cecil;

namespace DirDsl.Build;

/// <summary>
/// Writes a copy of an assembly that runs without JIT optimisations: its assembly-level <c>DebuggableAttribute</c>
/// says DisableOptimizations, with Default (JIT tracking), without which the runtime ignores it. DirDsl applies it to
/// the TorchSharp.dll a program copies to its output: unoptimised code keeps every local alive to the end of its
/// method, so a temporary <c>Scalar</c> that TorchSharp 0.107 creates inside a call cannot be finalized while the
/// native call it was handed to still reads it (build/DirDsl.targets says more). The attribute is rewritten through
/// Mono.Cecil rather than in place: its value blob is shared with other attributes of the same bytes (TorchSharp's
/// <c>UnmanagedFunctionPointer(CallingConvention.Cdecl)</c> delegates), which an in-place edit would change too.
/// </summary>
public sealed class DisableJitOptimizations : Microsoft.Build.Utilities.Task
{
    // DebuggableAttribute.DebuggingModes by value, as they are stored in the attribute's blob.
    private const int Default = 0x1, IgnoreSymbolStoreSequencePoints = 0x2, EnableEditAndContinue = 0x4, DisableOptimizations = 0x100;

    /// <summary>What the runtime needs to skip optimisations: DisableOptimizations together with Default (JIT tracking).</summary>
    private const int Unoptimised = Default | DisableOptimizations;

    /// <summary>The modes the rewrite sets: Default | IgnoreSymbolStoreSequencePoints | DisableOptimizations.</summary>
    public const int Modes = Unoptimised | IgnoreSymbolStoreSequencePoints;

    /// <summary>The assembly to read.</summary>
    [Required]
    public string Source { get; set; } = "";

    /// <summary>Where to write the marked copy (may be <see cref="Source"/>; written to a temp file and renamed).</summary>
    [Required]
    public string Destination { get; set; } = "";

    /// <inheritdoc/>
    public override bool Execute()
    {
        try
        {
            switch (Mark(Source, Destination))
            {
                case Outcome.NoAttribute:
                    Log.LogWarning($"DirDsl: {Source} has no DebuggableAttribute to change; {Destination} runs JIT-optimised, and a garbage collection during a native call can free a temporary Scalar it reads (README, Reliability).");
                    break;
                default:
                    Log.LogMessage(MessageImportance.Low, $"DirDsl: {Destination} runs without JIT optimisations.");
                    break;
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            Log.LogError($"DirDsl: cannot write {Destination} without JIT optimisations from {Source}: {e.Message}");
            return false;
        }
    }

    /// <summary>What <see cref="Mark"/> did.</summary>
    public enum Outcome
    {
        /// <summary>The copy's attribute now disables optimisations.</summary>
        Marked,
        /// <summary>The attribute disabled them already (a plain copy).</summary>
        AlreadyMarked,
        /// <summary>The assembly has no DebuggableAttribute to change (a plain copy; it runs optimised).</summary>
        NoAttribute,
    }

    /// <summary>Writes <paramref name="destination"/> as <paramref name="source"/> with optimisations disabled.</summary>
    public static Outcome Mark(string source, string destination)
    {
        string temporary = destination + ".dirdsl.tmp";
        Outcome outcome;
        using (var assembly = AssemblyDefinition.ReadAssembly(source, new ReaderParameters { ReadingMode = ReadingMode.Immediate, InMemory = true }))
        {
            var attribute = assembly.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == "System.Diagnostics.DebuggableAttribute");
            var arguments = attribute?.ConstructorArguments;
            if (arguments is { Count: 1 })
            {
                // DebuggableAttribute(DebuggingModes): Edit and Continue off, the rest kept.
                int modes = Convert.ToInt32(arguments[0].Value, System.Globalization.CultureInfo.InvariantCulture);
                outcome = (modes & Unoptimised) == Unoptimised ? Outcome.AlreadyMarked : Outcome.Marked;
                arguments[0] = new CustomAttributeArgument(arguments[0].Type, (modes | Modes) & ~EnableEditAndContinue);
            }
            else if (arguments is { Count: 2 })
            {
                // DebuggableAttribute(bool isJITTrackingEnabled, bool isJITOptimizerDisabled).
                outcome = arguments.All(a => a.Value is true) ? Outcome.AlreadyMarked : Outcome.Marked;
                for (int i = 0; i < 2; i++) arguments[i] = new CustomAttributeArgument(arguments[i].Type, true);
            }
            else
            {
                outcome = Outcome.NoAttribute;
            }
            if (outcome == Outcome.Marked) assembly.Write(temporary);
        }
        if (outcome != Outcome.Marked && !string.Equals(Path.GetFullPath(source), Path.GetFullPath(destination), StringComparison.Ordinal))
            File.Copy(source, temporary, overwrite: true);
        if (File.Exists(temporary)) File.Move(temporary, destination, overwrite: true);
        return outcome;
    }
}
