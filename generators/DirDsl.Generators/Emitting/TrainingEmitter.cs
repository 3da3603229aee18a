using DirDsl.Generators.Model;
using static DirDsl.Generators.Emitting.SourceWriter;

namespace DirDsl.Generators.Emitting;

/// <summary>Emits the data preparation, the training loop per variant, prediction and <c>Run</c>.</summary>
internal static class TrainingEmitter
{
    public static string Emit(ExperimentModel m) => ExperimentFile.Write(m, w =>
    {
        var record = m.Record.GlobalName;
        var load = m.Data.TakesContext ? $"{m.Data.Name}(context)" : $"{m.Data.Name}()";
        // Balanced MSE exists only where declared: its loss module is built per variant and owned by the model.
        // Continuation lines are indented relative to the snippet written by w.Lines (4 spaces at these spots).
        const string stageIndent = "    ";
        // SMOTER / SMOGN and search points with their own bins train on records of their own ("fit");
        // without [Smoter], [Smogn] or [Search] the split itself is all there is.
        bool ownRecords = m.Smoter is not null || m.Smogn is not null || m.Search is not null;
        var fit = ownRecords ? "fit" : "train";
        var searchModel = m.Search is not null && m.Fds is not null ? ", point: variant.Point, binCount: variant.BinsOr(Configuration.Bins).Count" : "";
        var modelCreation = m.BalancedMse is null
            ? $"using var model = new Model(inputDim, variant.Fds{searchModel});"
            : $"using var model = new Model(inputDim, variant.Fds, variant.BalancedMse?.Create({fit}.Targets, Configuration.Bins, Configuration.TargetScale){searchModel});";
        var fitLines = ownRecords
            ? "// The records this variant trains on: resampled (SMOTER / SMOGN) or re-binned (a search point's bins), else the split.\n" + stageIndent + "using var ownRecords = global::DirDsl.DirDataset.ForVariant(train, variant, Configuration.Bins, Configuration.TargetScale, seed, options.Log);\n" + stageIndent + "var fit = ownRecords ?? train;"
            : "// Every variant of this experiment trains on the training split as it is.";
        var searchOf = m.Search is null ? "" : "\n" + stageIndent + "{\n" + stageIndent + "    SearchOf = variant.Point?.Of,\n" + stageIndent + "}";
        var variantLists = m.Search is null ? "Configuration.Variants" : "Configuration.Variants, Configuration.SearchVariants";
        var lossLine = m.BalancedMse is null
            ? "var loss = global::DirDsl.WeightedLoss.Compute(predictions, targets, Configuration.Loss, weighted ? weights.index_select(0, index) : null);"
            : "var loss = model.BalancedMse is { } balanced ? balanced.call(predictions, targets) : global::DirDsl.WeightedLoss.Compute(predictions, targets, Configuration.Loss, weighted ? weights.index_select(0, index) : null);";
        // RRT exists only where declared: a first stage trained as its own variant, then a frozen encoder.
        var rrtStage = m.Rrt is null
            ? ""
            : "if (variant.RrtEpochs > 0)\n" + stageIndent + "{\n" + stageIndent
              + "    // RRT stage 1: the same model trained without re-weighting, as its own variant; stage 2 keeps its\n" + stageIndent
              + "    // encoder, frozen, and retrains this freshly initialised regressor with the variant's weights.\n" + stageIndent
              + "    var stageOneFolder = global::System.IO.Path.Combine(folder, variant.Slug);\n" + stageIndent
              + "    TrainVariant(variant.RrtStageOne, inputDim, train, validation, test, groups, explicitGroups, stageOneFolder, options, device, seed, epochs);\n" + stageIndent
              + "    global::DirDsl.CheckpointStore.LoadWeightsExcept(global::System.IO.Path.Combine(stageOneFolder, variant.RrtStageOne.Slug, $\"seed-{seed}\", \"best.ckpt\"), model, \"regressor.\");\n" + stageIndent
              + "    model.FreezeEncoder();\n" + stageIndent
              + "    epochs = variant.RrtEpochs;\n" + stageIndent + "}";
        var trainable = m.Rrt is null
            ? "model.parameters()"
            : "global::System.Linq.Enumerable.Where(model.parameters(), parameter => parameter.requires_grad)";
        var learningRateLine = m.Rrt is null
            ? "double learningRate = Configuration.LearningRateAt(epoch, epochs);"
            : "double learningRate = variant.RrtEpochs > 0 ? variant.RrtLearningRate : Configuration.LearningRateAt(epoch, epochs);";
        var noiseSigma = m.BalancedMse is null ? "" : ", model.BalancedMse?.NoiseSigma";
        // Branches for settings that are off are not emitted at all (no constant-false code).
        var clip = m.Training.GradientClipNorm > 0
            ? "global::TorchSharp.torch.nn.utils.clip_grad_norm_(model.parameters(), Configuration.GradientClipNorm);"
            : "// Gradient clipping is off (GradientClipNorm = 0).";
        // Relative to the snippet written by w.Lines: the statement sits 8 spaces in.
        const string indent = "        ";
        var patience = m.Training.Patience > 0
            ? "else if (++state.EpochsWithoutImprovement >= Configuration.Patience)\n" + indent + "{\n" + indent
              + "    // Early stopping: no better validation score for Patience epochs.\n" + indent + "    state.Stopped = true;\n" + indent + "}"
            : "// Early stopping is off (Patience = 0): every epoch is trained and the best one kept.";
        w.Lines($$"""
            /// <summary>
            /// Runs the experiment: loads the splits from [Data] {{m.Data.Name}}, fits the feature map on train,
            /// trains every variant (same seed and data), evaluates each per shot group and writes
            /// results.json, results.md and predictions.csv to the output folder.
            /// </summary>
            {{GeneratedCodeAttribute}}
            public static global::DirDsl.ExperimentResult Run(global::DirDsl.RunOptions? options = null)
            {
                options ??= new global::DirDsl.RunOptions();
                global::DirDsl.Native.TorchNative.EnsureRegistered();
                var device = options.ResolveDevice();
                int seed = options.Seed ?? Configuration.Seed;
                int epochs = options.Epochs ?? Configuration.Epochs;
                var variants = options.Select({{variantLists}});

                var context = new global::DirDsl.DataContext(options.DataRoot, seed, options.Log);
                var map = new FeatureMap();
                // --holdout: target ranges leave training and validation and stay in test (zero-shot bins).
                var splits = global::DirDsl.TargetHoldout.Apply({{load}}, map.Target, options.Holdouts, options.Log);
                map.Fit(splits.Train);
                using var train = global::DirDsl.DirDataset.Build(map, splits.Train, "train", Configuration.Bins, Configuration.TargetScale, device);
                using var validation = global::DirDsl.DirDataset.Build(map, splits.Validation, "validation", Configuration.Bins, Configuration.TargetScale, device);
                using var test = global::DirDsl.DirDataset.Build(map, splits.Test, "test", Configuration.Bins, Configuration.TargetScale, device);

                var trainCounts = Configuration.Bins.Counts(train.Targets);
                var groups = Configuration.ShotGroupsFor(trainCounts);
                var explicitGroups = Configuration.ExplicitShotGroupsFor(trainCounts);
                var folder = global::System.IO.Path.Combine(options.OutputFolder, "{{m.ClassName}}");
                options.Log.WriteLine($"{{m.ClassName}}: {train.Count} train / {validation.Count} validation / {test.Count} test records, input width {map.Width}, {Configuration.Bins}, device {device}");

                var results = new global::System.Collections.Generic.List<global::DirDsl.VariantResult>();
                foreach (var runSeed in global::DirDsl.TrainingKit.Seeds(seed, options.Seeds ?? Configuration.Seeds))
                {
                    foreach (var variant in variants)
                    {
                        results.Add(TrainVariant(variant, map.Width, train, validation, test, groups, explicitGroups, folder, options, device, runSeed, epochs));
                    }
                }
                var result = new global::DirDsl.ExperimentResult("{{m.ClassName}}", seed, epochs, Configuration.Bins, trainCounts, test.Targets, results, Configuration.Configured)
                {
                    SelectByMse = Configuration.SelectByMse,
                };
                global::DirDsl.ResultWriter.Write(result, folder, options.Log);
                return result;
            }

            /// <summary>
            /// Trains one variant with the generated loop: shuffled mini-batches drawn from (seed, epoch),
            /// the variant's LDS weights in the loss, FDS statistics updated at each epoch end, the best
            /// epoch by validation kept, and a resumable checkpoint after every epoch.
            /// </summary>
            {{GeneratedCodeAttribute}}
            public static global::DirDsl.VariantResult TrainVariant(global::DirDsl.DirVariant variant, int inputDim,
                global::DirDsl.DirDataset train, global::DirDsl.DirDataset validation, global::DirDsl.DirDataset test,
                global::DirDsl.ShotGroups groups, global::DirDsl.ShotGroups? explicitGroups, string folder,
                global::DirDsl.RunOptions options, global::TorchSharp.torch.Device device, int seed, int epochs)
            {
                // Initial weights depend on the seed alone, so every variant starts from the same draw.
                {{fitLines}}
                global::DirDsl.TrainingKit.SeedEpoch(seed, -1);
                {{modelCreation}}
                global::TorchSharp.ModuleExtensionMethods.to(model, device);
                {{rrtStage}}
                using var optimizer = global::DirDsl.TrainingKit.CreateOptimizer({{ExperimentFile.Enum(m.Training.Optimizer)}}, {{trainable}}, Configuration.LearningRate, Configuration.WeightDecay);
                var sampleWeights = variant.SampleWeights({{fit}}.Targets, Configuration.Bins);
                using var weights = global::TorchSharp.torch.tensor(sampleWeights, new long[] { {{fit}}.Count, 1 }).to(device);
                bool weighted = variant.IsWeighted;

                var checkpoints = new global::DirDsl.CheckpointStore(global::System.IO.Path.Combine(folder, variant.Slug, $"seed-{seed}"));
                var state = (options.Resume ? checkpoints.TryResume(model, optimizer, options.Log) : null) ?? new global::DirDsl.TrainingState();
                var progress = new global::DirDsl.TrainingProgress(options.Log);
                int steps = ({{fit}}.Count + Configuration.BatchSize - 1) / Configuration.BatchSize;

                for (int epoch = state.NextEpoch; epoch < epochs && !state.Stopped; epoch++)
                {
                    var clock = global::System.Diagnostics.Stopwatch.StartNew();
                    {{learningRateLine}}
                    global::DirDsl.TrainingKit.SetLearningRate(optimizer, learningRate);
                    global::DirDsl.TrainingKit.SeedEpoch(seed, epoch);
                    model.train();
                    double lossSum = 0;
                    int step = 0;
                    foreach (var batch in global::DirDsl.TrainingKit.Batches({{fit}}.Count, Configuration.BatchSize, seed, epoch))
                    {
                        // One dispose scope per step keeps native memory flat across epochs.
                        using var scope = global::TorchSharp.torch.NewDisposeScope();
                        var index = global::TorchSharp.torch.tensor(batch, device: device);
                        var inputs = {{fit}}.Inputs.index_select(0, index);
                        var targets = {{fit}}.ScaledTargets.index_select(0, index);
                        var bins = {{fit}}.BinTensor.index_select(0, index);
                        optimizer.zero_grad();
                        var predictions = model.forward(inputs, bins, epoch);
                        {{lossLine}}
                        loss.backward();
                        {{clip}}
                        optimizer.step();
                        lossSum += global::DirDsl.TrainingKit.CheckLoss(loss, epoch, step);
                        step++;
                        if (progress.Interactive) progress.Report($"{variant.Name} epoch {epoch + 1}/{epochs}", step, steps);
                    }

                    // FDS: per-bin statistics of this epoch's features calibrate the batches of the next.
                    model.UpdateFeatureStatistics({{fit}}, epoch);

                    var validationPredictions = Predict(model, validation);
                    var (validationMse, validationMae) = global::DirDsl.ShotMetrics.Errors(validationPredictions, validation.Targets);
                    double score = Configuration.SelectByMse ? validationMse : validationMae;
                    double trainLoss = lossSum / global::System.Math.Max(1, step);
                    state.History.Add(new global::DirDsl.EpochRecord(epoch, trainLoss, validationMse, validationMae, learningRate, clock.Elapsed.TotalSeconds));
                    if (score < state.BestScore)
                    {
                        state.BestScore = score;
                        state.BestEpoch = epoch;
                        state.EpochsWithoutImprovement = 0;
                        checkpoints.RecordBest(model, state);
                    }
                    {{patience}}
                    state.NextEpoch = epoch + 1;
                    // Checkpoints at most every CheckpointInterval and after the last epoch; best weights wait in memory.
                    checkpoints.SaveIfDue(model, optimizer, state, options.CheckpointInterval, final: state.NextEpoch >= epochs || state.Stopped);
                    options.OnTrainEpochEnd?.Invoke(variant.Name, state.History[state.History.Count - 1]);
                    string marker = state.BestEpoch == epoch ? " (best)" : "";
                    progress.Line(global::System.FormattableString.Invariant($"{variant.Name} epoch {epoch + 1}/{epochs}: train loss {trainLoss:0.0000}, validation MSE {validationMse:0.0000} MAE {validationMae:0.0000}{marker}"));
                }

                // Report the epoch that validation chose, never the last one by default.
                checkpoints.LoadBest(model);
                var validationFinal = Predict(model, validation);
                var testPredictions = Predict(model, test);
                return new global::DirDsl.VariantResult(variant.Name, state.BestEpoch, state.History.Count,
                    global::DirDsl.ShotMetrics.Evaluate(validationFinal, validation.Targets, Configuration.Bins, groups),
                    global::DirDsl.ShotMetrics.Evaluate(testPredictions, test.Targets, Configuration.Bins, groups),
                    explicitGroups is null ? null : global::DirDsl.ShotMetrics.Evaluate(testPredictions, test.Targets, Configuration.Bins, explicitGroups),
                    state.History, testPredictions, model.FeatureStatistics?.Snapshot(), seed{{noiseSigma}}){{searchOf}};
            }

            /// <summary>Predictions for a split in the target's unit (raw features, no calibration, no gradients).</summary>
            {{GeneratedCodeAttribute}}
            public static float[] Predict(Model model, global::DirDsl.DirDataset data)
            {
                model.eval();
                var predictions = new float[data.Count];
                using (global::TorchSharp.torch.no_grad())
                {
                    foreach (var (start, length) in global::DirDsl.TrainingKit.Chunks(data.Count, 1024))
                    {
                        using var scope = global::TorchSharp.torch.NewDisposeScope();
                        var output = model.forward(data.Inputs.narrow(0, start, length)).reshape(-1).cpu();
                        output.data<float>().CopyTo(predictions, (int)start);
                    }
                }
                for (int i = 0; i < predictions.Length; i++)
                {
                    predictions[i] = (float)(predictions[i] * Configuration.TargetScale);
                }
                return predictions;
            }
            """);
    });
}
