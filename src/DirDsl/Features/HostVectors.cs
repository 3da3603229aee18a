using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DirDsl;

/// <summary>
/// The element-wise loops of FDS's managed CPU kernels, in the widest vectors the CPU runs (512, 256 or 128 bits, then
/// one element at a time for the tail). Each lane performs the same IEEE float32 operations as the scalar code and as
/// the tensor kernels, each rounded once: a vector's width changes how many elements go at once, never a value (no
/// fused multiply-add is formed: the JIT does not contract a product and a sum into one).
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
        nuint i = 0, count = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + (nuint)Vector512<float>.Count <= count; i += (nuint)Vector512<float>.Count)
                ((Vector512.LoadUnsafe(ref zr, i) - Vector512.LoadUnsafe(ref cr, i)) * Vector512.LoadUnsafe(ref sr, i) + Vector512.LoadUnsafe(ref tr, i)).StoreUnsafe(ref or, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + (nuint)Vector256<float>.Count <= count; i += (nuint)Vector256<float>.Count)
                ((Vector256.LoadUnsafe(ref zr, i) - Vector256.LoadUnsafe(ref cr, i)) * Vector256.LoadUnsafe(ref sr, i) + Vector256.LoadUnsafe(ref tr, i)).StoreUnsafe(ref or, i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + (nuint)Vector128<float>.Count <= count; i += (nuint)Vector128<float>.Count)
                ((Vector128.LoadUnsafe(ref zr, i) - Vector128.LoadUnsafe(ref cr, i)) * Vector128.LoadUnsafe(ref sr, i) + Vector128.LoadUnsafe(ref tr, i)).StoreUnsafe(ref or, i);
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
        nuint i = 0, count = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + (nuint)Vector512<float>.Count <= count; i += (nuint)Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref ar, i) * Vector512.LoadUnsafe(ref br, i)).StoreUnsafe(ref or, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + (nuint)Vector256<float>.Count <= count; i += (nuint)Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref ar, i) * Vector256.LoadUnsafe(ref br, i)).StoreUnsafe(ref or, i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + (nuint)Vector128<float>.Count <= count; i += (nuint)Vector128<float>.Count)
                (Vector128.LoadUnsafe(ref ar, i) * Vector128.LoadUnsafe(ref br, i)).StoreUnsafe(ref or, i);
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
        nuint i = 0, count = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + (nuint)Vector512<float>.Count <= count; i += (nuint)Vector512<float>.Count)
            {
                var deviation = Vector512.LoadUnsafe(ref rr, i) - Vector512.LoadUnsafe(ref hr, i);
                (Vector512.LoadUnsafe(ref sr, i) + deviation).StoreUnsafe(ref sr, i);
                (Vector512.LoadUnsafe(ref qr, i) + deviation * deviation).StoreUnsafe(ref qr, i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i + (nuint)Vector256<float>.Count <= count; i += (nuint)Vector256<float>.Count)
            {
                var deviation = Vector256.LoadUnsafe(ref rr, i) - Vector256.LoadUnsafe(ref hr, i);
                (Vector256.LoadUnsafe(ref sr, i) + deviation).StoreUnsafe(ref sr, i);
                (Vector256.LoadUnsafe(ref qr, i) + deviation * deviation).StoreUnsafe(ref qr, i);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i + (nuint)Vector128<float>.Count <= count; i += (nuint)Vector128<float>.Count)
            {
                var deviation = Vector128.LoadUnsafe(ref rr, i) - Vector128.LoadUnsafe(ref hr, i);
                (Vector128.LoadUnsafe(ref sr, i) + deviation).StoreUnsafe(ref sr, i);
                (Vector128.LoadUnsafe(ref qr, i) + deviation * deviation).StoreUnsafe(ref qr, i);
            }
        for (; i < count; i++)
        {
            float deviation = Unsafe.Add(ref rr, i) - Unsafe.Add(ref hr, i);
            Unsafe.Add(ref sr, i) += deviation;
            Unsafe.Add(ref qr, i) += deviation * deviation;
        }
    }
}
