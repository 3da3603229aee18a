using System.Globalization;

namespace DirDsl;

/// <summary>
/// Per-epoch metrics of a training as files (Lightning's CSVLogger and TensorBoardLogger): <c>metrics.csv</c> in the
/// training's folder (<c>&lt;variant&gt;/seed-N/</c>), rewritten atomically after every epoch with the whole history so far
/// (after --resume too: the restored epochs are in it), and with <see cref="RunOptions.TensorBoard"/> TensorBoard event
/// files in its <c>tensorboard/</c> folder (the epochs this process trains; a resumed process adds a file of its own).
/// Epochs count from 1, as in the log, the figures and results.json.
/// </summary>
internal sealed class MetricsLogging(string folder, IReadOnlyList<EpochRecord> history, bool tensorBoard) : ITrainingCallback
{
    /// <summary>The file name in a training's folder.</summary>
    public const string FileName = "metrics.csv";

    /// <summary>The folder of the TensorBoard event files in a training's folder.</summary>
    public const string TensorBoardFolder = "tensorboard";

    private TorchSharp.Modules.SummaryWriter? writer;

    public void OnTrainingStart(TrainingStart start)
    {
        if (tensorBoard) writer = TorchSharp.torch.utils.tensorboard.SummaryWriter(Path.Combine(folder, TensorBoardFolder));
    }

    public void OnEpochEnd(EpochEnd epochEnd, TrainingControl control)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), Csv(history));
        if (writer is null) return;
        var record = epochEnd.Record;
        int step = record.Epoch + ResultsFile.EpochBase;
        foreach (var (tag, value) in Scalars(record))
            if (double.IsFinite(value)) writer.add_scalar(tag, (float)value, step);
    }

    /// <summary>The TensorBoard tags of an epoch and their values (FDS's only for a variant with FDS).</summary>
    internal static IEnumerable<(string Tag, double Value)> Scalars(EpochRecord record)
    {
        yield return ("train/loss", record.TrainLoss);
        yield return ("validation/mse", record.ValidationMse);
        yield return ("validation/mae", record.ValidationMae);
        yield return ("learning_rate", record.LearningRate);
        yield return ("epoch_seconds", record.Seconds);
        if (record.Fds is not { } fds) yield break;
        yield return ("fds/mean_distance", fds.MeanDistance);
        yield return ("fds/variance_distance", fds.VarianceDistance);
        yield return ("fds/calibrated_share", fds.CalibratedShare);
        yield return ("fds/shift", fds.Shift);
    }

    /// <summary>The history as CSV: one row per epoch (from 1); FDS's columns when the variant has FDS; undefined values empty.</summary>
    internal static string Csv(IReadOnlyList<EpochRecord> history)
    {
        bool fds = history.Any(h => h.Fds is not null);
        return CsvTable.Write(Header(fds), history.Select(h => Row(h, fds)));
    }

    /// <summary>The columns of a metrics table.</summary>
    internal static List<string> Header(bool fds)
    {
        var header = new List<string> { "epoch", "train_loss", "validation_mse", "validation_mae", "learning_rate", "seconds" };
        if (fds) header.AddRange(new[] { "fds_mean_distance", "fds_variance_distance", "fds_calibrated_share", "fds_shift", "fds_shift_many", "fds_shift_medium", "fds_shift_few" });
        return header;
    }

    /// <summary>One epoch's row of a metrics table.</summary>
    internal static List<string> Row(EpochRecord h, bool fds)
    {
        static string Number(double value) => double.IsFinite(value) ? CsvTable.Number(value) : "";
        var row = new List<string> { (h.Epoch + ResultsFile.EpochBase).ToString(CultureInfo.InvariantCulture), Number(h.TrainLoss), Number(h.ValidationMse),
            Number(h.ValidationMae), Number(h.LearningRate), Number(h.Seconds) };
        if (fds)
            row.AddRange(h.Fds is { } f
                ? new[] { f.MeanDistance, f.VarianceDistance, f.CalibratedShare, f.Shift, f.ShiftMany, f.ShiftMedium, f.ShiftFew }.Select(Number)
                : Enumerable.Repeat("", 7));
        return row;
    }

    /// <summary>Every training's history of a run in one table (metrics.csv beside results.json): variant, seed, then the epoch's columns.</summary>
    internal static string RunCsv(ExperimentResult result)
    {
        bool fds = result.Variants.Any(v => v.History.Any(h => h.Fds is not null));
        var header = new List<string> { "variant", "seed" };
        header.AddRange(Header(fds));
        return CsvTable.Write(header, result.Variants.SelectMany(v => v.History.Select(h =>
            new[] { v.Variant, v.Seed.ToString(CultureInfo.InvariantCulture) }.Concat(Row(h, fds)))));
    }
}
