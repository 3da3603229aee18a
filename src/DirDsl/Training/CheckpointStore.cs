using System.Security.Cryptography;
using System.Text.Json;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>One epoch of training history.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationMse, double ValidationMae, double LearningRate, double Seconds)
{
    /// <summary>FDS's statistics after this epoch's update (distances, calibration shift per shot group), or null without FDS.</summary>
    public FdsEpoch? Fds { get; init; }
}

/// <summary>Where a variant's training stands: what a checkpoint restores besides the weights.</summary>
public sealed class TrainingState
{
    /// <summary>The next epoch to train (0 for a fresh run).</summary>
    public int NextEpoch { get; set; }
    /// <summary>Best validation score so far (lower is better).</summary>
    public double BestScore { get; set; } = double.PositiveInfinity;
    /// <summary>The epoch of the best score, or -1.</summary>
    public int BestEpoch { get; set; } = -1;
    /// <summary>Whether a callback (early stopping, or the user's) ended the run.</summary>
    public bool Stopped { get; set; }
    /// <summary>Every epoch trained.</summary>
    public List<EpochRecord> History { get; set; } = new();
    /// <summary>What the run that wrote this state trained (see <see cref="RunFingerprint"/>); null in older checkpoints.</summary>
    public SortedDictionary<string, string>? Fingerprint { get; set; }
}

/// <summary>A checkpoint that cannot be read: truncated, corrupted or from another model.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the error.</summary>
    public CheckpointException(string path, string problem, Exception? inner = null)
        : base($"Checkpoint {path}: {problem}", inner) => Path = path;

    /// <summary>The file.</summary>
    public string Path { get; }
}

/// <summary>
/// A variant's checkpoints: <c>last.ckpt</c> (weights, FDS buffers, optimiser state, training state)
/// for resume, its predecessor <c>last.prev.ckpt</c>, and <c>best.ckpt</c> (weights at the best
/// validation score). Files are written atomically and end with a SHA-256 of their content, so a
/// truncated or corrupted file is detected and the previous good one is used.
/// </summary>
public sealed class CheckpointStore
{
    private static readonly byte[] Magic = "DIRCKPT1"u8.ToArray();
    private static readonly JsonSerializerOptions StateJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private byte[]? pendingBest;
    private readonly System.Diagnostics.Stopwatch sinceLastSave = System.Diagnostics.Stopwatch.StartNew();

    // Whether last.ckpt is known to verify (null: not checked yet). A damaged last.ckpt is never rotated over a good
    // last.prev.ckpt: the backup is what a later resume falls back to.
    private bool? lastIsGood;

    /// <summary>Checkpoints in <paramref name="folder"/>; temp files that killed processes left there are deleted.</summary>
    public CheckpointStore(string folder)
    {
        Folder = folder;
        AtomicFile.DeleteOrphanedTemps(folder);
    }

    /// <summary>The folder.</summary>
    public string Folder { get; }
    /// <summary>The resume checkpoint.</summary>
    public string LastPath => Path.Combine(Folder, "last.ckpt");
    /// <summary>The previous resume checkpoint.</summary>
    public string PreviousPath => Path.Combine(Folder, "last.prev.ckpt");
    /// <summary>The best-by-validation weights.</summary>
    public string BestPath => Path.Combine(Folder, "best.ckpt");

    /// <summary>Deletes this training's checkpoints (a retraining from the start follows).</summary>
    public void Discard()
    {
        foreach (var path in new[] { LastPath, PreviousPath, BestPath })
            if (File.Exists(path)) File.Delete(path);
        lastIsGood = false;
    }

    /// <summary>Saves the resume checkpoint, keeping the previous one as a fallback.</summary>
    public void SaveLast(nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer, TrainingState state)
    {
        var bytes = Encode(model, optimizer, state);
        // Rotate by rename (no copy). Killed between the two steps, only last.ckpt is missing and
        // TryResume uses last.prev.ckpt. A last.ckpt that fails its checksum is dropped instead, so the
        // good backup survives until the new last.ckpt is complete.
        if (File.Exists(LastPath))
        {
            lastIsGood ??= Verifies(LastPath);
            if (lastIsGood == true) File.Move(LastPath, PreviousPath, overwrite: true);
            else File.Delete(LastPath);
        }
        AtomicFile.WriteAllBytes(LastPath, bytes);
        lastIsGood = true;
    }

    /// <summary>Saves the best weights.</summary>
    public void SaveBest(nn.Module model, TrainingState state) => AtomicFile.WriteAllBytes(BestPath, Encode(model, null, state));

