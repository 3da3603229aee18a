using System.Numerics;
using BenchmarkDotNet.Attributes;

namespace DirDsl.Benchmarks;

/// <summary>
/// FDS's managed CPU loops on #23's shapes (a batch of 256 rows of 256 features, 100 bins): <see cref="HostVectors"/>
/// (Vector&lt;T&gt; loaded and stored by reference) against the loops they replaced (Vector&lt;T&gt; over a span slice per
/// vector), kept here as the baseline. Both give the same floats (FeatureStatisticsTests).
/// </summary>
public abstract class HostVectorData
{
    protected const int Rows = 256, Width = 256, Bins = 100, Repeats = 200;
    protected float[] Z = null!, Centre = null!, Scale = null!, Target = null!, Output = null!, Sum = null!, Squares = null!;
    protected int[] RowBins = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(23);
        float[] Fill(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        Z = Fill(Rows * Width);
        Centre = Fill(Bins * Width);
        Scale = Fill(Bins * Width);
        Target = Fill(Bins * Width);
        Output = new float[Rows * Width];
        Sum = new float[Bins * Width];
        Squares = new float[Bins * Width];
        RowBins = Enumerable.Range(0, Rows).Select(_ => random.Next(Bins)).ToArray();
    }
}

/// <summary>A training batch's calibration, ((z - centre) * scale) + target per element.</summary>
public class CalibrationLoopBenchmarks : HostVectorData
{
    [Benchmark(Baseline = true, OperationsPerInvoke = Repeats)]
    public void VectorOfTOverSlices()
    {
        for (int r = 0; r < Repeats; r++)
            for (int i = 0; i < Rows; i++)
            {
                int at = RowBins[i] * Width;
                ReadOnlySpan<float> z = Z.AsSpan(i * Width, Width), centre = Centre.AsSpan(at, Width), scale = Scale.AsSpan(at, Width), target = Target.AsSpan(at, Width);
                var output = Output.AsSpan(i * Width, Width);
                int d = 0;
                for (; d <= Width - Vector<float>.Count; d += Vector<float>.Count)
                    ((new Vector<float>(z.Slice(d)) - new Vector<float>(centre.Slice(d))) * new Vector<float>(scale.Slice(d)) + new Vector<float>(target.Slice(d))).CopyTo(output.Slice(d));
                for (; d < Width; d++) output[d] = (z[d] - centre[d]) * scale[d] + target[d];
            }
    }

    [Benchmark(OperationsPerInvoke = Repeats)]
    public void HostVectorsCalibrate()
    {
        for (int r = 0; r < Repeats; r++)
            for (int i = 0; i < Rows; i++)
            {
                int at = RowBins[i] * Width;
                HostVectors.Calibrate(Z.AsSpan(i * Width, Width), Centre.AsSpan(at, Width), Scale.AsSpan(at, Width), Target.AsSpan(at, Width), Output.AsSpan(i * Width, Width));
            }
    }
}

/// <summary>The calibration's backward: the output's gradient times the scale per element.</summary>
public class GradientLoopBenchmarks : HostVectorData
{
    [Benchmark(Baseline = true, OperationsPerInvoke = Repeats)]
    public void VectorOfTOverSlices()
    {
        for (int r = 0; r < Repeats; r++)
            for (int i = 0; i < Rows; i++)
            {
                ReadOnlySpan<float> row = Z.AsSpan(i * Width, Width), rowScale = Scale.AsSpan(RowBins[i] * Width, Width);
                var into = Output.AsSpan(i * Width, Width);
                int d = 0;
                for (; d <= Width - Vector<float>.Count; d += Vector<float>.Count)
                    (new Vector<float>(row.Slice(d)) * new Vector<float>(rowScale.Slice(d))).CopyTo(into.Slice(d));
                for (; d < Width; d++) into[d] = row[d] * rowScale[d];
            }
    }

    [Benchmark(OperationsPerInvoke = Repeats)]
    public void HostVectorsMultiply()
    {
        for (int r = 0; r < Repeats; r++)
            for (int i = 0; i < Rows; i++)
                HostVectors.Multiply(Z.AsSpan(i * Width, Width), Scale.AsSpan(RowBins[i] * Width, Width), Output.AsSpan(i * Width, Width));
    }
}

/// <summary>BinMoments' per-row accumulation: sum += z - shift, squares += (z - shift)^2 into the row's bin.</summary>
public class MomentLoopBenchmarks : HostVectorData
{
    [Benchmark(Baseline = true, OperationsPerInvoke = Repeats)]
    public void VectorOfTOverSlices()
    {
        for (int r = 0; r < Repeats; r++)
            for (int i = 0; i < Rows; i++)
            {
                int at = RowBins[i] * Width;
                ReadOnlySpan<float> row = Z.AsSpan(i * Width, Width), shift = Centre.AsSpan(at, Width);
                Span<float> sum = Sum.AsSpan(at, Width), squares = Squares.AsSpan(at, Width);
                int d = 0;
                for (; d <= Width - Vector<float>.Count; d += Vector<float>.Count)
                {
                    var deviation = new Vector<float>(row.Slice(d)) - new Vector<float>(shift.Slice(d));
                    (new Vector<float>(sum.Slice(d)) + deviation).CopyTo(sum.Slice(d));
                    (new Vector<float>(squares.Slice(d)) + deviation * deviation).CopyTo(squares.Slice(d));
                }
                for (; d < Width; d++)
                {
                    float deviation = row[d] - shift[d];
                    sum[d] += deviation;
                    squares[d] += deviation * deviation;
                }
            }
    }

    [Benchmark(OperationsPerInvoke = Repeats)]
    public void HostVectorsAccumulate()
    {
        for (int r = 0; r < Repeats; r++)
            for (int i = 0; i < Rows; i++)
            {
                int at = RowBins[i] * Width;
                HostVectors.AccumulateShifted(Z.AsSpan(i * Width, Width), Centre.AsSpan(at, Width), Sum.AsSpan(at, Width), Squares.AsSpan(at, Width));
            }
    }
}
