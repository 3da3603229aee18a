using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl;

/// <summary>
/// Trains and evaluates a generated experiment: the mechanics every experiment shares (seeds, batches,
/// dispose scopes, optimiser and schedule, clipping, early stopping, FDS updates, evaluation, checkpoints
/// and resume, progress, RRT's stages, Balanced MSE, resampling, search points). What differs per experiment
/// comes in through its <see cref="ExperimentDefinition{TRecord, TModel}"/>: the typed data, model and
/// training step the generator emitted.
/// </summary>
public static class DirTrainer
{
    /// <summary>
    /// Runs the experiment: loads the splits, fits the feature map on train, trains every selected variant for
    /// every seed (same data), evaluates each per shot group and writes the result files to the output folder.
    /// </summary>
    public static ExperimentResult Run<TRecord, TModel>(ExperimentDefinition<TRecord, TModel> experiment, RunOptions? options = null)
        where TModel : DirModel
    {
        options ??= new RunOptions();
        var settings = experiment.Settings;
        var device = options.ResolveDevice();
        int seed = options.Seed ?? settings.Seed;
        int epochs = options.Epochs ?? settings.Epochs;
        var variants = options.Select(experiment.Variants, experiment.SearchVariants);
        var seeds = TrainingKit.Seeds(seed, options.Seeds ?? settings.Seeds);
        if (options.OnlySeed is { } only)
        {
            if (!seeds.Contains(only))
                throw new ArgumentException($"--only-seed {only} is not one of this run's seeds ({string.Join(", ", seeds)}).");
            seeds = new[] { only };
        }

        // One run per output folder at a time: a second one fails here, before any work.
        using var outputLock = OutputLock.Acquire(Path.Combine(options.OutputFolder, experiment.Name));
        if (TorchSharpSafety.Warning() is { } unsafeTorchSharp) options.Log.WriteLine(unsafeTorchSharp);
        var context = new DataContext(options.DataRoot, seed, options.Log, options.SplitSeed);
        var map = experiment.CreateFeatureMap();
        var targetShape = map.TargetShape;
        foreach (var variant in variants) variant.CheckTarget(targetShape);
        if (options.FdsChoices is { } fdsChoices)
        {
            // The overrides' rules are checked here, before any data is read, not when the first FDS row starts.
            var withFds = variants.Where(v => v.Fds).ToList();
            foreach (var variant in withFds) variant.Method<FeatureSmoothing>()!.Options.At(variant.Point).With(fdsChoices);
            if (withFds.Count == 0) options.Log.WriteLine($"warning: the FDS overrides ({fdsChoices}) change nothing: no row of this run uses FDS.");
        }
        if (targetShape.Kind == TargetKind.Vector && options.Holdouts.Count > 0)
            throw new ArgumentException($"--holdout removes records by their target, and this experiment's target is a {targetShape}; hold out ranges of a scalar target, or of a map's pixels.");
        var loaded = experiment.Load(context);
        if (settings.Folds > 0 && loaded.FdsSubset is not null && variants.Any(v => v.Fds))
            throw new DirDataException("train", SubsetWithFolds);
        if (settings.Folds > 0)
            return CrossValidate(experiment, options, loaded, map, settings.Folds, context, seed, epochs, seeds, variants, device);
        return RunSplits(experiment, options, loaded, Path.Combine(options.OutputFolder, experiment.Name), "", context, seed, epochs, seeds, variants, device);
    }

