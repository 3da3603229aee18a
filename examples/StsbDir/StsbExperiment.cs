using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace Examples.StsbDir;

/// <summary>A sentence pair: pair features [u, v, |u - v|, u * v] of the two MiniLM embeddings, and the similarity score.</summary>
public sealed record SentencePair([property: Feature] float[] PairFeatures, [property: Target] float Score);

/// <summary>
/// STS-B-DIR as in the paper: 50 bins over [0, 5], MSE on targets divided by 5, Adam, batch 128,
/// gradient norm clip 5, model selection by validation MSE with early stopping (patience 10),
/// LDS with Inverse re-weighting (Gaussian, size 5, sigma 2), FDS on the encoder's features with
/// the STS-B clamp [0.5, 2]. The paper's BiLSTM + GloVe encoder is replaced by frozen MiniLM
/// sentence embeddings and a trained MLP. Shot groups are reported twice: from the training
/// counts, and as the paper lists them.
/// </summary>
[DirExperiment(Epochs = 40, BatchSize = 128, LearningRate = 1e-3, GradientClipNorm = 5, Patience = 10, TargetScale = 5, Seed = 0)]
[LabelBins(Min = 0, Max = 5, Count = 50)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.Inverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Kernel = Kernel.Gaussian, Size = 5, Sigma = 2, ClampMin = 0.5, ClampMax = 2, UnseenBins = FdsUnseenBins.Fill)]
[Loss(LossKind.Mse)]
[ShotGroups(
    Many = new[] { 0, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42, 44, 46, 48, 49 },
    Medium = new[] { 2, 4, 6, 8, 27, 35, 37 },
    Few = new[] { 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 29, 31, 33, 39, 41, 43, 45, 47 })]
[DenseWeight(Alpha = 1)]
[BalancedMse(BalancedMseKind.Bni, InitNoiseSigma = 0.05)]
[Rrt(Epochs = 10, LearningRate = 1e-3)]
[Smoter(Relevance = RelevanceKind.Rarity)]
[Smogn(Relevance = RelevanceKind.Rarity)]
[Ablation(Seeds = 5)]
public partial class StsbExperiment
{
    [Data]
    public static DirSplits<SentencePair> Load(DataContext context) => StsbData.Load(context);

    [Encoder(FeatureDim = 256)]
    public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Sequential(
        nn.Dropout(0.1),
        nn.Linear(inputDim, 512), nn.ReLU(),
        nn.Linear(512, 256), nn.ReLU());
}

/// <summary>Reads the STS-B-DIR splits (quoting off: sentences contain quotes) and builds pair features.</summary>
public static class StsbData
{
    public static DirSplits<SentencePair> Load(DataContext context)
    {
        var folder = Path.Combine(context.DataRoot, "sts-b-dir");
        var files = new[] { "train_new.tsv", "dev_new.tsv", "test_new.tsv" }
            .Select(name => TabularFile.Read(context.File(Path.Combine("sts-b-dir", name)), "\t", quoting: false)).ToArray();
        var sentences = files.SelectMany(f => f.Strings("sentence1").Concat(f.Strings("sentence2"))).Distinct().ToList();
        var cache = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(context.DataRoot))!, ".dirdsl-cache");
        var vectors = SentenceEmbeddings.Embed(sentences, cache, context.Log);
        var index = sentences.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => vectors[p.i]);
        List<SentencePair> Split(TabularFile file)
        {
            var left = file.Strings("sentence1");
            var right = file.Strings("sentence2");
            var scores = file.Floats("score");
            return Enumerable.Range(0, file.Count).Select(i => new SentencePair(PairFeatures(index[left[i]], index[right[i]]), scores[i])).ToList();
        }
        return new DirSplits<SentencePair>(Split(files[0]), Split(files[1]), Split(files[2]));
    }

    /// <summary>[u, v, |u - v|, u * v], the pair representation of the paper's STS-B model.</summary>
    public static float[] PairFeatures(float[] u, float[] v)
    {
        int d = u.Length;
        var features = new float[4 * d];
        for (int j = 0; j < d; j++)
        {
            features[j] = u[j];
            features[d + j] = v[j];
            features[2 * d + j] = Math.Abs(u[j] - v[j]);
            features[3 * d + j] = u[j] * v[j];
        }
        return features;
    }
}
