using DirDsl.Images;
using Examples.DialDir;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Benchmarks;

/// <summary>
/// The image path of issue #23 on examples/DialDir (6,000 rendered 32 x 32 gray training images, its CNN, batch 64, Adam,
/// 2 torch threads): DirDsl's generated <c>DialExperiment.Run</c> for Vanilla and for FDS (the reference's epoch-end pass),
/// each with the image cache (the default) and without it (every read decodes its PNG), against a plain TorchSharp loop
/// with the same model, data, augmentation and optimiser that decodes the images once before training (as the reference's
/// script holds them in memory). Alternated rounds; per round the median epoch after the first of each.
/// </summary>
public static class DialRun
{
    private const string Vanilla = "DirDsl Vanilla";
    private const string VanillaNoCache = "DirDsl Vanilla, no image cache";
    private const string Fds = "DirDsl FDS";
    private const string FdsNoCache = "DirDsl FDS, no image cache";
    private const string Plain = "plain TorchSharp loop, Vanilla";

    public static int Run(int maxRounds, int epochs)
    {
        torch.set_num_threads(2);
        var folder = Directory.CreateTempSubdirectory("dirdsl-dial").FullName;
        try
        {
            var splits = DialImages.Splits(0, Console.Out);
            var plain = new PlainLoop(splits);
            var configurations = new (string Name, Func<int, EpochTime> Measure)[]
            {
                (Vanilla, round => DirDslEpoch("Vanilla", cache: true, folder, round, epochs)),
                (VanillaNoCache, round => DirDslEpoch("Vanilla", cache: false, folder, round, epochs)),
                (Fds, round => DirDslEpoch("FDS", cache: true, folder, round, epochs)),
                (FdsNoCache, round => DirDslEpoch("FDS", cache: false, folder, round, epochs)),
                (Plain, _ => Alternation.MedianAfterFirst(Enumerable.Range(0, epochs).Select(e => Alternation.Time(() => plain.Epoch(e))).ToList())),
            };
            Alternation.Run(configurations, new Alternation.Ratio[]
            {
                new("DirDsl Vanilla / plain loop (framework overhead)", Alternation.Quotient(Vanilla, Plain)),
                new("image cache speed-up, Vanilla (no cache / cache)", Alternation.Quotient(VanillaNoCache, Vanilla)),
                new("image cache speed-up, FDS (no cache / cache)", Alternation.Quotient(FdsNoCache, Fds)),
                new("FDS's share of the FDS epoch (with the cache)", Alternation.Share(Fds, Vanilla), Percent: true),
            }, maxRounds, halfWidth: 0.03);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static EpochTime DirDslEpoch(string variant, bool cache, string folder, int round, int epochs) => Alternation.MedianEpoch(new RunOptions
    {
        OutputFolder = Path.Combine(folder, $"{round}-{variant}-{cache}"), Device = "cpu", Log = TextWriter.Null, Variants = { variant },
        OnlySeed = 0, Epochs = epochs, CheckpointInterval = TimeSpan.FromHours(1), ImageCacheBytes = cache ? null : 0,
    }, DialExperiment.Run);

    /// <summary>
    /// The loop a TorchSharp user would write: images decoded once into 8-bit levels, each batch augmented (the same crop
    /// draws as DirDsl's) and normalised on the training thread, the example's CNN and a linear head, L1, TorchSharp's Adam,
    /// and a validation pass per epoch.
    /// </summary>
    private sealed class PlainLoop
    {
        private readonly ImageSpec spec = new(DialImages.Size, ImageColor.Gray, Padding: 4, Flip: false);
        private readonly byte[][] train, validation;
        private readonly float[] trainTargets, validationTargets;
        private readonly nn.Module<Tensor, Tensor> model;
        private readonly optim.Optimizer optimizer;

        public PlainLoop(DirSplits<Dial> splits)
        {
            byte[] Decode(Dial d)
            {
                var levels = new byte[spec.Width];
                ImageDecoder.DecodeLevels(ImageInput.File(d.Path), spec, levels);
                return levels;
            }
            train = splits.Train.Select(Decode).ToArray();
            validation = splits.Validation.Select(Decode).ToArray();
            trainTargets = splits.Train.Select(d => (float)d.Reading).ToArray();
            validationTargets = splits.Validation.Select(d => (float)d.Reading).ToArray();
            torch.manual_seed(0);
            model = nn.Sequential(("encoder", DialExperiment.Encoder()), ("head", nn.Linear(64, 1)));
            optimizer = optim.Adam(model.parameters(), 2e-3);
        }

        public void Epoch(int epoch)
        {
            model.train();
            var chw = new float[spec.Width];
            foreach (var batch in TrainingKit.Batches(train.Length, 64, seed: 0, epoch))
            {
                using var scope = NewDisposeScope();
                var rows = new float[batch.Length * spec.Width];
                var targets = new float[batch.Length];
                for (int i = 0; i < batch.Length; i++)
                {
                    int index = (int)batch.Span[i];
                    ImageDecoder.ToValues(train[index], chw);
                    ImageTransform.Augment(chw, spec, new AugmentationDraw(0, epoch, index), rows.AsSpan(i * spec.Width, spec.Width));
                    targets[i] = trainTargets[index];
                }
                optimizer.zero_grad();
                var output = model.call(tensor(rows, new long[] { batch.Length, 1, spec.Size, spec.Size }));
                var loss = nn.functional.l1_loss(output, tensor(targets).unsqueeze(1));
                loss.backward();
                optimizer.step();
                _ = loss.item<float>();
            }
            model.eval();
            using (no_grad())
            using (NewDisposeScope())
            {
                var rows = new float[validation.Length * spec.Width];
                for (int i = 0; i < validation.Length; i++)
                {
                    ImageDecoder.ToValues(validation[i], chw);
                    ImageTransform.Normalize(chw, spec, rows.AsSpan(i * spec.Width, spec.Width));
                }
                var predictions = model.call(tensor(rows, new long[] { validation.Length, 1, spec.Size, spec.Size })).reshape(-1);
                _ = (predictions - tensor(validationTargets)).abs().mean().item<float>();
            }
        }
    }
}