    /// <summary>
    /// [CrossValidation(Folds)]: the pooled records in <paramref name="folds"/> folds (<see cref="CrossValidation.Split{T}"/>),
    /// each trained and evaluated as a run of its own into <c>fold-N/</c>; the result holds every fold's rows (their
    /// <see cref="VariantResult.Fold"/> set) and the table of means and intervals over the folds is written beside them.
    /// </summary>
    private static ExperimentResult CrossValidate<TRecord, TModel>(ExperimentDefinition<TRecord, TModel> experiment, RunOptions options, DirSplits<TRecord> loaded,
        IFeatureMap<TRecord> map, int folds, DataContext context, int seed, int epochs, IReadOnlyList<int> seeds, IReadOnlyList<DirVariant> variants, Device device)
        where TModel : DirModel
    {
        var folder = Path.Combine(options.OutputFolder, experiment.Name);
        var parts = CrossValidation.Split(loaded, record =>
        {
            var elements = new float[map.TargetShape.Elements];
            map.WriteTarget(record, elements, "train", 0);
            return elements[0];
        }, experiment.Settings.Bins, folds, context.SplitSeed);
        options.Log.WriteLine($"{experiment.Name}: {folds}-fold cross-validation of {parts[0].Train.Count + parts[0].Validation.Count + parts[0].Test.Count} records "
            + $"(stratified by label bin, split seed {context.SplitSeed}): each fold tests once, the next one validates, the others train.");
        var results = new List<ExperimentResult>();
        for (int f = 0; f < folds; f++)
        {
            var result = RunSplits(experiment, options, parts[f], Path.Combine(folder, CrossValidation.FoldFolder(f)), $" fold {f + 1}/{folds}", context, seed, epochs, seeds, variants, device);
            results.Add(result);
        }
        var combined = CrossValidation.Combine(results);
        CrossValidation.Write(combined, folder);
        return combined;
    }

