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
    private static readonly JsonSerializerOptions StateJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    // The best weights recorded since the last due save wait in best.next.ckpt (never read by a resume: a killed run
    // repeats the epochs since its last save and records its best again).
    private bool pendingBest;
    private readonly System.Diagnostics.Stopwatch sinceLastSave = System.Diagnostics.Stopwatch.StartNew();

    // Whether last.ckpt is known to verify (null: not checked yet). A damaged last.ckpt is never rotated over a good
    // last.prev.ckpt: the backup is what a later resume falls back to.
    private bool? lastIsGood;

    /// <summary>Checkpoints in <paramref name="folder"/>; temp files that killed processes left there are deleted.</summary>
    public CheckpointStore(string folder)
    {
        Folder = folder;
        AtomicFile.DeleteOrphanedTemps(folder);
        if (File.Exists(PendingBestPath)) File.Delete(PendingBestPath);
    }

    /// <summary>The folder.</summary>
    public string Folder { get; }
    /// <summary>The resume checkpoint.</summary>
    public string LastPath => Path.Combine(Folder, "last.ckpt");
    /// <summary>The previous resume checkpoint.</summary>
    public string PreviousPath => Path.Combine(Folder, "last.prev.ckpt");
    /// <summary>The best-by-validation weights.</summary>
    public string BestPath => Path.Combine(Folder, "best.ckpt");

    /// <summary>The best weights recorded since the last due save (see <see cref="RecordBest"/>).</summary>
    private string PendingBestPath => Path.Combine(Folder, "best.next.ckpt");

    /// <summary>Deletes this training's checkpoints (a retraining from the start follows).</summary>
    public void Discard()
    {
        pendingBest = false;
        foreach (var path in new[] { LastPath, PreviousPath, BestPath, PendingBestPath })
            if (File.Exists(path)) File.Delete(path);
        lastIsGood = false;
    }

    /// <summary>Saves the resume checkpoint, keeping the previous one as a fallback.</summary>
    public void SaveLast(nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer, TrainingState state)
    {
        // Rotate by rename (no copy). Killed between the two steps, only last.ckpt is missing and
        // TryResume uses last.prev.ckpt. A last.ckpt that fails its checksum is dropped instead, so the
        // good backup survives until the new last.ckpt is complete.
        if (File.Exists(LastPath))
        {
            lastIsGood ??= Verifies(LastPath);
            if (lastIsGood == true) File.Move(LastPath, PreviousPath, overwrite: true);
            else File.Delete(LastPath);
        }
        AtomicFile.Write(LastPath, stream => Encode(stream, model, optimizer, state));
        lastIsGood = true;
    }

    /// <summary>Saves the best weights.</summary>
    public void SaveBest(nn.Module model, TrainingState state) => AtomicFile.Write(BestPath, stream => Encode(stream, model, null, state));

    /// <summary>
    /// Records the current weights as the best so far, streamed to best.next.ckpt (a model of any size, never held in
    /// memory); they become best.ckpt with the next due checkpoint.
    /// </summary>
    public void RecordBest(nn.Module model, TrainingState state)
    {
        try
        {
            AtomicFile.Write(PendingBestPath, stream => Encode(stream, model, null, state));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WriteFailure(PendingBestPath, e);
        }
        pendingBest = true;
    }

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
            if (pendingBest)
            {
                File.Move(PendingBestPath, BestPath, overwrite: true);
                pendingBest = false;
            }
            writing = LastPath;
            SaveLast(model, optimizer, state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WriteFailure(writing, e);
        }
        sinceLastSave.Restart();
        return true;
    }

    /// <summary>A full disk or a lost permission: the files written before are whole (writes go through a temp file and a rename).</summary>
    private static IOException WriteFailure(string path, Exception e) =>
        new($"Cannot write the checkpoint {path}: {e.Message} The checkpoints written before it are intact: "
            + "make room (or fix the folder) and run again with --resume to continue.", e);

    /// <summary>
    /// Loads the weights of a checkpoint into <paramref name="model"/> except the entries whose keys start
    /// with <paramref name="skipPrefix"/> (RRT keeps a freshly initialised regressor this way).
    /// </summary>
    public static void LoadWeightsExcept(string path, nn.Module model, string skipPrefix)
    {
        var skip = model.state_dict().Keys.Where(k => k.StartsWith(skipPrefix, StringComparison.Ordinal)).ToList();
        DecodeInto(path, reader => model.load(reader, strict: true, skip: skip));
    }

    /// <summary>
    /// Loads a checkpoint's weights for inference into a model that may lack parts only training uses (Balanced MSE's noise
    /// scale); every parameter and buffer of <paramref name="model"/> must be in the checkpoint.
    /// </summary>
    /// <exception cref="CheckpointException">The file is missing, damaged or of another model.</exception>
    public static void LoadForInference(string path, nn.Module model)
    {
        var loaded = new Dictionary<string, bool>();
        try
        {
            DecodeInto(path, reader => model.load(reader, strict: false, loadedParameters: loaded));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            throw new CheckpointException(path, "does not fit this model: " + e.Message, e);
        }
        var missing = model.state_dict().Keys.Where(key => !loaded.GetValueOrDefault(key)).ToList();
        if (missing.Count > 0)
            throw new CheckpointException(path, $"does not hold {string.Join(", ", missing.Take(5))} of this model: it was written by another model.");
    }

    /// <summary>Restores the best weights into <paramref name="model"/> (the pending ones when recorded since the last save).</summary>
    public void LoadBest(nn.Module model) => Decode(pendingBest ? PendingBestPath : BestPath, model, null);

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
    private static bool Verifies(string path)
    {
        try
        {
            using var stream = OpenRead(path);
            return CheckpointFormat.Read(stream).Problem is null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static FileStream OpenRead(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);

    /// <summary>
    /// Opens a checkpoint, verifies it and hands its sections (the training state as JSON, the model's weights, the
    /// optimiser's state, empty when none) to <paramref name="use"/>, streamed from the file.
    /// </summary>
    /// <exception cref="CheckpointException">The file is missing or unreadable, or does not verify or parse.</exception>
    private static T ReadSections<T>(string path, Func<Stream, IReadOnlyList<CheckpointFormat.Section>, T> use)
    {
        FileStream stream;
        try
        {
            stream = OpenRead(path);
        }
        catch (FileNotFoundException)
        {
            throw new CheckpointException(path, "does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, "cannot be read: " + e.Message, e);
        }
        using (stream)
        {
            IReadOnlyList<CheckpointFormat.Section>? sections;
            string? problem;
            try
            {
                (sections, problem) = CheckpointFormat.Read(stream);
            }
            catch (IOException e)
            {
                throw new CheckpointException(path, "cannot be read: " + e.Message, e);
            }
            if (sections is null) throw new CheckpointException(path, problem!);
            if (sections.Count != 3) throw new CheckpointException(path, $"its sections do not parse: {sections.Count} sections, not 3.");
            return use(stream, sections);
        }
    }

    private static TrainingState? DeserializeState(Stream file, CheckpointFormat.Section section)
    {
        using var json = CheckpointFormat.Open(file, section);
        return JsonSerializer.Deserialize<TrainingState>(json, StateJson);
    }

    /// <summary>
    /// The training state of the resume checkpoint (the previous one when the last is damaged) without loading any
    /// weights, or null when there is none; for checking a fingerprint before resuming.
    /// </summary>
    public TrainingState? PeekState()
    {
        foreach (var path in new[] { LastPath, PreviousPath })
        {
            if (!File.Exists(path)) continue;
            try
            {
                // ReadSections verifies the file in the same pass that reads its state: no separate check first.
                return ReadSections(path, (file, sections) => DeserializeState(file, sections[0]));
            }
            catch (CheckpointException)
            {
                // Damaged or unreadable: the previous checkpoint, as a resume would.
            }
        }
        return null;
    }

    /// <summary>Streams a checkpoint into <paramref name="output"/>: state, weights, optimiser state (empty when none).</summary>
    private static void Encode(Stream output, nn.Module model, TorchSharp.Modules.OptimizerHelper? optimizer, TrainingState state)
    {
        CheckpointFormat.Write(output, new Action<Stream>[]
        {
            section => JsonSerializer.Serialize(section, state, StateJson),
            section => WithWriter(section, w => model.save(w)),
            section =>
            {
                if (optimizer is not null) WithWriter(section, w => optimizer.save_state_dict(w));
            },
        });
    }

    private static void WithWriter(Stream section, Action<BinaryWriter> write)
    {
        using var writer = new BinaryWriter(section, System.Text.Encoding.UTF8, leaveOpen: true);
        write(writer);
        writer.Flush();
    }

    /// <summary>Verifies a checkpoint and hands its model section to <paramref name="loadModel"/>.</summary>
    private static void DecodeInto(string path, Action<BinaryReader> loadModel) =>
        ReadSections(path, (file, sections) =>
        {
            using var reader = new BinaryReader(CheckpointFormat.Open(file, sections[1]));
            loadModel(reader);
            return true;
        });

    private static TrainingState Decode(string path, nn.Module model, TorchSharp.Modules.OptimizerHelper? optimizer) =>
        ReadSections(path, (file, sections) =>
        {
            try
            {
                var state = DeserializeState(file, sections[0]) ?? throw new CheckpointException(path, "has no training state.");
                using (var modelReader = new BinaryReader(CheckpointFormat.Open(file, sections[1]))) model.load(modelReader);
                if (optimizer is not null && sections[2].Length > 0)
                {
                    using var optimizerReader = new BinaryReader(CheckpointFormat.Open(file, sections[2]));
                    optimizer.load_state_dict(optimizerReader);
                }
                return state;
            }
            // InvalidDataException: e.g. an optimiser state of another type (a checkpoint written before DirDsl's own optimisers).
            catch (Exception e) when (e is not CheckpointException and (ArgumentException or InvalidOperationException or IOException or InvalidDataException or JsonException or FormatException))
            {
                throw new CheckpointException(path, "does not fit this model: " + e.Message, e);
            }
        });
}
