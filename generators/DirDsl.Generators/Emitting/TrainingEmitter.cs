using System.Linq;
using DirDsl.Generators.Model;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Emitting;

/// <summary>
/// Emits what the runtime trainer runs: <c>Run</c>, the experiment's <c>Definition</c>, its typed
/// <c>TrainingStep</c>, <c>Predict</c> and the <c>OnTrainEpochEnd</c> hook. The loop itself lives in
/// <c>DirDsl.DirTrainer</c>.
/// </summary>
internal static class TrainingEmitter
{
    public static string Emit(ExperimentModel m) => ExperimentFile.Write(m, w =>
    {
        var record = m.Record.GlobalName;
        var load = m.Data.TakesContext ? $"{m.Data.Name}(context)" : $"{m.Data.Name}()";

        w.Line("/// <summary>");
        w.Line($"/// Runs the experiment: loads the splits from [Data] {m.Data.Name}, fits the feature map on train, trains every");
        w.Line("/// variant (same seed and data), evaluates each per shot group and writes the result files to the output folder.");
        w.Line("/// </summary>");
        w.Line(GeneratedCodeAttribute);
        w.Line("public static global::DirDsl.ExperimentResult Run(global::DirDsl.RunOptions? options = null) =>");
        w.Line("    global::DirDsl.DirTrainer.Run(Definition, options);");
        w.Line();

        w.Line("/// <summary>The experiment as the runtime trainer runs it: its settings, data, feature map, model and training step.</summary>");
        w.Line(GeneratedCodeAttribute);
        w.Line($"public static global::DirDsl.ExperimentDefinition<{record}, Model> Definition {{ get; }} = new()");
        w.Line("{");
        w.Line($"    Name = {Literal(m.ClassName)},");
        w.Line("    Settings = Configuration.Training,");
        w.Line($"    Load = static context => {load},");
        w.Line("    CreateFeatureMap = static () => new FeatureMap(),");
        w.Line("    CreateModel = static context => new Model(context),");
        w.Line("    TrainingStep = TrainingStep,");
        w.Line("    Loss = Configuration.Loss,");
        if (m.Fds is not null) w.Line("    Fds = Configuration.Fds,");
        w.Line("    Configured = Configuration.Configured,");
        w.Line("    Variants = Configuration.Variants,");
        if (m.Search is not null) w.Line("    SearchVariants = Configuration.SearchVariants,");
        w.Line("    ShotGroupsFor = Configuration.ShotGroupsFor,");
        if (m.ShotGroups.IsExplicit) w.Line("    ExplicitShotGroupsFor = Configuration.ExplicitShotGroupsFor,");
        w.Line("    OnTrainEpochEnd = static epochEnd => OnTrainEpochEnd(epochEnd),");
        w.Line("};");
        w.Line();

        // A TrainingStep of the user's own (Lightning's training_step) replaces the generated one.
        if (!m.UserTrainingStep)
        {
            EmitTrainingStep(w, m);
            w.Line();
        }

        w.Line("/// <summary>");
        w.Line("/// Loads a trained variant (default: the configured one, its lowest trained seed) from a run's output folder, with the");
        w.Line("/// feature map fitted in that run, to predict new records: <c>using var model = LoadTrained(); model.Predict(records)</c>.");
        w.Line("/// </summary>");
        w.Line(GeneratedCodeAttribute);
        w.Line($"public static global::DirDsl.TrainedModel<{record}, Model> LoadTrained(string output = global::DirDsl.RunOptions.DefaultOutputFolder, string? variant = null, int? seed = null) =>");
        w.Line("    global::DirDsl.TrainedModel.Load(Definition, output, variant, seed);");
        w.Line();

        EmitRecordReader(w, m);
        w.Line();

        w.Line("/// <summary>");
        w.Line("/// Predicts the records of a file with a trained variant and writes the predictions as CSV (what --predict runs):");
        w.Line("/// the records are read by <see cref=\"ReadRecords\"/>, the model is the one <see cref=\"LoadTrained\"/> loads.");
        w.Line("/// </summary>");
        w.Line(GeneratedCodeAttribute);
        w.Line("public static global::DirDsl.PredictionSummary PredictFile(global::DirDsl.PredictionRequest request) =>");
        w.Line("    global::DirDsl.PredictionFile.Write(request, RecordFromRow, LoadTrained);");
        w.Line();

        w.Line("/// <summary>Predictions for a split in the target's unit (raw features, no calibration, no gradients).</summary>");
        w.Line(GeneratedCodeAttribute);
        w.Line("public static float[] Predict(Model model, global::DirDsl.SplitData data) =>");
        w.Line("    global::DirDsl.DirTrainer.Predict(model, data, Configuration.TargetScale);");
        w.Line();

        w.Line("/// <summary>");
        w.Line("/// Called at the end of every training epoch, after the FDS update and the validation pass. Implement it in");
        w.Line($"/// your part of {m.ClassName} (<c>static partial void OnTrainEpochEnd(global::DirDsl.EpochEnd epochEnd) {{ ... }}</c>)");
        w.Line("/// to log, plot or inspect the model; without an implementation the call is compiled away.");
        w.Line("/// </summary>");
        w.Line("static partial void OnTrainEpochEnd(global::DirDsl.EpochEnd epochEnd);");
    });