    /// <summary>One pass over prepared splits: fit the feature map, train every variant and seed, evaluate, write the result files into <paramref name="folder"/>.</summary>
    private static ExperimentResult RunSplits<TRecord, TModel>(ExperimentDefinition<TRecord, TModel> experiment, RunOptions options, DirSplits<TRecord> loaded,
        string folder, string fold, DataContext context, int seed, int epochs, IReadOnlyList<int> seeds, IReadOnlyList<DirVariant> variants, Device device)
        where TModel : DirModel
    {
        var settings = experiment.Settings;
        var map = experiment.CreateFeatureMap();
        var targetShape = map.TargetShape;
        // --holdout: target ranges leave training and validation and stay in test (zero-shot bins): records of a scalar
        // target, pixels of a map (masked when the splits are read, below).
        bool maskPixels = targetShape.Kind == TargetKind.Map && options.Holdouts.Count > 0;
        var splits = maskPixels ? loaded : TargetHoldout.Apply(loaded, map.Target, options.Holdouts, options.Log);
        var masked = maskPixels ? options.Holdouts : null;
        if (maskPixels)
            options.Log.WriteLine($"Held out {string.Join(", ", options.Holdouts)}: the training and validation pixels with these targets have none; the test split keeps them (zero-shot bins).");
        // Records whose input cannot be read (a missing or damaged image) stop the run here, before any epoch, or are skipped.
        splits = RecordScreening.Apply(map, splits, options.Log);
        // --outside-bins: targets beyond [LabelBins] kept with a warning (default), clipped, dropped, or an error.
        splits = OutsideBins.Apply(splits, (record, split, index) =>
        {
            var elements = new float[targetShape.Elements];
            map.WriteTarget(record, elements, split, index);
            return elements;
        }, targetShape, settings.Bins, options.OutsideTargets, options.Log);
        bool clip = options.OutsideTargets == OutsideTargets.Clip;
        map.Fit(splits.Train);
        foreach (var note in map.FitNotes) options.Log.WriteLine(note);
        // What the fit learned, kept beside the checkpoints: a trained model predicts new records with it (TrainedModel.Load).
        var fitted = FittedFeatureMap.Of(experiment.Name, map, settings.TargetScale);
        fitted.WriteTo(folder);
        // A dense map's training targets are held when they fit the memory budget, else read again with each batch; the
        // decoded images get what the held targets leave of the budget.
        var targetBudget = DenseTargetBudget.For(targetShape, splits.Train.Count, options.ImageCacheBytes);
        if (targetBudget.Line is { } budgetLine) options.Log.WriteLine(budgetLine);
        if (DecodeCache.Configure(map, options.ImageCacheBytes, (long)splits.Train.Count + splits.Validation.Count + splits.Test.Count, targetBudget.Reserved) is { } cacheLine)
            options.Log.WriteLine(cacheLine);
        // --outside-bins drop on a vector or map: its elements outside the bins have no target (its records stay).
        bool dropElements = options.OutsideTargets == OutsideTargets.Drop && !targetShape.IsScalar;
        var trainingReading = new TargetReading(settings.Bins, clip, masked, dropElements);
        using var train = SplitData.Create(map, splits.Train, "train", trainingReading, settings.TargetScale, device, options.DataPath, targetBudget.HoldTrainTargets);
        using var validation = SplitData.Create(map, splits.Validation, "validation", trainingReading, settings.TargetScale, device, options.DataPath);
        using var test = SplitData.Create(map, splits.Test, "test", trainingReading with { Masked = null }, settings.TargetScale, device, options.DataPath);
        // The [Data] member's FDS subset, by training position, in every FDS row.
        variants = WithFdsSubset(variants, loaded.FdsSubset, loaded.Train.Count, train.Count, fold);

        // Label counts are over target elements that are there (a record's one target, or a vector's or map's elements),
        // read from the splits' summaries (a training split that streams its targets is not read whole for them).
        var trainCounts = train.Summary.IntCounts();
        foreach (var cap in TargetCaps.Find(train.Summary)) options.Log.WriteLine(cap.Warning());
        foreach (var split in new[] { train, validation, test })
            if (OutsideBins.Describe(split) is { } outside) options.Log.WriteLine(outside);
        // Explicit groups read the pixel counts as they are; thresholds read a map's in maps' worth (ShotCounts).
        var data = new TrainingData(train, validation, test, experiment.ShotGroupsFor(ShotCounts.For(targetShape, trainCounts)), experiment.ExplicitShotGroupsFor?.Invoke(trainCounts),
            map.Width, folder, device) { InputSettings = map.Settings };
        options.Log.WriteLine($"{experiment.Name}{fold}: {train.Count} train / {validation.Count} validation / {test.Count} test records, input width {map.Width}, "
            + $"{(targetShape.IsScalar ? "" : targetShape + " target, ")}{settings.Bins}, device {device}{(train.IsStreaming ? ", streamed" : "")}"
            + (context.SplitSeed != seed ? $", split seed {context.SplitSeed}" : ""));

        var plan = seeds.SelectMany(_ => variants.Select(v => (v.Name, PlannedEpochs(v, settings, epochs)))).ToList();
        var progress = new RunProgress(options.Log, plan, options.Verbose);
        // The ablation's baseline rows (Mean, Linear): in a run of the whole table, not in one of its jobs (--variant, --only-seed)
        // unless asked for (--baselines: the Vanilla jobs of a scheduler's array).
        var results = new List<VariantResult>();
        if (settings.Baselines && !options.NoBaselines && (options.Baselines || options.Variants.Count == 0 && options.OnlySeed is null && !options.Search))
            results.AddRange(Baselines.Evaluate(data, settings.Bins, settings.SelectByMse, seeds, options.Log));
        foreach (var runSeed in seeds)
        {
            foreach (var variant in variants)
            {
                progress.BeginTraining(variant.Name, runSeed, PlannedEpochs(variant, settings, epochs));
                var trained = TrainVariant(experiment, variant, data, options, runSeed, epochs, progress);
                fitted.WriteTo(Path.Combine(data.Folder, variant.Slug, $"seed-{runSeed}"));
                progress.EndTraining(trained.BestEpoch);
                results.Add(trained);
            }
        }
        options.Log.Write(progress.Summary());
        if (DecodeCache.Summary(map) is { } cacheUse) options.Log.WriteLine(cacheUse);
        var result = new ExperimentResult(experiment.Name, seed, epochs, settings.Bins, trainCounts, test.ValidTargets, results, experiment.Configured)
        {
            Target = targetShape,
            TestPositions = test.ValidPositions,
            SelectByMse = settings.SelectByMse,
            Groups = data.Groups,
            ExplicitGroups = data.ExplicitGroups,
        };
        ResultWriter.Write(result, data.Folder, options.Log, options.Figures);
        return result;
    }

