using System.Collections;
using System.Globalization;
using System.Reflection;

namespace DirDsl;

/// <summary>
/// A canonical, culture-free serialisation of settings objects as flat "path: value" entries, for the run fingerprint:
/// a record contributes each of its stored (init or settable) properties under its camel-case name, a list its items
/// (inline when they are plain values; by type when they are fingerprinted units of distinct types, else by index), a
/// value its invariant text. Computed properties (no setter) are left out: they
/// follow from the stored ones. Nothing is listed by hand, so a setting added to a record is fingerprinted at once.
/// </summary>
public static class CanonicalForm
{
    /// <summary>The entries of <paramref name="value"/> under <paramref name="path"/>.</summary>
    public static SortedDictionary<string, string> Of(string path, object? value)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Add(entries, path, value);
        return entries;
    }

    /// <summary>Adds the entries of <paramref name="value"/> under <paramref name="path"/> to <paramref name="entries"/>.</summary>
    public static void Add(IDictionary<string, string> entries, string path, object? value)
    {
        if (value is null)
        {
            entries[path] = "none";
            return;
        }
        if (Scalar(value) is { } text)
        {
            entries[path] = text;
            return;
        }
        if (value is Delegate) return;
        if (value is IEnumerable items)
        {
            var list = items.Cast<object?>().ToList();
            if (list.All(item => item is null || Scalar(item) is not null))
            {
                entries[path] = "[" + string.Join(", ", list.Select(item => item is null ? "none" : Scalar(item))) + "]";
                return;
            }
            // Units of distinct types (a variant's methods) are keyed by their type: the entries read as the methods' names.
            var types = list.Select(item => item?.GetType()).ToList();
            bool byType = list.All(item => item is IFingerprinted) && types.Distinct().Count() == types.Count;
            for (int i = 0; i < list.Count; i++) Add(entries, byType ? $"{path}.{Camel(types[i]!.Name)}" : $"{path}[{i}]", list[i]);
            return;
        }
        var type = value.GetType();
        var stored = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanRead && p.SetMethod is { IsPublic: true } && p.Name != "EqualityContract")
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        // A settings object names its type (a user's loss type, a method's unit); its stored properties follow.
        if (value is IFingerprinted) entries[path] = type.FullName ?? type.Name;
        else if (!IsRecord(type) || stored.Count == 0) entries[path] = Describe(value, type);
        foreach (var property in stored) Add(entries, path + "." + Camel(property.Name), property.GetValue(value));
    }

    /// <summary>The invariant text of a plain value (number, flag, enum, text, label bins), or null for a composite one.</summary>
    private static string? Scalar(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        Type t => t.FullName ?? t.Name,
        LabelBins bins => bins.ToString(),
        IFormattable number when value.GetType().IsPrimitive || value is decimal => number.ToString(null, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string Describe(object value, Type type)
    {
        var text = value.ToString();
        return text is null || text == type.ToString() ? type.FullName ?? type.Name : text;
    }

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null;

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>
/// A settings object the run fingerprint names by its type (a user's loss, a method): its public settable properties
/// are fingerprinted too, so a changed setting refuses <c>--resume</c> by name.
/// </summary>
public interface IFingerprinted
{
}
