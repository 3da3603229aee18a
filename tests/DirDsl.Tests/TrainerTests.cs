using DirDsl.Tests.Generated;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>
/// The runtime trainer on its own: an experiment definition, feature map and model written by hand (no generated
/// code), trained by <see cref="DirTrainer"/>, against a plain TorchSharp loop over the same batches.
/// </summary>
public sealed class TrainerTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-trainer").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    /// <summary>x and a one-hot group, standardised by hand-fitted fitters.</summary>
    private sealed class HandMap : IFeatureMap<TinyRecord>
    {
        private readonly Standardizer x = new("X");
        public int Width => 1;
        public void Fit(IReadOnlyList<TinyRecord> train) => FeatureFitting.Fit(train, new IFeatureFitter[] { x }, (r, pass, i) => x.Observe(r.X, pass, i));
        public void Write(TinyRecord record, Span<float> row, string split, int index) => row[0] = x.Transform(record.X, split, index);
        public float Target(TinyRecord record, string split, int index) => DirDataset.CheckTarget(record.Y, split, index, "Y");
    }

    private sealed class HandModel(ModelContext context) : DirModel("Hand", context,
        nn.Sequential(nn.Linear(context.InputDim, 8), nn.ReLU()), nn.Linear(8, 1), 8, "Hand");

    private static ExperimentDefinition<TinyRecord, HandModel> Definition(List<int> hookEpochs) => new()
    {
        Name = "Hand",
        Settings = new TrainerSettings { Epochs = 3, BatchSize = 32, LearningRate = 1e-2, Seed = 11, Bins = LabelBins.Uniform(0, 10, 10) },
        Load = _ => TinyData.Splits(7),
        CreateFeatureMap = () => new HandMap(),
        CreateModel = context => new HandModel(context),
        TrainingStep = (model, batch) => WeightedLoss.Compute(model.forward(batch.Inputs, batch.Bins, batch.Epoch), batch.Targets,
            new LossOptions(LossKind.Mse, 1, 1, FocalActivation.Sigmoid), batch.Weights),
        Configured = DirVariant.Vanilla,
        Variants = new[] { DirVariant.Vanilla },
        ShotGroupsFor = counts => ShotGroups.FromCounts(counts),
        OnTrainEpochEnd = end => hookEpochs.Add(end.Record.Epoch),
    };

    [Fact]
    public void HandWrittenDefinition_TrainsAsAPlainLoop_AndCallsTheHookEveryEpoch()
    {
        var epochs = new List<int>();
        var result = DirTrainer.Run(Definition(epochs), new RunOptions { OutputFolder = output, Device = "cpu", Log = TextWriter.Null });
        Assert.Equal(new[] { 0, 1, 2 }, epochs);
        var trained = result.Variants.Single();

        // The same training as a plain TorchSharp loop: seeds, batches, loss, best epoch by validation MSE.
        var splits = TinyData.Splits(7);
        var map = new HandMap();
        map.Fit(splits.Train);
        var bins = LabelBins.Uniform(0, 10, 10);
        using var train = DirDataset.Build(map, splits.Train, "train", bins, 1, CPU);
        using var validation = DirDataset.Build(map, splits.Validation, "validation", bins, 1, CPU);
        using var test = DirDataset.Build(map, splits.Test, "test", bins, 1, CPU);
        TrainingKit.SeedEpoch(11, -1);
        using var model = new HandModel(ModelContext.Plain(map.Width, bins));
        using var optimizer = optim.Adam(model.parameters(), 1e-2);
        double best = double.PositiveInfinity;
        float[]? bestTest = null;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            TrainingKit.SeedEpoch(11, epoch);
            model.train();
            foreach (var batch in TrainingKit.Batches(train.Count, 32, 11, epoch))
            {
                using var scope = NewDisposeScope();
                var index = tensor(batch.ToArray());
                optimizer.zero_grad();
                var loss = (model.forward(train.Inputs.index_select(0, index)) - train.ScaledTargets.index_select(0, index)).pow(2).mean();
                loss.backward();
                optimizer.step();
            }
            var (mse, _) = ShotMetrics.Errors(DirTrainer.Predict(model, validation, 1), validation.Targets);
            if (mse < best)
            {
                best = mse;
                bestTest = DirTrainer.Predict(model, test, 1);
            }
        }
        Assert.Equal(bestTest, trained.TestPredictions);
        Assert.Equal(3, trained.History.Count);
        Assert.Equal(best, trained.History.Min(h => h.ValidationMse));
    }
}
