using System.Globalization;
using DirDsl.Tests.Generated;
using Xunit;

namespace DirDsl.Tests;

/// <summary>What a new user's first runs need: missing values, capped targets, tables that say what they show, progress.</summary>
public sealed class FirstRunTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("dirdsl-first-run").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private RunOptions Options(TextWriter log, params string[] variants)
    {
        var options = new RunOptions { OutputFolder = output, Device = "cpu", Log = log, CheckpointInterval = TimeSpan.FromHours(1) };
        options.Variants.AddRange(variants);
        return options;
    }

    [Theory]
    [InlineData(Imputation.Median, 4.0)]   // observed 1, 3, 5, 100: median (3 + 5) / 2
    [InlineData(Imputation.Mean, 27.25)]
    [InlineData(Imputation.Zero, 0.0)]
    public void ImputingStandardizer_FillsFromTheTrainingValues_AndMarksTheFilledOnes(Imputation strategy, double fill)
    {
        var train = new double?[] { 1, null, 3, 5, null, 100 };
        var fitter = new ImputingStandardizer("Size", strategy);
        FeatureFitting.Fit(train, new IFeatureFitter[] { fitter }, (v, pass, i) => fitter.Observe(v, pass, i));
        Assert.Equal(fill, fitter.FillValue, 12);
        Assert.Equal(2, fitter.MissingInTraining);
        // Standardised with the observed values' mean and (population) deviation.
        double mean = 27.25, std = Math.Sqrt(new[] { 1.0, 3, 5, 100 }.Sum(v => (v - mean) * (v - mean)) / 4);
        var row = new float[2];
        fitter.Transform(null, row, "test", 0);
        Assert.Equal(new[] { (float)((fill - mean) / std), 1f }, row);
        fitter.Transform(5, row, "test", 1);
        Assert.Equal(new[] { (float)((5 - mean) / std), 0f }, row);
        Assert.Contains($"'Size': 2 of 6 training values missing, filled with the training {strategy.ToString().ToLowerInvariant()}", fitter.Note);
        var allMissing = new ImputingStandardizer("Size", strategy);
        var e = Assert.Throws<DirDataException>(() => FeatureFitting.Fit(new double?[] { null, null }, new IFeatureFitter[] { allMissing }, (v, pass, i) => allMissing.Observe(v, pass, i)));
        Assert.Contains("every training value is missing", e.Message);
    }

    [Fact]
    public void CsvOrNullAccessors_ReadMissingMarkersAsNull_AndStillRejectGarbage()
    {
        var path = Path.Combine(output, "gaps.csv");
        File.WriteAllText(path, "a,b,y\n1.5,,1\n NA ,?,2\nnan,null,3\n7,x,4\n");
        var rows = CsvSource.Read(path, row => (row.DoubleOrNull("a"), row.Target("y")));
        Assert.Equal(new double?[] { 1.5, null, null, 7 }, rows.Select(r => r.Item1));
        var e = Assert.Throws<DataFormatException>(() => CsvSource.Read(path, row => row.IntOrNull("b")));
        Assert.Equal((5, "b"), (e.Row, e.Column));
        Assert.Contains("'x' is not a number", e.Message);
        // A missing target stays an error.
        File.WriteAllText(path, "a,y\n1,\n");
        Assert.Contains("target", Assert.Throws<DataFormatException>(() => CsvSource.Read(path, row => row.Target("y"))).Message);
    }

    [Fact]
    public void NullableMembers_AreImputedOnTrainOnly_AndTheRunSaysHowMany()
    {
        var log = new StringWriter();
        var result = NullableExperiment.Run(Options(log, "LDS"));
        var train = GappyData.Splits().Train;
        int missingSize = train.Count(r => r.Size is null), missingFlag = train.Count(r => r.Flag is null);
        var observed = train.Where(r => r.Size is not null).Select(r => r.Size!.Value).OrderBy(v => v).ToList();
        double median = observed.Count % 2 == 1 ? observed[observed.Count / 2] : (observed[observed.Count / 2 - 1] + observed[observed.Count / 2]) / 2;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"'Size': {missingSize} of {train.Count} training values missing, filled with the training median {median:G6}"), log.ToString());
        double flagMean = train.Where(r => r.Flag is not null).Average(r => r.Flag!.Value ? 1.0 : 0.0);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"'Flag': {missingFlag} of {train.Count} training values missing, filled with the training mean {flagMean:G6}"), log.ToString());

        // The mapped row of a record with a missing Size: the median standardised, then the indicator 1.
        var map = new NullableExperiment.FeatureMap();
        map.Fit(train);
        Assert.Equal(1 + 2 + 2, map.Width);
        var row = new float[map.Width];
        map.Write(train.First(r => r.Size is null), row, "train", 0);
        double mean = observed.Average(), std = Math.Sqrt(observed.Sum(v => (v - mean) * (v - mean)) / observed.Count);
        Assert.Equal((float)((median - mean) / std), row[1]);
        Assert.Equal(1f, row[2]);
        Assert.True(double.IsFinite(result.Variants.Single().Test.Overall.Mse));
    }

    [Fact]
    public void CappedTarget_IsFound_WithItsCountShareAndNeighbours()
    {
        var bins = LabelBins.Uniform(0, 10, 10);
        // 300 records spread over 0..9.4, then 200 at exactly 10 (the cap), in bin 9 beside bins 8 and 7.
        var targets = Enumerable.Range(0, 300).Select(i => (float)(i % 100 * 0.095)).Concat(Enumerable.Repeat(10f, 200)).ToArray();
        var cap = Assert.Single(TargetCaps.Find(targets, bins));
        var counts = bins.Counts(targets);
        Assert.Equal((10.0, true, 200, 200.0 / 500, 9), (cap.Value, cap.IsMaximum, cap.Count, cap.Share, cap.Bin));
        Assert.Equal((counts[8] + counts[7]) / 2.0, cap.NeighbourMean);
        Assert.True(cap.Count > 3 * cap.NeighbourMean);
        Assert.Contains("200 training records (40.0%) sit exactly at the maximum target 10", cap.Warning());
        // Fewer than 3x the neighbours, or under 1% of the records: no warning.
        Assert.Empty(TargetCaps.Find(targets.Take(300).Concat(Enumerable.Repeat(10f, 5)).ToArray(), bins));
        Assert.Empty(TargetCaps.Find(Enumerable.Range(0, 1000).Select(i => (float)(i % 100 * 0.0995)).Append(10f).Append(10f).ToArray(), bins));
    }

    [Fact]
    public void SmallCapInALargeTable_IsFound()
    {
        // Census-like ages: 30,000 records over 17..87, 3 at 88, none at 89, 43 top-coded at 90 (0.14% of the records).
        var ages = LabelBins.Integer(74, 17);
        var targets = Enumerable.Range(0, 30_000).Select(i => (float)(17 + i % 71)).Concat(Enumerable.Repeat(88f, 3)).Concat(Enumerable.Repeat(90f, 43)).ToArray();
        var cap = Assert.Single(TargetCaps.Find(targets, ages));
        Assert.Equal((90.0, true, 43, 1.5), (cap.Value, cap.IsMaximum, cap.Count, cap.NeighbourMean));
        // Under MinimumCount records and under 1%: a few records at the edge are not a cap.
        Assert.Empty(TargetCaps.Find(targets.Take(30_003).Concat(Enumerable.Repeat(90f, TargetCaps.MinimumCount - 1)).ToArray(), ages));
    }

    [Fact]
    public void Tables_SayWhichBinsFormEachGroup_AndHowManyTestRecords()
    {
        var result = TinyExperiment.Run(Options(TextWriter.Null, "Vanilla"));
        var table = ResultWriter.Table(result, explicitGroups: false);
        var groups = ShotGroups.FromCounts(result.TrainCounts);
        var testCounts = result.Bins.Counts(result.TestTargets);
        int Records(ShotGroup group) => Enumerable.Range(0, 10).Where(b => groups.GroupOf(b) == group).Sum(b => testCounts[b]);
        int Bins(ShotGroup group) => Enumerable.Range(0, 10).Count(b => groups.GroupOf(b) == group);
        Assert.Contains($"| Many | > 100 | {Bins(ShotGroup.Many)} |", table);
        Assert.Contains($"| Few | < 20 (zero included) | {Bins(ShotGroup.Few)} |", table);
        foreach (var group in new[] { ShotGroup.Many, ShotGroup.Medium, ShotGroup.Few })
            Assert.Contains(Records(group).ToString(CultureInfo.InvariantCulture) + " |", table.Split('\n').Single(l => l.StartsWith($"| {group} |", StringComparison.Ordinal)));
        // The group counts in the legend are the ones the metric columns report.
        Assert.Equal(result.Variants[0].Test.Few.Count, Records(ShotGroup.Few));
    }

    [Fact]
    public void Progress_OneLinePerTraining_WithTheRunsEta_AndATimingSummary_EpochLinesOnlyWhenVerbose()
    {
        var log = new StringWriter();
        var options = Options(log, "Vanilla", "LDS");
        options.Seeds = 2;
        TinyExperiment.Run(options);
        var lines = log.ToString().Split('\n');
        Assert.Equal(4, lines.Count(l => l.Contains(" epochs in ", StringComparison.Ordinal) && l.Contains("run ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("Vanilla seed 7: 2 epochs in ", StringComparison.Ordinal) && l.Contains("run 1/4", StringComparison.Ordinal) && l.Contains("eta", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("LDS seed 8: 2 epochs in ", StringComparison.Ordinal) && l.Contains("run 4/4", StringComparison.Ordinal));
        Assert.Contains("Timing: 4 trainings, 8 epochs trained in ", log.ToString());
        Assert.DoesNotContain(lines, l => l.Contains("epoch 1/2:", StringComparison.Ordinal));

        var verbose = new StringWriter();
        var loud = Options(verbose, "Vanilla");
        loud.Verbose = true;
        TinyExperiment.Run(loud);
        Assert.Equal(2, verbose.ToString().Split('\n').Count(l => l.StartsWith("Vanilla epoch ", StringComparison.Ordinal)));
    }
}