    /// <summary>
    /// Keeps the current weights in memory as the best so far (about a millisecond for a small model);
    /// they reach best.ckpt with the next due checkpoint.
    /// </summary>
    public void RecordBest(nn.Module model, TrainingState state) => pendingBest = Encode(model, null, state);

    /// <summary>
    /// Writes the pending best weights, then the resume checkpoint, when <paramref name="interval"/> has
    /// passed since the last save or <paramref name="final"/> is set; returns whether it wrote. Best is
    /// written first, so a crash between the two never pairs a newer resume state with older best weights.
    /// A resumed run may repeat the epochs since the last save; runs are deterministic, so it ends the same.
    /// </summary>
    public bool SaveIfDue(nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer, TrainingState state, TimeSpan interval, bool final)
    {
        if (!final && sinceLastSave.Elapsed < interval) return false;
        string writing = BestPath;
        try
        {
            if (pendingBest is not null) AtomicFile.WriteAllBytes(BestPath, pendingBest);
            writing = LastPath;
            SaveLast(model, optimizer, state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a lost permission: the files written before are whole (writes go through a temp file and a rename).
            throw new IOException($"Cannot write the checkpoint {writing}: {e.Message} The checkpoints written before it are intact: "
                + "make room (or fix the folder) and run again with --resume to continue.", e);
        }
        sinceLastSave.Restart();
        return true;
    }

    /// <summary>
    /// Loads the weights of a checkpoint into <paramref name="model"/> except the entries whose keys start
    /// with <paramref name="skipPrefix"/> (RRT keeps a freshly initialised regressor this way).
    /// </summary>
    public static void LoadWeightsExcept(string path, nn.Module model, string skipPrefix)
    {
        var skip = model.state_dict().Keys.Where(k => k.StartsWith(skipPrefix, StringComparison.Ordinal)).ToList();
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : throw new CheckpointException(path, "does not exist.");
        DecodeInto(path, bytes, reader => model.load(reader, strict: true, skip: skip));
    }

    /// <summary>
    /// Loads a checkpoint's weights for inference into a model that may lack parts only training uses (Balanced MSE's noise
    /// scale); every parameter and buffer of <paramref name="model"/> must be in the checkpoint.
    /// </summary>
    /// <exception cref="CheckpointException">The file is missing, damaged or of another model.</exception>
    public static void LoadForInference(string path, nn.Module model)
    {
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : throw new CheckpointException(path, "does not exist.");
        var loaded = new Dictionary<string, bool>();
        try
        {
            DecodeInto(path, bytes, reader => model.load(reader, strict: false, loadedParameters: loaded));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            throw new CheckpointException(path, "does not fit this model: " + e.Message, e);
        }
        var missing = model.state_dict().Keys.Where(key => !loaded.GetValueOrDefault(key)).ToList();
        if (missing.Count > 0)
            throw new CheckpointException(path, $"does not hold {string.Join(", ", missing.Take(5))} of this model: it was written by another model.");
    }

    /// <summary>Restores the best weights into <paramref name="model"/> (from memory when they are pending).</summary>
    public void LoadBest(nn.Module model)
    {
        if (pendingBest is null)
        {
            Decode(BestPath, model, null);
            return;
        }
        Decode(BestPath, pendingBest, model, null);
    }

    /// <summary>
    /// Restores the last good checkpoint (falling back to the previous one when the last is damaged,
    /// with a note in <paramref name="log"/>), or returns null when there is none.
    /// </summary>
    /// <exception cref="CheckpointException">Checkpoints exist but none can be read.</exception>
    public TrainingState? TryResume(nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer, TextWriter log)
    {
        CheckpointException? failure = null;
        foreach (var path in new[] { LastPath, PreviousPath })
        {
            if (!File.Exists(path)) continue;
            try
            {
                var state = Decode(path, model, optimizer);
                if (path == LastPath) lastIsGood = true;
                return state;
            }
            catch (CheckpointException e)
            {
                log.WriteLine($"warning: {e.Message}; trying the previous checkpoint.");
                if (path == LastPath) lastIsGood = false;
                failure = e;
            }
        }
        if (failure is not null) throw failure;
        return null;
    }

    /// <summary>Whether a checkpoint file is complete and unchanged (its trailing SHA-256 matches).</summary>
    private static bool Verifies(string path) => ReadVerified(path) is not null;

    /// <summary>A checkpoint's bytes when it is complete and unchanged, else null.</summary>
    private static byte[]? ReadVerified(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            return Problem(bytes) is null ? bytes : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>What is wrong with a checkpoint's bytes (its header or its trailing SHA-256), or null when they verify.</summary>
    private static string? Problem(byte[] bytes)
    {
        if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return "not a DirDsl checkpoint, or truncated.";
        return SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32))
            ? null
            : "its checksum does not match (truncated or corrupted).";
    }

