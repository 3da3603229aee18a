using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>
/// The streamed data path's batches: the input rows are written by the workers straight into native tensors, so reading
/// a batch allocates no managed memory in proportion to its rows (on a GPU the rows then copy from page-locked memory).
/// </summary>
public sealed class StreamedBatchTests
{
    private sealed record Wide(int Id, float Y);

    private sealed class WideMap(int width) : IFeatureMap<Wide>
    {
        public int Width => width;
        public void Fit(IReadOnlyList<Wide> train) { }
        public void Write(Wide record, Span<float> row, string split, int index)
        {
            for (int j = 0; j < row.Length; j++) row[j] = record.Id + j / 1024f;
        }
        public float Target(Wide record, string split, int index) => record.Y;
    }

    private static (long Allocated, float[] FirstRows) ReadAll(int width)
    {
        var records = Enumerable.Range(0, 64).Select(i => new Wide(i, i % 10)).ToList();
        using var split = SplitData.Create(new WideMap(width), records, "train", LabelBins.Uniform(0, 10, 10), 1, CPU, DataPath.Streaming);
        // One read to start the thread pool and JIT the path, then the measured one.
        foreach (var measured in new[] { false, true })
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var first = new List<float>();
            using (var reader = split.Read(TrainingKit.InOrder(records.Count, 16)))
            {
                while (true)
                {
                    using var scope = NewDisposeScope();
                    if (reader.Next() is not { } batch) break;
                    Assert.Equal(new long[] { batch.Index.shape[0], width }, batch.Inputs.shape);
                    var values = batch.Inputs.data<float>().ToArray();
                    var ids = batch.Index.data<long>().ToArray();
                    for (int i = 0; i < ids.Length; i++)
                    {
                        // Each row holds exactly what the map wrote for its record.
                        Assert.Equal(ids[i], values[i * width]);
                        Assert.Equal(ids[i] + (width - 1) / 1024f, values[i * width + width - 1]);
                    }
                    if (first.Count == 0) first.AddRange(values.Take(2 * width));
                }
            }
            if (measured) return (GC.GetTotalAllocatedBytes(precise: true) - before, first.ToArray());
        }
        throw new InvalidOperationException("unreachable");
    }

    [Fact]
    public void StreamedRows_AreWrittenIntoNativeTensors_WithoutManagedCopies()
    {
        var (narrow, _) = ReadAll(16);
        var (wide, rows) = ReadAll(16_384);
        Assert.Equal(new float[] { 0, 1 / 1024f }, rows.Take(2));
        // The test's own reads (data<float>().ToArray()) copy the rows once: 64 x 16,384 floats = 4 MiB. Managed rows in the
        // path would add at least that again (twice, with TorchSharp's copy of an array into a tensor).
        long ownCopies = 64L * 16_384 * sizeof(float);
        long extra = wide - narrow - ownCopies;
        Assert.True(extra < ownCopies / 10, $"reading 64 rows of 16,384 floats allocated {extra:N0} managed bytes beyond the test's own copies ({narrow:N0} for 16 floats)");
    }
}
