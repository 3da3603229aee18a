using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DirDsl;

/// <summary>
/// The checkpoint file format, written and read as streams so that a model of any size is never held in memory and no
/// length is limited to <c>int</c>.
/// <para>Version 2 (written): <c>DIRCKPT2</c>, the sections back to back, a trailer (each section's length as int64, then
/// the section count as int32, little-endian), then the SHA-256 of everything before it, computed while writing. The
/// lengths come after the sections, so nothing is patched afterwards and the hash covers the bytes as written.</para>
/// <para>Version 1 (still read): <c>DIRCKPT1</c>, int32 length and the state, int64 length and the model, int64 length
/// and the optimiser (0 when none), the SHA-256.</para>
/// </summary>
public static class CheckpointFormat
{
    /// <summary>The first bytes of a version 2 checkpoint.</summary>
    public static ReadOnlySpan<byte> Magic => "DIRCKPT2"u8;

    private static ReadOnlySpan<byte> MagicV1 => "DIRCKPT1"u8;
    private const int HashBytes = 32;
    private const int BufferBytes = 1 << 20;

    /// <summary>Where one section lies in the file.</summary>
    public readonly record struct Section(long Offset, long Length);

    /// <summary>Writes the sections, each streamed by its writer, then the trailer and the hash.</summary>
    public static void Write(Stream output, IReadOnlyList<Action<Stream>> sections)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var hashing = new HashingStream(output, hash);
        hashing.Write(Magic);
        var lengths = new long[sections.Count];
        for (int i = 0; i < sections.Count; i++)
        {
            long start = hashing.Position;
            sections[i](hashing);
            lengths[i] = hashing.Position - start;
        }
        Span<byte> number = stackalloc byte[8];
        foreach (long length in lengths)
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, length);
            hashing.Write(number);
        }
        BinaryPrimitives.WriteInt32LittleEndian(number, sections.Count);
        hashing.Write(number[..4]);
        output.Write(hash.GetHashAndReset());
        output.Flush();
    }

    /// <summary>
    /// Checks a checkpoint's header and hash (reading it once, in 1 MB pieces) and locates its sections; the problem in
    /// words when it does not verify or parse.
    /// </summary>
    public static (IReadOnlyList<Section>? Sections, string? Problem) Read(Stream input)
    {
        long total = input.Length;
        if (total < Magic.Length + HashBytes) return (null, "not a DirDsl checkpoint, or truncated.");
        Span<byte> magic = stackalloc byte[8];
        input.Position = 0;
        input.ReadExactly(magic);
        bool v1 = magic.SequenceEqual(MagicV1);
        if (!v1 && !magic.SequenceEqual(Magic)) return (null, "not a DirDsl checkpoint, or truncated.");
        if (!HashMatches(input, total)) return (null, "its checksum does not match (truncated or corrupted).");
        long body = total - HashBytes;
        var sections = v1 ? SectionsV1(input, body) : SectionsV2(input, body);
        return sections is null ? (null, "its sections do not parse: their lengths do not add up to the file.") : (sections, null);
    }

    /// <summary>A read-only view of one section of <paramref name="input"/> (which it does not own).</summary>
    public static Stream Open(Stream input, Section section) => new SectionStream(input, section.Offset, section.Length);

    private static bool HashMatches(Stream input, long total)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[(int)Math.Min(BufferBytes, total)];
        input.Position = 0;
        for (long left = total - HashBytes; left > 0;)
        {
            int read = input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0) return false;
            hash.AppendData(buffer, 0, read);
            left -= read;
        }
        Span<byte> stored = stackalloc byte[HashBytes];
        input.ReadExactly(stored);
        return hash.GetHashAndReset().AsSpan().SequenceEqual(stored);
    }

    private static List<Section>? SectionsV2(Stream input, long body)
    {
        Span<byte> number = stackalloc byte[8];
        if (body < Magic.Length + 4) return null;
        input.Position = body - 4;
        input.ReadExactly(number[..4]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(number);
        long trailer = 4 + 8L * count;
        if (count < 0 || count > 64 || body - trailer < Magic.Length) return null;
        input.Position = body - trailer;
        var sections = new List<Section>(count);
        long offset = Magic.Length;
        for (int i = 0; i < count; i++)
        {
            input.ReadExactly(number);
            long length = BinaryPrimitives.ReadInt64LittleEndian(number);
            if (length < 0 || length > body - trailer - offset) return null;
            sections.Add(new Section(offset, length));
            offset += length;
        }
        return offset == body - trailer ? sections : null;
    }

    private static List<Section>? SectionsV1(Stream input, long body)
    {
        Span<byte> number = stackalloc byte[8];
        long offset = MagicV1.Length;
        var sections = new List<Section>(3);
        for (int i = 0; i < 3; i++)
        {
            int width = i == 0 ? 4 : 8;
            if (offset + width > body) return null;
            input.Position = offset;
            input.ReadExactly(number[..width]);
            long length = width == 4 ? BinaryPrimitives.ReadInt32LittleEndian(number) : BinaryPrimitives.ReadInt64LittleEndian(number);
            offset += width;
            if (length < 0 || length > body - offset) return null;
            sections.Add(new Section(offset, length));
            offset += length;
        }
        return offset == body ? sections : null;
    }

    /// <summary>Passes writes through to the file and into the hash, counting them (the file stream need not seek).</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        private long written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => written;
        public override long Position { get => written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            hash.AppendData(buffer);
            written += buffer.Length;
        }
    }

    /// <summary>Reads <c>size</c> bytes of the inner stream from <c>start</c>, and no further.</summary>
    private sealed class SectionStream(Stream inner, long start, long size) : Stream
    {
        private long position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => size;
        public override long Position { get => position; set => position = Math.Clamp(value, 0, size); }
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int count = (int)Math.Min(buffer.Length, size - position);
            if (count <= 0) return 0;
            inner.Position = start + position;
            int read = inner.Read(buffer[..count]);
            position += read;
            return read;
        }

        public override long Seek(long to, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => to,
            SeekOrigin.Current => position + to,
            _ => size + to,
        };
    }
}
