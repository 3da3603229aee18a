using Xunit;

namespace DirDsl.Tests.Generated;

/// <summary>
/// A trained model used after its run: loaded from the output folder with the feature map fitted in that run, it
/// predicts new records exactly as the run predicted its test split.
/// </summary>
public sealed class TrainedModelTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-trained").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private RunOptions Options() => new() { OutputFolder = output, Device = "cpu", Log = TextWriter.Null, CheckpointInterval = TimeSpan.Zero };

    [Fact]
    public void LoadedModel_PredictsTheTestRecords_AsTheRunDid()
    {
        // TinyRecord has a number, a category (one-hot vocabulary) and a float[] (per-component standardisation).
        var result = TinyExperiment.Run(Options());
        var test = TinyData.Splits(7).Test;
        foreach (var variant in new[] { "Vanilla", "LDS+FDS" })
        {
            using var model = TinyExperiment.LoadTrained(output, variant);
            Assert.Equal((variant, 7, TargetShape.Scalar), (model.Variant, model.Seed, model.Target));
            Assert.Equal(result.Variants.Single(v => v.Variant == variant).TestPredictions, model.Predict(test));
        }
        // The configured variant by default; one record alone gives the same value up to float rounding (a batch of one
        // is multiplied by other kernels than a batch of 60).
        using var configured = TinyExperiment.LoadTrained(output);
        Assert.Equal("LDS+FDS", configured.Variant);
        Assert.Equal(result.Variants.Single(v => v.Variant == "LDS+FDS").TestPredictions[3], configured.PredictOne(test[3]), 1e-5f);
        // A category never seen in training is all zeros (no error), as in the run.
        Assert.True(float.IsFinite(configured.PredictOne(test[0] with { Group = "unseen" })));
    }

    [Fact]
    public void LoadedModel_KeepsFillValues_AndVectorTargets()
    {
        var gappy = NullableExperiment.Run(Options());
        using (var model = NullableExperiment.LoadTrained(output))
            Assert.Equal(gappy.Variants.Single().TestPredictions, model.Predict(GappyData.Splits().Test));
        var vector = TinyVectorExperiment.Run(Options());
        using var twins = TinyVectorExperiment.LoadTrained(output, "LDS");
        Assert.Equal(TargetShape.Vector("Wave", "Ramp"), twins.Target);
        Assert.Equal(vector.Variants.Single(v => v.Variant == "LDS").TestPredictions, twins.Predict(VectorData.Twins(7).Test));
        Assert.Throws<InvalidOperationException>(() => twins.PredictOne(VectorData.Twins(7).Test[0]));
    }

    [Fact]
    public void Load_NamesWhatIsMissing()
    {
        var none = Assert.Throws<FileNotFoundException>(() => TinyExperiment.LoadTrained(output));
        Assert.Contains("feature-map.json does not exist: train the experiment first", none.Message);
        var options = Options();
        options.Variants.Add("Vanilla");
        TinyExperiment.Run(options);
        Assert.Contains("has no variant 'Nope'; its variants are Vanilla, SqrtInverse, LDS, FDS, LDS+FDS",
            Assert.Throws<ArgumentException>(() => TinyExperiment.LoadTrained(output, "Nope")).Message);
        Assert.Contains("holds no trained seed of LDS", Assert.Throws<FileNotFoundException>(() => TinyExperiment.LoadTrained(output, "LDS")).Message);
        Assert.Contains("not trained with seed 3", Assert.Throws<FileNotFoundException>(() => TinyExperiment.LoadTrained(output, "Vanilla", seed: 3)).Message);
        // A feature map written by another DirDsl version, or by another experiment, is refused.
        // The copy kept beside the weights is the one loaded.
        var path = Path.Combine(output, "TinyExperiment", "vanilla", "seed-7", FittedFeatureMap.FileName);
        var saved = File.ReadAllText(path);
        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(saved, "\"dirDsl\": \"[^\"]*\"", "\"dirDsl\": \"0.0.0-older\""));
        Assert.Contains("was written by DirDsl 0.0.0-older", Assert.Throws<InvalidDataException>(() => TinyExperiment.LoadTrained(output, "Vanilla")).Message);
        File.WriteAllText(path, saved.Replace("\"experiment\": \"TinyExperiment\"", "\"experiment\": \"OtherExperiment\""));
        Assert.Contains("was written by the experiment OtherExperiment", Assert.Throws<InvalidDataException>(() => TinyExperiment.LoadTrained(output, "Vanilla")).Message);
    }
}