    /// <summary>
    /// RecordFromRow (a record from a row of a delimited file, each input member read from the column named like it, the
    /// target not read; for a record type no row can build, a method that says why) and ReadRecords (a file's records).
    /// </summary>
    private static void EmitRecordReader(SourceWriter w, ExperimentModel m)
    {
        var record = m.Record.GlobalName;
        var reader = m.Record.Reader;
        var shown = record.Replace("global::", "");
        w.Line("/// <summary>");
        w.Line(reader.Problem is null
            ? $"/// A {shown} from a row of a delimited file with a header: each input member from the column named like it (ignoring"
            : $"/// Would build a {shown} from a row of a delimited file; this record type cannot be read so ({reader.Problem}).");
        if (reader.Problem is null)
        {
            w.Line("/// case, '_', '-' and spaces; a float[] member from Name_0, Name_1, ...); the target is not read. Errors name the file,");
            w.Line("/// row and column.");
        }
        w.Line("/// </summary>");
        w.Line(GeneratedCodeAttribute);
        w.Line($"public static {record} RecordFromRow(global::DirDsl.CsvRow row) =>");
        if (reader.Problem is not null) w.Line($"    throw global::DirDsl.PredictionFile.Unreadable<{record}>({Literal(reader.Problem)});");
        else
        {
            string Value(ReaderArgument a) => a.Type is null ? "default!" : $"row.Member<{a.Type}>({Literal(a.Member)})";
            var values = string.Join(", ", reader.Arguments.Select(a => reader.Initializer ? $"{a.Name} = {Value(a)}" : $"{a.Name}: {Value(a)}"));
            w.Line(reader.Initializer ? $"    new {record} {{ {values} }};" : $"    new {record}({values});");
        }
        w.Line();
        w.Line("/// <summary>The records of a delimited file, read whole (see <see cref=\"RecordFromRow\"/>); --predict streams them instead.</summary>");
        w.Line(GeneratedCodeAttribute);
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<{record}> ReadRecords(string path, string delimiter = \",\", bool trim = false) =>");
        w.Line("    global::DirDsl.CsvSource.Read(path, RecordFromRow, delimiter, trim: trim);");
    }

    /// <summary>The loss of one batch, specialised to what the experiment configures.</summary>
    private static void EmitTrainingStep(SourceWriter w, ExperimentModel m)
    {
        var loss = m.Loss.CustomType is { } custom ? custom.Replace("global::", "") : m.Loss.Kind switch
        {
            LossKind.Mse => "MSE",
            LossKind.FocalL1 => "Focal-L1",
            LossKind.FocalMse => "Focal-MSE",
            var kind => kind.ToString(),
        };
        w.Line("/// <summary>");
        w.Line(m.Fds is null
            ? "/// The loss of one training batch: the model's prediction, then the " + loss + " loss"
            : "/// The loss of one training batch: the model's training forward (FDS calibrates the features of variants with FDS");
        if (m.Fds is not null) w.Line($"/// from epoch {m.Fds.StartSmooth} on, with the statistics of the epoch before), then the {loss} loss");
        w.Line("/// weighted per target element by the variant's weights (LDS, re-weighting or DenseWeight; none for Vanilla)"
            + (!m.UsesBalancedMseLoss ? "." : ", or the"));
        if (m.UsesBalancedMseLoss) w.Line("/// Balanced MSE of its rows, whose noise scale trains with the model.");
        w.Line("/// </summary>");
        w.Line(GeneratedCodeAttribute);
        w.Open("public static global::TorchSharp.torch.Tensor TrainingStep(Model model, global::DirDsl.TrainingBatch batch)");
        w.Line("var predictions = model.forward(batch.Inputs, batch.Bins, batch.Epoch);");
        if (m.UsesBalancedMseLoss)
        {
            w.Open("if (model.BalancedMse is { } balancedMse)");
            w.Line("return balancedMse.call(predictions, batch.Targets);");
            w.Close();
        }
        // The mask is null unless target elements are missing (an array target's NaN): then the mean is over those present.
        w.Line("return global::DirDsl.WeightedLoss.Compute(predictions, batch.Targets, Configuration.Loss, batch.Weights, batch.Mask);");
        w.Close();
    }
}
