using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DirDsl;

/// <summary>
/// The element-wise loops of FDS's managed CPU kernels: <see cref="Vector{T}"/> loads and stores by reference (no span
/// slice per vector), then one element at a time for the tail. Each lane performs the same IEEE float32 operations as
/// the scalar code and as the tensor kernels, each rounded once: the vector's width changes how many elements go at
/// once, never a value (the JIT does not contract a product and a sum into one fused multiply-add).
/// </summary>
internal static class HostVectors
{
    /// <summary>output = ((z - centre) * scale) + target, element by element.</summary>
    public static void Calibrate(ReadOnlySpan<float> z, ReadOnlySpan<float> centre, ReadOnlySpan<float> scale, ReadOnlySpan<float> target, Span<float> output)
    {
        int n = z.Length;
        if (centre.Length < n || scale.Length < n || target.Length < n || output.Length < n)
            throw new ArgumentException("HostVectors.Calibrate: the spans are shorter than z.");
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float cr = ref MemoryMarshal.GetReference(centre);
        ref float sr = ref MemoryMarshal.GetReference(scale);
        ref float tr = ref MemoryMarshal.GetReference(target);
        ref float or = ref MemoryMarshal.GetReference(output);
        nuint i = 0, count = (nuint)n, lanes = (nuint)Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i + lanes <= count; i += lanes)
                ((Vector.LoadUnsafe(ref zr, i) - Vector.LoadUnsafe(ref cr, i)) * Vector.LoadUnsafe(ref sr, i) + Vector.LoadUnsafe(ref tr, i)).StoreUnsafe(ref or, i);
        for (; i < count; i++)
            Unsafe.Add(ref or, i) = (Unsafe.Add(ref zr, i) - Unsafe.Add(ref cr, i)) * Unsafe.Add(ref sr, i) + Unsafe.Add(ref tr, i);
    }

    /// <summary>output = a * b, element by element.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        int n = a.Length;
        if (b.Length < n || output.Length < n) throw new ArgumentException("HostVectors.Multiply: the spans are shorter than a.");
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float or = ref MemoryMarshal.GetReference(output);
        nuint i = 0, count = (nuint)n, lanes = (nuint)Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i + lanes <= count; i += lanes)
                (Vector.LoadUnsafe(ref ar, i) * Vector.LoadUnsafe(ref br, i)).StoreUnsafe(ref or, i);
        for (; i < count; i++) Unsafe.Add(ref or, i) = Unsafe.Add(ref ar, i) * Unsafe.Add(ref br, i);
    }

    /// <summary>sum += row - shift and squares += (row - shift) * (row - shift), element by element.</summary>
    public static void AccumulateShifted(ReadOnlySpan<float> row, ReadOnlySpan<float> shift, Span<float> sum, Span<float> squares)
    {
        int n = row.Length;
        if (shift.Length < n || sum.Length < n || squares.Length < n) throw new ArgumentException("HostVectors.AccumulateShifted: the spans are shorter than the row.");
        ref float rr = ref MemoryMarshal.GetReference(row);
        ref float hr = ref MemoryMarshal.GetReference(shift);
        ref float sr = ref MemoryMarshal.GetReference(sum);
        ref float qr = ref MemoryMarshal.GetReference(squares);
        nuint i = 0, count = (nuint)n, lanes = (nuint)Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i + lanes <= count; i += lanes)
            {
                var deviation = Vector.LoadUnsafe(ref rr, i) - Vector.LoadUnsafe(ref hr, i);
                (Vector.LoadUnsafe(ref sr, i) + deviation).StoreUnsafe(ref sr, i);
                (Vector.LoadUnsafe(ref qr, i) + deviation * deviation).StoreUnsafe(ref qr, i);
            }
        for (; i < count; i++)
        {
            float deviation = Unsafe.Add(ref rr, i) - Unsafe.Add(ref hr, i);
            Unsafe.Add(ref sr, i) += deviation;
            Unsafe.Add(ref qr, i) += deviation * deviation;
        }
    }
}
