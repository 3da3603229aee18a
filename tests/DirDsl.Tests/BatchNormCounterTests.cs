using DirDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>
/// Batch-norm layers without TorchSharp's batch counter compute exactly what they computed with it, and survive
/// garbage collections forced throughout training (the counter's temporary Scalar is what a collection could free).
/// </summary>
public sealed class BatchNormCounterTests
{
    private static nn.Module<Tensor, Tensor> Net(int seed)
    {
        torch.manual_seed(seed);
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(64, 3), nn.BatchNorm1d(3));
    }

    [Fact]
    public void WithoutTheCounter_TrainingAndRunningStatisticsAreBitForBitTheSame()
    {
        using var counted = Net(4);
        using var detached = Net(4);
        Assert.Equal(2, BatchNormCounters.Detach(detached));
        Assert.DoesNotContain(detached.state_dict().Keys, k => k.EndsWith("num_batches_tracked", StringComparison.Ordinal));
        counted.train();
        detached.train();
        torch.manual_seed(9);
        for (int step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(8, 1, 4, 4);
            Assert.Equal(counted.call(x).data<float>().ToArray(), detached.call(x).data<float>().ToArray());
        }
        foreach (var (name, tensor) in counted.state_dict().Where(kv => !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)))
            Assert.Equal(tensor.data<float>().ToArray(), detached.state_dict()[name].data<float>().ToArray());
        // A layer with momentum 0 (a cumulative average) needs its counter and keeps it.
        using var cumulative = nn.BatchNorm1d(3, momentum: 0);
        Assert.Equal(0, BatchNormCounters.Detach(cumulative));
    }

    [Fact]
    public void Training_WithCollectionsForcedThroughout_RunsEveryStep()
    {
        using var collections = new ForcedCollections();
        using var net = Net(1);
        BatchNormCounters.Detach(net);
        net.train();
        using var x = randn(16, 1, 4, 4);
        int steps = 0;
        // TorchSharp's own layer crashes within a few hundred steps under this load (344 in a trial): 1,000 is ample.
        for (int step = 0; step < 1000; step++)
        {
            using var scope = NewDisposeScope();
            net.call(x).sum().backward();
            steps++;
        }
        Assert.Equal(1000, steps);
    }
}
