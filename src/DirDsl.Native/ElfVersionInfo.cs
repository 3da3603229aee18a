using System.Buffers.Binary;
using System.Text;

namespace DirDsl.Native;

/// <summary>One symbol-version requirement (a Vernaux entry of <c>.gnu.version_r</c>).</summary>
/// <param name="File">The library the version is needed from, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">The <c>vna_flags</c> field (0x2 = VER_FLG_WEAK).</param>
/// <param name="Index">The <c>vna_other</c> field: the version index symbols refer to.</param>
/// <param name="FlagsOffset">File offset of the 2-byte <c>vna_flags</c> field.</param>
public sealed record VersionNeed(string File, string Version, ushort Flags, ushort Index, long FlagsOffset)
{
    /// <summary>True when the requirement is weak: the loader only warns when it is missing.</summary>
    public bool IsWeak => (Flags & ElfVersionInfo.VerFlagWeak) != 0;
}

/// <summary>
/// A minimal reader (and one-field writer) for the symbol-versioning sections of a 64-bit
/// little-endian ELF shared object: version needs (<c>.gnu.version_r</c>), version
/// definitions (<c>.gnu.version_d</c>) and which dynamic symbols use which version.
/// Only what DirDsl needs to make TorchSharp's native library load on older libstdc++.
/// </summary>
public static class ElfVersionInfo
{
    /// <summary>VER_FLG_WEAK: a missing version is not fatal for the dynamic loader.</summary>
    public const ushort VerFlagWeak = 0x2;

    private const uint ShtDynamic = 6;
    private const uint ShtDynSym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;

    private readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info, long EntrySize);

    /// <summary>Every version requirement of the object, in file order.</summary>
    /// <exception cref="InvalidDataException">Not a 64-bit little-endian ELF file, or a malformed table.</exception>
    public static IReadOnlyList<VersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> elf)
    {
        var sections = ReadSections(elf);
        var result = new List<VersionNeed>();
        foreach (var verneed in sections.Where(s => s.Type == ShtGnuVerneed))
        {
            var strings = sections[(int)verneed.Link];
            long entry = verneed.Offset;
            for (uint i = 0; i < verneed.Info; i++)
            {
                ushort count = U16(elf, entry + 2);
                string file = CString(elf, strings, U32(elf, entry + 4));
                long aux = entry + U32(elf, entry + 8);
                for (int j = 0; j < count; j++)
                {
                    ushort flags = U16(elf, aux + 4);
                    ushort index = U16(elf, aux + 6);
                    string name = CString(elf, strings, U32(elf, aux + 8));
                    result.Add(new VersionNeed(file, name, flags, index, aux + 4));
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(elf, entry + 12);
                if (next == 0) break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>Every version name the object defines (<c>.gnu.version_d</c>), e.g. all GLIBCXX_* of a libstdc++.</summary>
    public static IReadOnlySet<string> ReadVersionDefinitions(ReadOnlySpan<byte> elf)
    {
        var sections = ReadSections(elf);
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var verdef in sections.Where(s => s.Type == ShtGnuVerdef))
        {
            var strings = sections[(int)verdef.Link];
            long entry = verdef.Offset;
            for (uint i = 0; i < verdef.Info; i++)
            {
                // Verdef: vd_version, vd_flags, vd_ndx, vd_cnt (u16 each), vd_hash, vd_aux, vd_next (u32 each).
                long aux = entry + U32(elf, entry + 12);
                result.Add(CString(elf, strings, U32(elf, aux)));
                uint next = U32(elf, entry + 16);
                if (next == 0) break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>Names of the dynamic symbols bound to the given version index (from <c>.gnu.version</c>).</summary>
    public static IReadOnlyList<string> SymbolsUsingVersion(ReadOnlySpan<byte> elf, ushort versionIndex)
    {
        var sections = ReadSections(elf);
        var dynsym = sections.FirstOrDefault(s => s.Type == ShtDynSym);
        var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        var result = new List<string>();
        if (dynsym.Type == 0 || versym.Type == 0) return result;
        var strings = sections[(int)dynsym.Link];
        long count = dynsym.Size / 24;
        for (long i = 0; i < count; i++)
        {
            // The high bit of a versym entry is the "hidden" flag, not part of the index.
            if ((U16(elf, versym.Offset + 2 * i) & 0x7fff) != versionIndex) continue;
            result.Add(CString(elf, strings, U32(elf, dynsym.Offset + 24 * i)));
        }
        return result;
    }

    /// <summary>The DT_NEEDED entries of the dynamic section: the libraries the object links against.</summary>
    public static IReadOnlyList<string> ReadNeededLibraries(ReadOnlySpan<byte> elf)
    {
        var sections = ReadSections(elf);
        var result = new List<string>();
        foreach (var dynamic in sections.Where(s => s.Type == ShtDynamic))
        {
            var strings = sections[(int)dynamic.Link];
            for (long at = dynamic.Offset; at + 16 <= dynamic.Offset + dynamic.Size; at += 16)
            {
                ulong tag = U64(elf, at);
                if (tag == 0) break; // DT_NULL ends the table
                if (tag == 1) result.Add(CString(elf, strings, (uint)U64(elf, at + 8))); // DT_NEEDED
            }
        }
        return result;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the requirement of <paramref name="version"/> from <paramref name="file"/>.
    /// Changes exactly the two bytes of that entry's <c>vna_flags</c>, nothing else.
    /// </summary>
    /// <returns>True if a byte changed; false if the entry was already weak.</returns>
    /// <exception cref="InvalidOperationException">No such requirement in the object.</exception>
    public static bool MarkWeak(Span<byte> elf, string file, string version)
    {
        var need = ReadVersionNeeds(elf).FirstOrDefault(n => n.File == file && n.Version == version)
            ?? throw new InvalidOperationException($"The ELF object has no requirement of {version} from {file}.");
        if (need.IsWeak) return false;
        BinaryPrimitives.WriteUInt16LittleEndian(elf.Slice((int)need.FlagsOffset, 2), (ushort)(need.Flags | VerFlagWeak));
        return true;
    }

    private static List<Section> ReadSections(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("Not an ELF file (bad magic).");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");
        long shoff = (long)U64(elf, 0x28);
        ushort shentsize = U16(elf, 0x3A);
        ushort shnum = U16(elf, 0x3C);
        if (shoff <= 0 || shentsize < 64 || shoff + (long)shnum * shentsize > elf.Length)
            throw new InvalidDataException("The ELF section header table is missing or out of bounds.");
        var sections = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            var s = new Section(U32(elf, h + 4), (long)U64(elf, h + 0x18), (long)U64(elf, h + 0x20),
                U32(elf, h + 0x28), U32(elf, h + 0x2C), (long)U64(elf, h + 0x38));
            if (s.Type != 8 /* SHT_NOBITS */ && s.Offset + s.Size > elf.Length)
                throw new InvalidDataException($"ELF section {i} lies outside the file.");
            sections.Add(s);
        }
        return sections;
    }

    private static ushort U16(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(b, at, 2));
    private static uint U32(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(b, at, 4));
    private static ulong U64(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(b, at, 8));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> b, long at, int length)
    {
        if (at < 0 || at + length > b.Length)
            throw new InvalidDataException($"ELF read at offset {at} is out of bounds.");
        return b.Slice((int)at, length);
    }

    private static string CString(ReadOnlySpan<byte> elf, Section strings, uint offset)
    {
        long start = strings.Offset + offset;
        if (offset >= strings.Size) throw new InvalidDataException("ELF string offset out of bounds.");
        var rest = elf.Slice((int)start, (int)(strings.Size - offset));
        int end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }
}