    /// <summary>The sections of a checkpoint: the training state (JSON), the model's weights, the optimiser's state (empty when none).</summary>
    private sealed record Sections(byte[] State, byte[] Model, byte[] Optimizer);

    /// <summary>Verifies a checkpoint and splits it into its sections (the one parser of the format).</summary>
    /// <exception cref="CheckpointException">The bytes do not verify, or their sections do not parse.</exception>
    private static Sections Read(string path, byte[] bytes)
    {
        if (Problem(bytes) is { } problem) throw new CheckpointException(path, problem);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - 32));
            reader.ReadBytes(Magic.Length);
            var state = reader.ReadBytes(reader.ReadInt32());
            var model = reader.ReadBytes((int)reader.ReadInt64());
            long optimizerLength = reader.ReadInt64();
            return new Sections(state, model, optimizerLength > 0 ? reader.ReadBytes((int)optimizerLength) : Array.Empty<byte>());
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            throw new CheckpointException(path, "its sections do not parse: " + e.Message, e);
        }
    }

    /// <summary>
    /// The training state of the resume checkpoint (the previous one when the last is damaged) without loading any
    /// weights, or null when there is none; for checking a fingerprint before resuming.
    /// </summary>
    public TrainingState? PeekState()
    {
        foreach (var path in new[] { LastPath, PreviousPath })
        {
            if (!File.Exists(path) || ReadVerified(path) is not { } bytes) continue;
            return JsonSerializer.Deserialize<TrainingState>(Read(path, bytes).State, StateJson);
        }
        return null;
    }

    private static byte[] Encode(nn.Module model, TorchSharp.Modules.OptimizerHelper? optimizer, TrainingState state)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            var json = JsonSerializer.SerializeToUtf8Bytes(state, StateJson);
            writer.Write(json.Length);
            writer.Write(json);
            WriteSection(writer, w => model.save(w));
            if (optimizer is null) writer.Write(0L);
            else WriteSection(writer, w => optimizer.save_state_dict(w));
        }
        // Append the SHA-256 of everything before it.
        var hash = SHA256.HashData(stream.GetBuffer().AsSpan(0, (int)stream.Length));
        stream.Write(hash);
        return stream.ToArray();
    }

    /// <summary>A length-prefixed section: its byte count is patched in after the body is written.</summary>
    private static void WriteSection(BinaryWriter writer, Action<BinaryWriter> write)
    {
        writer.Flush();
        var stream = writer.BaseStream;
        long lengthAt = stream.Position;
        writer.Write(0L);
        write(writer);
        writer.Flush();
        long end = stream.Position;
        stream.Position = lengthAt;
        writer.Write(end - lengthAt - sizeof(long));
        writer.Flush();
        stream.Position = end;
    }

    private static TrainingState Decode(string path, nn.Module model, TorchSharp.Modules.OptimizerHelper? optimizer)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new CheckpointException(path, "cannot be read: " + e.Message, e);
        }
        return Decode(path, bytes, model, optimizer);
    }

    /// <summary>Verifies a checkpoint and hands its model section to <paramref name="loadModel"/>.</summary>
    private static void DecodeInto(string path, byte[] bytes, Action<BinaryReader> loadModel)
    {
        using var modelReader = new BinaryReader(new MemoryStream(Read(path, bytes).Model));
        loadModel(modelReader);
    }

    private static TrainingState Decode(string path, byte[] bytes, nn.Module model, TorchSharp.Modules.OptimizerHelper? optimizer)
    {
        var sections = Read(path, bytes);
        try
        {
            var state = JsonSerializer.Deserialize<TrainingState>(sections.State, StateJson)
                ?? throw new CheckpointException(path, "has no training state.");
            using (var modelReader = new BinaryReader(new MemoryStream(sections.Model))) model.load(modelReader);
            if (optimizer is not null && sections.Optimizer.Length > 0)
            {
                using var optimizerReader = new BinaryReader(new MemoryStream(sections.Optimizer));
                optimizer.load_state_dict(optimizerReader);
            }
            return state;
        }
        // InvalidDataException: e.g. an optimiser state of another type (a checkpoint written before DirDsl's own optimisers).
        catch (Exception e) when (e is not CheckpointException and (ArgumentException or InvalidOperationException or IOException or InvalidDataException or JsonException or FormatException))
        {
            throw new CheckpointException(path, "does not fit this model: " + e.Message, e);
        }
    }
}
