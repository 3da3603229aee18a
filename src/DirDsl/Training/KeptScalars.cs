using System.Collections.Concurrent;
using TorchSharp;

namespace DirDsl;

/// <summary>
/// Scalars that are never finalized: each value's Scalar is created once and stays referenced by this cache, so it can be
/// handed to a native call without the race of a temporary Scalar (TorchSharp 0.107 frees a temporary's native scalar in
/// its finalizer, which a garbage collection can run while the call still reads it; see SafeOptimizers.cs). Use it for the
/// constants and settings of per-step tensor arithmetic; the set of values per run is small (a few constants and settings).
/// </summary>
public static class KeptScalars
{
    private static readonly ConcurrentDictionary<long, Scalar> Cache = new();
    private static readonly ConcurrentDictionary<long, Scalar> Integers = new();

    /// <summary>The kept Scalar of <paramref name="value"/> (float64).</summary>
    public static Scalar Of(double value) => Cache.GetOrAdd(BitConverter.DoubleToInt64Bits(value), static bits => BitConverter.Int64BitsToDouble(bits).ToScalar());

    /// <summary>The kept Scalar of <paramref name="value"/> (int64), for arithmetic on integer tensors.</summary>
    public static Scalar OfInteger(long value) => Integers.GetOrAdd(value, static v => v.ToScalar());
}