    /// <summary>
    /// Predictions for a split in the target's unit (raw features, no calibration, no gradients): one per target element,
    /// aligned with <see cref="SplitData.Targets"/> (a missing element is predicted too).
    /// </summary>
    public static float[] Predict(DirModel model, SplitData data, double targetScale)
    {
        model.eval();
        var predictions = new float[data.Targets.Length];
        using (no_grad())
        {
            using var reader = data.ReadInOrder(SplitData.PassChunkRows);
            int at = 0;
            while (true)
            {
                using var scope = NewDisposeScope();
                if (reader.Next() is not { } batch) break;
                var output = model.forward(batch.Inputs).reshape(-1).cpu();
                output.data<float>().CopyTo(predictions, at);
                at += (int)output.shape[0];
            }
        }
        for (int i = 0; i < predictions.Length; i++) predictions[i] = (float)(predictions[i] * targetScale);
        return predictions;
    }

    /// <summary>
    /// Trains one variant on prepared splits (what <see cref="Run{TRecord, TModel}"/> does for each variant and seed);
    /// for benchmarks and hand-assembled runs.
    /// </summary>
    public static VariantResult Train<TRecord, TModel>(ExperimentDefinition<TRecord, TModel> experiment, DirVariant variant, TrainingData data,
        RunOptions options, int seed, int epochs) where TModel : DirModel
    {
        var progress = new RunProgress(options.Log, new[] { (variant.Name, PlannedEpochs(variant, experiment.Settings, epochs)) }, options.Verbose);
        progress.BeginTraining(variant.Name, seed, PlannedEpochs(variant, experiment.Settings, epochs));
        var trained = TrainVariant(experiment, variant, data, options, seed, epochs, progress);
        progress.EndTraining(trained.BestEpoch);
        return trained;
    }

    /// <summary>The predictions of the elements of <paramref name="split"/> that have a target, aligned with its <see cref="SplitData.ValidTargets"/>.</summary>
    private static float[] Present(float[] predictions, SplitData split) => TargetElements.Select(predictions, split.ValidPositions);

    /// <summary>The epochs a variant trains at most: both stages of a staged method (RRT), or the run's epochs (a search point's own).</summary>
    private static int PlannedEpochs(DirVariant variant, TrainerSettings settings, int epochs)
    {
        epochs = variant.Point?.Epochs ?? epochs;
        return StagePlan.For(variant, SettingsOf(variant, settings), epochs).PlannedEpochs(epochs);
    }

    /// <summary>The training settings of a variant: the experiment's, with a search point's training values.</summary>
    private static TrainerSettings SettingsOf(DirVariant variant, TrainerSettings settings) => variant.Point?.Apply(settings) ?? settings;

