using System.Globalization;
using DirDsl;
using DirDsl.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Examples.AgeDbDir;

/// <summary>A face image of AgeDB and its age in years.</summary>
public sealed record Face([property: Image(224)] string Path, [property: Target] int Age);

/// <summary>
/// AgeDB-DIR as the paper trains it: ResNet-50 end to end on 224 x 224 faces (resize, random crop with padding 16,
/// horizontal flip, normalised with mean 0.5 and std 0.5), Adam lr 1e-3 with weight decay 1e-4, batch 256, 90 epochs,
/// the rate x0.1 at epochs 60 and 80, L1 loss, LDS (Gaussian 5 / 2, square-root inverse), FDS (momentum 0.9, from
/// epoch 0, calibrating from epoch 1, clamp [0.1, 10]), 100 integer age bins from 0, model selection by validation MAE.
/// </summary>
[DirExperiment(Epochs = 90, BatchSize = 256, LearningRate = 1e-3, WeightDecay = 1e-4, SelectByMse = false)]
[LabelBins(Min = 0, Max = 100, Count = 100, Integer = true)]
[LrSchedule(ScheduleKind.MultiStep, Milestones = new[] { 60, 80 }, Gamma = 0.1)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 5, Sigma = 2, ClampMin = 0.1, ClampMax = 10)]
[Loss(LossKind.L1)]
[ShotGroups(ManyAbove = 100, FewBelow = 20)]
[Ablation]
public partial class AgeDbExperiment
{
    /// <summary>The split file (in the repository) and the images (in the folder --data names, AgeDB/ inside it).</summary>
    [Data]
    public static DirSplits<Face> Load(DataContext context) => AgeDbSplit.Load(context.DataRoot);

    /// <summary>ResNet-50 without its classifier: 2,048 pooled features, which FDS calibrates.</summary>
    [Encoder(FeatureDim = ImageEncoders.BottleneckFeatures)]
    public static nn.Module<Tensor, Tensor> Encoder() => ImageEncoders.ResNet50();
}

/// <summary>Reads the official AgeDB-DIR split and points each row at its image under the user's folder.</summary>
public static class AgeDbSplit
{
    /// <summary>Where AgeDB is distributed (by its authors, on request).</summary>
    public const string Source = "https://ibug.doc.ic.ac.uk/resources/agedb/";

    /// <summary>The split file: data/agedb-dir-labels/agedb.csv of the repository (copied next to the program).</summary>
    public static string SplitFile => Path.Combine(AppContext.BaseDirectory, "agedb-dir-labels", "agedb.csv");

    /// <summary>
    /// The three splits, image paths under <paramref name="imageFolder"/>. Before anything else, the images are looked for:
    /// without them the error names the folder, the first file missed and how to get the data.
    /// </summary>
    /// <exception cref="FileNotFoundException">The split file, or the images.</exception>
    public static DirSplits<Face> Load(string imageFolder)
    {
        if (!File.Exists(SplitFile)) throw new FileNotFoundException($"The AgeDB-DIR split file is missing: {SplitFile}.", SplitFile);
        var splits = new Dictionary<string, List<Face>> { ["train"] = new(), ["val"] = new(), ["test"] = new() };
        string? firstMissing = null;
        int missing = 0;
        foreach (var (line, number) in File.ReadLines(SplitFile).Select((l, i) => (l, i + 1)).Skip(1))
        {
            var cells = line.Split(',');
            if (cells.Length != 3 || !int.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int age) || !splits.ContainsKey(cells[2]))
                throw new DataFormatException(SplitFile, number, "age,path,split", $"expected 'age,path,split' with split train, val or test, not '{line}'");
            string path = Path.Combine(imageFolder, cells[1]);
            if (!File.Exists(path))
            {
                firstMissing ??= cells[1];
                missing++;
            }
            splits[cells[2]].Add(new Face(path, age));
        }
        if (firstMissing is not null)
            throw new FileNotFoundException(
                $"AgeDB-DIR needs the AgeDB images: looked in '{Path.GetFullPath(imageFolder)}' and did not find '{firstMissing}' "
                + $"({missing:N0} of {splits.Values.Sum(s => s.Count):N0} images missing). AgeDB is distributed by its authors on request ({Source}); "
                + "unpack it so that <folder>/AgeDB/<name>.jpg exist and run with --data <folder>.", Path.Combine(imageFolder, firstMissing));
        return new DirSplits<Face>(splits["train"], splits["val"], splits["test"]);
    }
}
