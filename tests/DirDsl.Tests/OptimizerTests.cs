using DirDsl.Testing;
using DirDsl.Tests.Generated;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>
/// The optimisers DirDsl trains with: TorchSharp's arithmetic bit for bit, its state format, and no native crash when
/// garbage collections run during a step (TorchSharp 0.107's own step can read a freed Scalar then).
/// </summary>
[Collection(nameof(MemoryTests))]
public sealed class OptimizerTests
{
    private static nn.Module<Tensor, Tensor> Model(int seed)
    {
        manual_seed(seed);
        return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1));
    }

    private static TorchSharp.Modules.OptimizerHelper TorchSharpOptimizer(OptimizerKind kind, IEnumerable<TorchSharp.Modules.Parameter> parameters, double weightDecay) => kind switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, 1e-2, weight_decay: weightDecay),
        OptimizerKind.AdamW => optim.AdamW(parameters, 1e-2, weight_decay: weightDecay),
        _ => optim.SGD(parameters, 1e-2, momentum: TrainingKit.SgdMomentum, weight_decay: weightDecay),
    };

    [Theory]
    [InlineData(OptimizerKind.Adam, 0.0)]
    [InlineData(OptimizerKind.Adam, 1e-3)]
    [InlineData(OptimizerKind.AdamW, 1e-2)]
    [InlineData(OptimizerKind.Sgd, 0.0)]
    [InlineData(OptimizerKind.Sgd, 1e-3)]
    public void SafeOptimizers_StepExactlyAsTorchSharps_AndRoundTripTheirState(OptimizerKind kind, double weightDecay)
    {
        using var reference = Model(3);
        using var safe = Model(3);
        using var referenceOptimizer = TorchSharpOptimizer(kind, reference.parameters(), weightDecay);
        using var safeOptimizer = TrainingKit.CreateOptimizer(kind, safe.parameters(), 1e-2, weightDecay);
        manual_seed(4);
        using var x = randn(64, 6);
        using var y = randn(64, 1);
        for (int step = 0; step < 25; step++)
        {
            foreach (var (model, optimizer) in new[] { (reference, referenceOptimizer), (safe, safeOptimizer) })
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                (model.call(x) - y).pow(2).mean().backward();
                optimizer.step();
            }
        }
        var expected = reference.parameters().Select(p => p.data<float>().ToArray()).ToList();
        var actual = safe.parameters().Select(p => p.data<float>().ToArray()).ToList();
        Assert.Equal(expected, actual);
        Assert.NotEqual(expected, Model(3).parameters().Select(p => p.data<float>().ToArray()).ToList());   // they did train

        // Resume: the saved state (TorchSharp's format, under the safe type's name) restores into a new one, which then
        // steps exactly as the original does.
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) safeOptimizer.save_state_dict(writer);
        stream.Position = 0;
        using var resumed = Model(3);
        foreach (var (target, source) in resumed.parameters().Zip(safe.parameters())) { using var noGrad = no_grad(); target.copy_(source); }
        using var loaded = TrainingKit.CreateOptimizer(kind, resumed.parameters(), 1e-2, weightDecay);
        using (var reader = new BinaryReader(stream)) loaded.load_state_dict(reader);
        foreach (var (model, optimizer) in new[] { (safe, safeOptimizer), (resumed, loaded) })
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            (model.call(x) - y).pow(2).mean().backward();
            optimizer.step();
        }
        Assert.Equal(safe.parameters().Select(p => p.data<float>().ToArray()), resumed.parameters().Select(p => p.data<float>().ToArray()));
    }

    [Fact]
    public void Training_WithCollectionsForcedThroughout_NeverReadsAFreedScalar()
    {
        var output = Directory.CreateTempSubdirectory("dirdsl-gc").FullName;
        RunOptions Options(string name) => new() { OutputFolder = Path.Combine(output, name), Device = "cpu", Log = TextWriter.Null, Variants = { "LDS+FDS" } };
        // The whole DirDsl loop without the load first, to compare with the loop under it.
        var quiet = LongTinyExperiment.Run(Options("quiet")).Variants.Single();
        // A thread that collects and runs finalizers without pause: with TorchSharp 0.107's Adam this crashes within a
        // few thousand steps ("Expected false to be true" from c10::Scalar::toDouble, as seen under CPU load).
        using var collections = new ForcedCollections();
        using var model = Model(5);
        using var optimizer = TrainingKit.CreateOptimizer(OptimizerKind.Adam, model.parameters(), 1e-3, 1e-4);
        using var x = randn(256, 6);
        using var y = randn(256, 1);
        for (int step = 0; step < 3000; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            (model.call(x) - y).pow(KeptScalars.Of(2)).mean().backward();
            optimizer.step();
        }
        // The whole DirDsl loop too (LDS weights, FDS statistics and calibration with its managed autograd node,
        // evaluation, checkpoints), to the same digits as without the load.
        try
        {
            var loaded = LongTinyExperiment.Run(Options("loaded")).Variants.Single();
            Assert.Equal(30, loaded.EpochsRun);
            Assert.Equal(quiet.TestPredictions, loaded.TestPredictions);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