    /// <summary>
    /// Trains one variant: shuffled mini-batches drawn from (seed, epoch), the variant's sample weights and loss,
    /// FDS statistics updated at each epoch end, the best epoch by validation kept, checkpoints for resume.
    /// </summary>
    private static VariantResult TrainVariant<TRecord, TModel>(ExperimentDefinition<TRecord, TModel> experiment, DirVariant variant, TrainingData data,
        RunOptions options, int seed, int epochs, RunProgress progress, bool fresh = false) where TModel : DirModel
    {
        // A search point may set the learning rate, weight decay, batch size and epochs of its own.
        var settings = SettingsOf(variant, experiment.Settings);
        epochs = variant.Point?.Epochs ?? epochs;
        // The records this variant trains on: resampled (SMOTER / SMOGN) or re-binned (a search point's bins), else the split.
        using var ownRecords = VariantRecords.For(data.Train, variant, settings.Bins, settings.TargetScale, seed, options.Log);
        var fit = ownRecords ?? data.Train;
        bool readWholeBefore = fit.ReadWholeOverBudget;
        // Initial weights depend on the seed alone, so every variant starts from the same draw.
        TrainingKit.SeedEpoch(seed, -1);
        // The training targets are read whole only when the model asks for them (BMC's label distribution).
        using var model = experiment.CreateModel(new ModelContext(data.InputDim, variant, new TargetsOnDemand(() => fit.ValidTargets), settings.Bins, settings.TargetScale)
        {
            Target = fit.Shape,
            FdsOverrides = options.FdsChoices,
            InputShape = data.Train.Layout.Shape,
        });
        model.to(data.Device);

        var stage = StagePlan.For(variant, settings, epochs);
        if (stage.FirstStage is { } firstStage)
        {
            // RRT stage 1: the same model trained without re-weighting, as its own variant; stage 2 keeps its
            // encoder, frozen, and retrains this freshly initialised regressor with the variant's weights.
            var stageOneFolder = data with { Folder = Path.Combine(data.Folder, variant.Slug) };
            TrainVariant(experiment, firstStage, stageOneFolder, options, seed, epochs, progress);
            CheckpointStore.LoadWeightsExcept(Path.Combine(stageOneFolder.Folder, firstStage.Slug, $"seed-{seed}", "best.ckpt"), model, "regressor.");
            model.FreezeEncoder();
        }
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = TrainingKit.CreateOptimizer(settings.Optimizer, trainable,
            settings.LearningRate, settings.WeightDecay);
        // Per-element weights the steps gather, computed from the elements that have a target (a missing one weighs 0);
        // null when the variant does not re-weight. A scalar or vector target: a [n, ..shape] table gathered by record. A
        // dense map: a table per label bin gathered by each pixel's bin (SampleWeightTable.PerBin), so the weights follow
        // the pixels through a joint crop or flip and the table does not grow with the images.
        using var weights = variant.Weights(fit, settings.Bins) is { } lossWeights
            ? SampleWeightTable.For(fit, lossWeights, settings.Bins.Count, data.Device)
            : null;
        var stepMethod = variant.Step;
        // A method that needs every training target (DenseWeight's density per value) read a
        // split that streams its targets whole: memory now grows with the maps, which the run says when it happens.
        if (!readWholeBefore && fit.ReadWholeOverBudget)
            options.Log.WriteLine($"warning: {variant.Name} reads every training target ({fit.Summary.Valid:N0} target elements, "
                + $"{DecodeCache.Size(StreamingSplit<object>.HeldTargetBytes(fit.Count, fit.Shape))} held): the training maps are over the "
                + "memory budget, so this run's memory grows with them. Rows whose weights come from the label counts (LDS, inverse "
                + "re-weighting) read none; a larger --image-cache holds them from the start.");

        var checkpoints = new CheckpointStore(Path.Combine(data.Folder, variant.Slug, $"seed-{seed}"));
        // Resume only what this run would train: same settings, variant, seed, epochs, held-out ranges and data.
        var fingerprint = RunFingerprint.For(experiment, variant, model, seed, epochs, options, data);
        bool resume = options.Resume && !fresh;
        if (resume && checkpoints.PeekState() is { } stored && RunFingerprint.Difference(stored.Fingerprint, fingerprint) is { } changed)
        {
            if (!options.RestartChanged)
                throw new CheckpointException(checkpoints.LastPath, $"was written by a different run ({changed}). Resume with the same settings and data, "
                    + "pass another --output, or add --restart-changed to train this variant afresh.");
            options.Log.WriteLine($"warning: {variant.Name} seed {seed}: the checkpoint was written by a different run ({changed}); training afresh (--restart-changed).");
            resume = false;
        }
        var state = (resume ? checkpoints.TryResume(model, optimizer, options.Log) : null) ?? new TrainingState();
        state.Fingerprint = fingerprint;
        if (state.NextEpoch > 0) options.Log.WriteLine($"{variant.Name} seed {seed}: resumed after epoch {state.NextEpoch} from {checkpoints.LastPath}.");
        int stageEpochs = stage.Epochs;
        // Around the fit loop, in this order: early stopping, the user's callbacks, checkpointing (so a training they stop
        // is saved as finished), the end-of-epoch hooks, metrics.csv (and TensorBoard), progress.
        var callbacks = EarlyStopping.For(settings.Patience).Concat(options.Callbacks)
            .Append(new Checkpointing(checkpoints, optimizer, state, options.CheckpointInterval, stageEpochs))
            .Append(new EpochHooks(options.OnTrainEpochEnd, experiment.OnTrainEpochEnd))
            .Append(new MetricsLogging(checkpoints.Folder, state.History, options.TensorBoard))
            .Append(new ProgressReporting(progress)).ToList();
        foreach (var callback in callbacks) callback.OnTrainingStart(new TrainingStart(variant.Name, seed, stageEpochs, state.NextEpoch, model));
        int steps = (fit.Count + settings.BatchSize - 1) / settings.BatchSize;

        for (int epoch = state.NextEpoch; epoch < stageEpochs && !state.Stopped; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double learningRate = stage.LearningRateAt(epoch);
            foreach (var callback in callbacks) callback.OnEpochStart(new EpochStart(variant.Name, seed, epoch, stageEpochs, learningRate));
            TrainingKit.SetLearningRate(optimizer, learningRate);
            TrainingKit.SeedEpoch(seed, epoch);
            model.train();
            model.BeginTrainingEpoch(epoch);
            int step = 0;
            // Each step's loss stays on the device, in this epoch-long buffer, and is read to the host once, after the
            // epoch's last step: a read per step would make a GPU wait for every step to finish (DirTrainer's own reads
            // go through HostReads, which a test counts).
            using var stepLosses = zeros(steps, dtype: ScalarType.Float32, device: data.Device);
            using (var reader = fit.Read(TrainingKit.Batches(fit.Count, settings.BatchSize, seed, epoch), new Augmentation(seed, epoch)))
            {
                while (true)
                {
                    // One dispose scope per step keeps native memory flat across epochs.
                    using var scope = NewDisposeScope();
                    if (reader.Next() is not { } batch) break;
                    var trainingBatch = new TrainingBatch(batch.Inputs, batch.ScaledTargets, batch.Bins, weights?.Gather(batch), epoch, step)
                    {
                        Mask = batch.Mask,
                    };
                    // The variant's step (the plain one, or a method's such as BSAM) calls the training step and updates once.
                    var loss = stepMethod.Step(new StepContext(() => experiment.TrainingStep(model, trainingBatch), trainable, optimizer, () =>
                    {
                        if (settings.GradientClipNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), settings.GradientClipNorm);
                        optimizer.step();
                    }));
                    if (step >= steps) throw new InvalidOperationException($"epoch {epoch + 1} has more than the {steps} batches its {fit.Count} records make.");
                    stepLosses.narrow(0, step, 1).copy_(loss.detach().reshape(1));
                    int done = step;
                    step++;
                    if (options.Cancellation.IsCancellationRequested)
                        throw new TrainingInterruptedException(variant.Name, seed, epoch, checkpoints.PeekState()?.NextEpoch ?? 0, options.Cancellation);
                    var stepEnd = new StepEnd(variant.Name, seed, epoch, stageEpochs, step, steps, () =>
                    {
                        using var read = NewDisposeScope();
                        return HostReads.Item<float>(stepLosses[done]);
                    });
                    foreach (var callback in callbacks) callback.OnStepEnd(stepEnd);
                }
            }

            // The epoch's one read of its losses, before anything else reads the model: the first non-finite one stops the
            // training, naming its step (its weights may be non-finite since then).
            double lossSum;
            using (NewDisposeScope()) lossSum = TrainingKit.CheckLosses(HostReads.Floats(stepLosses.narrow(0, 0, step)), epoch);

            // FDS: per-bin statistics of this epoch's features calibrate the batches of the next. The reference's pass reads
            // training batches; the evaluation pass reads large chunks (SplitData.PassChunkRows), as per-call overhead, not
            // arithmetic, dominates small chunks.
            model.UpdateFeatureStatistics(fit, epoch, settings.BatchSize, seed);

            var validationPredictions = Predict(model, data.Validation, settings.TargetScale);
            var (validationMse, validationMae) = ShotMetrics.Errors(Present(validationPredictions, data.Validation), data.Validation.ValidTargets);
            double score = settings.SelectByMse ? validationMse : validationMae;
            double trainLoss = lossSum / Math.Max(1, step);
            var record = new EpochRecord(epoch, trainLoss, validationMse, validationMae, learningRate, clock.Elapsed.TotalSeconds)
            {
                Fds = model.FeatureStatistics is { } statistics ? FdsEpoch.Of(statistics, data.Groups) : null,
            };
            state.History.Add(record);
            bool best = score < state.BestScore;
            if (best)
            {
                state.BestScore = score;
                state.BestEpoch = epoch;
            }
            state.NextEpoch = epoch + 1;
            // A callback that stops the training marks the state at once, so the checkpoint after it is written as finished.
            var control = new TrainingControl(reason =>
            {
                state.Stopped = true;
                options.Log.WriteLine($"{variant.Name} seed {seed}: stopped after epoch {epoch + 1}: {reason}");
            });
            var end = new EpochEnd(variant.Name, seed, record, model, best) { BestEpoch = state.BestEpoch, Epochs = stageEpochs };
            foreach (var callback in callbacks) callback.OnEpochEnd(end, control);
        }

