using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests.Generated;

/// <summary>
/// Generated image experiments end to end: a CNN trained on a folder of PNG and JPEG files, FDS statistics of its
/// learned features checked against an independent computation, reproducibility, and memory independent of the
/// number of images.
/// </summary>
[Collection(nameof(MemoryTests))]
public sealed class ImageRunTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-image-run").FullName;

    public void Dispose()
    {
        ImageFdsExperiment.EpochEnded = null;
        Directory.Delete(folder, recursive: true);
    }

    private RunOptions Options(string data, string name, int? epochs = null) => new()
    {
        DataRoot = data,
        OutputFolder = Path.Combine(folder, name),
        Device = "cpu",
        Epochs = epochs,
        Log = TextWriter.Null,
    };

    [Fact]
    public void FdsOnCnnFeatures_OverTwoEpochs_EqualsTheMomentumAverageOfPerBinFeatureMeans()
    {
        string data = Path.Combine(folder, "pictures");
        PictureFolder.Write(data, count: 96);
        var train = PictureFolder.Splits(data).Train;
        var bins = LabelBins.Uniform(0, 10, 10);
        var map = new ImageFdsExperiment.FeatureMap();
        map.Fit(train);
        var checkedEpochs = new List<int>();
        float[,]? previous = null;
        ImageFdsExperiment.EpochEnded = end =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var encoder = (TorchSharp.torch.nn.Module<Tensor, Tensor>)end.Model.named_children().Single(c => c.name == "encoder").module;
            // Independently: every training image decoded with the statistics pass's own augmentation draws (the
            // reference's second loop over its augmenting loader), encoded, averaged per label bin. The encoder has no
            // normalisation or dropout, so training mode changes nothing, and the pass's calibration is the identity in
            // both epochs (none before StartSmooth 1; the reference's first update calibrates nothing).
            var rows = new float[train.Count * map.Width];
            var draws = new Augmentation(end.Seed, end.Record.Epoch) { Round = Augmentation.StatisticsPass };
            for (int i = 0; i < train.Count; i++) map.WriteAugmented(train[i], rows.AsSpan(i * map.Width, map.Width), "train", i, draws.For(i));
            var features = encoder.call(tensor(rows, new long[] { train.Count, 1, 16, 16 }));
            var labels = train.Select(p => bins.BinOf(p.Value)).ToArray();
            var statistics = end.Model.FeatureStatistics!;
            var running = statistics.RunningMean.cpu();
            var current = new float[10, 8];
            for (int bin = 0; bin < 10; bin++)
            {
                var members = Enumerable.Range(0, train.Count).Where(i => labels[i] == bin).Select(i => (long)i).ToArray();
                if (members.Length == 0) continue;
                var mean = features.index_select(0, tensor(members)).mean(new long[] { 0 });
                for (int d = 0; d < 8; d++)
                {
                    current[bin, d] = running[bin, d].item<float>();
                    // Epoch 0 sets the statistics; afterwards mu = 0.1 x this epoch's mean + 0.9 x mu.
                    float expected = end.Record.Epoch == 0 ? mean[d].item<float>() : 0.1f * mean[d].item<float>() + 0.9f * previous![bin, d];
                    Assert.Equal(expected, current[bin, d], 4);
                }
            }
            previous = current;
            checkedEpochs.Add(end.Record.Epoch);
        };
        var result = ImageFdsExperiment.Run(Options(data, "fds"));
        Assert.Equal(new[] { 0, 1 }, checkedEpochs);
        Assert.True(double.IsFinite(result.Variants.Single().Test.Overall.Mae));
    }

    [Fact]
    public void SameSeed_SamePredictions_WithParallelDecodingAndAugmentation()
    {
        string data = Path.Combine(folder, "pictures");
        PictureFolder.Write(data, count: 64);
        var first = ImageFdsExperiment.Run(Options(data, "first")).Variants.Single();
        var second = ImageFdsExperiment.Run(Options(data, "second")).Variants.Single();
        Assert.Equal(first.TestPredictions, second.TestPredictions);
        Assert.Equal(first.History.Select(h => h.TrainLoss), second.History.Select(h => h.TrainLoss));
    }

    [Fact]
    public void ImageCache_ChangesNoValue_DecodesEachImageOnce_AndKeepsWithinItsBudget()
    {
        string data = Path.Combine(folder, "pictures");
        PictureFolder.Write(data, count: 64);
        (VariantResult Result, string Log) Train(string name, long? budget)
        {
            var options = Options(data, name);
            var log = new StringWriter();
            options.Log = log;
            options.ImageCacheBytes = budget;
            return (ImageFdsExperiment.Run(options).Variants.Single(), log.ToString());
        }
        var off = Train("off", 0);
        var auto = Train("auto", null);
        // 8 images' worth: 16 x 16 gray levels and the entry's overhead each.
        long perImage = new ImageFdsExperiment.FeatureMap().CacheBytesPerRecord;
        Assert.True(perImage >= 256, $"{perImage} bytes per 16 x 16 gray image");
        var small = Train("small", 8 * perImage);
        foreach (var cached in new[] { auto, small })
        {
            Assert.Equal(off.Result.TestPredictions, cached.Result.TestPredictions);
            Assert.Equal(off.Result.History.Select(h => h.TrainLoss), cached.Result.History.Select(h => h.TrainLoss));
            Assert.Equal(off.Result.History.Select(h => h.ValidationMae), cached.Result.History.Select(h => h.ValidationMae));
        }
        Assert.Contains("Image cache off (--image-cache off): every read decodes its image again.", off.Log);
        Assert.Contains("Image cache: the decoded pixels of the 144 records take", auto.Log);
        Assert.Contains("each image is decoded once in this run.", auto.Log);
        // Reads: 2 epochs of 64 training images, their 2 FDS passes, validation after each epoch and the test once at the
        // best epoch's weights (40 each): 144 first reads decode, all the others come from memory.
        int reads = 2 * 64 + 2 * 64 + 2 * 40 + 40 + 40;
        Assert.Contains($"Image cache: 144 decodes, {reads - 144:N0} reads from memory (144 images, ", auto.Log);
        Assert.Contains("the first 8 decoded are kept, the others decoded at every read", small.Log);
        // The first 8 kept are training images (the first epoch reads first), each read 3 times more (the second epoch, both passes).
        Assert.Contains($"Image cache: {reads - 24:N0} decodes, 24 reads from memory (8 images, {DecodeCache.Size(8 * perImage)} kept).", small.Log);
    }

    [Fact]
    public void AugmentedImages_CannotBeHeldInMemory()
    {
        string data = Path.Combine(folder, "pictures");
        PictureFolder.Write(data, count: 8, validationCount: 4);
        var options = Options(data, "memory");
        options.DataPath = DataPath.InMemory;
        var e = Assert.Throws<ArgumentException>(() => ImageFdsExperiment.Run(options));
        Assert.StartsWith("--data-path memory cannot hold augmented records", e.Message);
    }

    [Fact]
    public void ImageRun_MemoryDoesNotGrowWithTheNumberOfImages()
    {
        var notes = new List<string>();
        long PeakRss(int count)
        {
            string data = Path.Combine(folder, $"images-{count}");
            PictureFolder.Write(data, count, size: 8, validationCount: 40);
            var options = Options(data, $"rss-{count}", epochs: 1);
            // Streaming's bound: with the image cache on, memory follows the cache's budget instead (the test above).
            options.ImageCacheBytes = 0;
            var peak = SettledMemory.PeakAtEpochEnds(options, notes, $"{count:N0} images");
            var result = ImageFdsExperiment.Run(options);
            Assert.Equal(count, result.TrainCounts.Sum());
            Directory.Delete(data, recursive: true);
            Assert.True(peak() > 0, "the epoch-end hook never ran");
            return peak();
        }
        // A first small run takes the one-time costs (native libraries, JIT, thread pool, decoder caches) out of the comparison.
        PeakRss(2_000);
        long small = PeakRss(20_000);
        long large = PeakRss(100_000);
        double growth = (double)(large - small) / small;
        foreach (var note in notes) output.WriteLine(note);
        Assert.True(growth < 0.10, $"RSS grew {growth:P1} from 20,000 images ({small >> 20} MiB) to 100,000 ({large >> 20} MiB): {string.Join("; ", notes)}");
    }
}
