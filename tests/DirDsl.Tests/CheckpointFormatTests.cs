using System.Buffers.Binary;
using System.Security.Cryptography;
using Xunit;

namespace DirDsl.Tests;

/// <summary>
/// The checkpoint format as streams: sections round-trip with lengths beyond <c>int</c> (a sparse in-memory stream stands
/// in for the file, so no 2 GB allocation is made), the hash is the SHA-256 of what was written, damage is named, and
/// version 1 files still parse.
/// </summary>
public sealed class CheckpointFormatTests
{
    [Fact]
    public void Sections_RoundTrip_AndTheTrailerAndHashAreAsSpecified()
    {
        var state = "{\"a\":1}"u8.ToArray();
        var model = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        using var file = new MemoryStream();
        CheckpointFormat.Write(file, new Action<Stream>[] { s => s.Write(state), s => s.Write(model), _ => { } });
        var bytes = file.ToArray();
        // Hand-derived layout: magic, the sections, three int64 lengths, the count, the SHA-256 of all before it.
        Assert.Equal(8 + state.Length + model.Length + 3 * 8 + 4 + 32, bytes.Length);
        Assert.Equal("DIRCKPT2"u8.ToArray(), bytes[..8]);
        int trailer = 8 + state.Length + model.Length;
        Assert.Equal(state.Length, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(trailer)));
        Assert.Equal(model.Length, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(trailer + 8)));
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(trailer + 16)));
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(trailer + 24)));
        Assert.Equal(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)), bytes[^32..]);

        var (sections, problem) = CheckpointFormat.Read(file);
        Assert.Null(problem);
        Assert.Equal(new[] { new CheckpointFormat.Section(8, state.Length), new CheckpointFormat.Section(8 + state.Length, model.Length), new CheckpointFormat.Section(trailer, 0) }, sections);
        using var modelSection = CheckpointFormat.Open(file, sections![1]);
        var read = new byte[2000];
        Assert.Equal(model.Length, modelSection.ReadAtLeast(read, read.Length, throwOnEndOfStream: false));
        Assert.Equal(model, read[..model.Length]);

        // Damage anywhere is named; so is a truncation and another file.
        var flipped = (byte[])bytes.Clone();
        flipped[500] ^= 1;
        Assert.Equal("its checksum does not match (truncated or corrupted).", CheckpointFormat.Read(new MemoryStream(flipped)).Problem);
        Assert.Equal("its checksum does not match (truncated or corrupted).", CheckpointFormat.Read(new MemoryStream(bytes[..^10])).Problem);
        Assert.Equal("not a DirDsl checkpoint, or truncated.", CheckpointFormat.Read(new MemoryStream("PNG......................................"u8.ToArray())).Problem);
    }

    [Fact]
    public void A_SectionBeyondTwoGigabytes_IsWrittenAndReadAsAStream()
    {
        // 2^31 + 12,345 bytes of weights: more than an int can count, and more than a byte array can hold.
        long big = (1L << 31) + 12_345;
        var tail = new byte[] { 1, 2, 3 };
        using var file = new SparseStream();
        CheckpointFormat.Write(file, new Action<Stream>[]
        {
            s => s.Write("{}"u8),
            s =>
            {
                var chunk = new byte[1 << 20];
                for (long left = big; left > 0; left -= chunk.Length) s.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            },
            s => s.Write(tail),
        });
        Assert.Equal(8 + 2 + big + 3 + 3 * 8 + 4 + 32, file.Length);
        var (sections, problem) = CheckpointFormat.Read(file);
        Assert.Null(problem);
        Assert.Equal(big, sections![1].Length);
        Assert.Equal(8 + 2 + big, sections[2].Offset);
        // The sections' ends read back through their views: the last weights' bytes and the optimiser's three.
        using var weights = CheckpointFormat.Open(file, sections[1]);
        weights.Seek(-4, SeekOrigin.End);
        var end = new byte[8];
        Assert.Equal(4, weights.ReadAtLeast(end, end.Length, throwOnEndOfStream: false));
        using var optimizer = CheckpointFormat.Open(file, sections[2]);
        var three = new byte[3];
        optimizer.ReadExactly(three);
        Assert.Equal(tail, three);
        // A bit flipped beyond 2 GB is caught by the hash.
        file.Position = (1L << 31) + 100;
        file.WriteByte(1);
        Assert.Equal("its checksum does not match (truncated or corrupted).", CheckpointFormat.Read(file).Problem);
    }

    [Fact]
    public void VersionOneFiles_StillParse()
    {
        // DIRCKPT1: int32 length + state, int64 length + model, int64 0 (no optimiser), SHA-256.
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("DIRCKPT1"u8);
            writer.Write(3);
            writer.Write("{ }"u8);
            writer.Write(5L);
            writer.Write(new byte[] { 9, 8, 7, 6, 5 });
            writer.Write(0L);
        }
        body.Write(SHA256.HashData(body.ToArray()));
        var (sections, problem) = CheckpointFormat.Read(body);
        Assert.Null(problem);
        Assert.Equal(new[] { new CheckpointFormat.Section(12, 3), new CheckpointFormat.Section(23, 5), new CheckpointFormat.Section(36, 0) }, sections);
    }

    /// <summary>A seekable stream that stores only the 64 KiB blocks holding a non-zero byte: a file of gigabytes of zeros in kilobytes.</summary>
    private sealed class SparseStream : Stream
    {
        private const int Block = 1 << 16;
        private readonly Dictionary<long, byte[]> blocks = new();
        private long length, position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => true;
        public override long Length => length;
        public override long Position { get => position; set => position = value; }
        public override void Flush() { }
        public override void SetLength(long value) => length = value;
        public override long Seek(long offset, SeekOrigin origin) => position = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => position + offset, _ => length + offset };
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int total = (int)Math.Max(0, Math.Min(buffer.Length, length - position));
            for (int done = 0; done < total;)
            {
                long index = (position + done) / Block;
                int at = (int)((position + done) % Block), n = Math.Min(Block - at, total - done);
                if (blocks.TryGetValue(index, out var block)) block.AsSpan(at, n).CopyTo(buffer.Slice(done, n));
                else buffer.Slice(done, n).Clear();
                done += n;
            }
            position += total;
            return total;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            for (int done = 0; done < buffer.Length;)
            {
                long index = (position + done) / Block;
                int at = (int)((position + done) % Block), n = Math.Min(Block - at, buffer.Length - done);
                var part = buffer.Slice(done, n);
                if (blocks.TryGetValue(index, out var block)) part.CopyTo(block.AsSpan(at));
                else if (part.IndexOfAnyExcept((byte)0) >= 0) part.CopyTo((blocks[index] = new byte[Block]).AsSpan(at));
                done += n;
            }
            position += buffer.Length;
            length = Math.Max(length, position);
        }
    }
}