        // Report the epoch that validation chose, never the last one by default.
        try
        {
            checkpoints.LoadBest(model);
        }
        catch (CheckpointException e) when (!fresh)
        {
            // The best weights of a resumed training are damaged or gone: on CPU the training is deterministic, so train
            // this variant again from the start rather than stop the run (its checkpoints are replaced). On CUDA some
            // backward kernels add with atomics in no fixed order, so the retrained weights can differ in their last digits.
            string again = data.Device.type == DeviceType.CUDA
                ? "training this variant again from the start (on CUDA to a result that can differ in its last digits from the lost one)"
                : "training this variant again from the start";
            options.Log.WriteLine($"warning: {variant.Name} seed {seed}: {e.Message}; {again}.");
            checkpoints.Discard();
            return TrainVariant(experiment, variant, data, options, seed, epochs, progress, fresh: true);
        }
        var validationFinal = Predict(model, data.Validation, settings.TargetScale);
        var testPredictions = Predict(model, data.Test, settings.TargetScale);
        var bins = settings.Bins;
        // Metrics over the target elements that are there; a vector's elements also each on their own.
        var testPresent = Present(testPredictions, data.Test);
        var result = new VariantResult(variant.Name, state.BestEpoch, state.History.Count,
            ShotMetrics.Evaluate(Present(validationFinal, data.Validation), data.Validation.ValidTargets, bins, data.Groups),
            ShotMetrics.Evaluate(testPresent, data.Test.ValidTargets, bins, data.Groups),
            data.ExplicitGroups is null ? null : ShotMetrics.Evaluate(testPresent, data.Test.ValidTargets, bins, data.ExplicitGroups),
            state.History, testPresent, model.FeatureStatistics?.Snapshot(), seed, model.BalancedMse?.NoiseSigma)
        {
            SearchOf = variant.Point?.Of,
            Fingerprint = fingerprint,
            TestElements = ShotMetrics.PerElement(testPredictions, data.Test.Targets, data.Test.Shape, bins, data.Groups),
            TestDepth = DepthReports.For(data.Test.Shape, testPresent, data.Test.ValidTargets, bins, data.Groups),
            TestDepthExplicitGroups = DepthReports.For(data.Test.Shape, testPresent, data.Test.ValidTargets, bins, data.ExplicitGroups),
        };
        foreach (var callback in callbacks) callback.OnTrainingEnd(result);
        return result;
    }

    /// <summary>Why an FDS subset and cross-validation do not go together.</summary>
    private const string SubsetWithFolds = "the [Data] member gives an FDS subset by training positions, and a cross-validation fold trains on other records: leave FdsSubset out with [CrossValidation].";

    /// <summary>
    /// The variants with the [Data] member's FDS subset (<see cref="DirSplits{T}.FdsSubset"/>) in each FDS method that has
    /// none of its own, checked against the training split as it is trained: positions name records, so a run that left
    /// training records out (skipped images, held-out or dropped targets) or a cross-validation fold refuses it.
    /// </summary>
    internal static IReadOnlyList<DirVariant> WithFdsSubset(IReadOnlyList<DirVariant> variants, IReadOnlyList<int>? subset, int loadedTrain, int train, string fold)
    {
        if (subset is null || !variants.Any(v => v.Fds)) return variants;
        if (fold.Length > 0)
            throw new DirDataException("train", SubsetWithFolds);
        if (train != loadedTrain)
            throw new DirDataException("train", $"the [Data] member gives an FDS subset by training positions, and {loadedTrain - train:N0} of its {loadedTrain:N0} training records were left out before training (skipped images, held-out or dropped targets), so the positions no longer name the same records.");
        if (subset.Count == 0) throw new DirDataException("train", "the [Data] member's FDS subset is empty; leave it null to take every training record.");
        foreach (var index in subset)
            if (index < 0 || index >= train)
                throw new DirDataException("train", $"the [Data] member's FDS subset names training record {index}, and the split has {train:N0} (0 to {train - 1}).");
        return variants.Select(v => v with
        {
            Methods = v.Methods.Select(m => m is FeatureSmoothing { Options.Subset: null } f ? f with { Options = f.Options with { Subset = subset } } : m).ToList(),
        }).ToList();
    }
}

/// <summary>The data transformation of a variant: the records it trains on when they differ from the training split.</summary>
public static class VariantRecords
{
    /// <summary>
    /// The records of the first method that changes them (SMOTER / SMOGN resample, seeded by the run's seed, logged), or
    /// the split re-binned with a search point's bins. Null: train on the split as it is.
    /// </summary>
    public static SplitData? For(SplitData train, DirVariant variant, LabelBins labelBins, double targetScale, int seed, TextWriter log)
    {
        var context = new MethodContext(variant, variant.BinsOr(labelBins), targetScale, seed, log);
        foreach (var method in variant.Methods)
            if (method.TrainingRecords(train, context) is { } records) return records;
        return variant.Bins is { } bins ? train.Rebinned(bins, targetScale) : null;
    }
}

/// <summary>The splits and what every variant of a run shares.</summary>
/// <param name="Train">The training split.</param>
/// <param name="Validation">The validation split (selects epochs and search points).</param>
/// <param name="Test">The test split (only reported).</param>
/// <param name="Groups">Shot groups from the training counts.</param>
/// <param name="ExplicitGroups">The explicit shot groups of [ShotGroups], or null.</param>
/// <param name="InputDim">Width of a mapped input row.</param>
/// <param name="Folder">The experiment's output folder (checkpoints go below it).</param>
/// <param name="Device">The run's device.</param>
public sealed record TrainingData(SplitData Train, SplitData Validation, SplitData Test, ShotGroups Groups, ShotGroups? ExplicitGroups,
    int InputDim, string Folder, Device Device)
{
    /// <summary>The feature map's declared settings (<see cref="IFeatureMap{T}.Settings"/>), fingerprinted with every variant.</summary>
    public object? InputSettings { get; init; }
}
