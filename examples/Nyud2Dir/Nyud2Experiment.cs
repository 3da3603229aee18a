using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using DirDsl;
using DirDsl.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Examples.Nyud2Dir;

/// <summary>
/// A photo of NYU Depth v2 and its depth map, as the reference's data archive stores them: a 640 x 480 JPEG and an 8-bit
/// PNG of depth / 10 m x 255 (the training maps; test maps are 16-bit millimetres, which <see cref="NyuData"/> converts).
/// The photo is resized whole to 304 x 228 and the map, nearest by pixel centre, to the network's 152 x 114 output.
/// </summary>
public sealed record Scene(
    [property: Image(304, Height = 228, Mean = 0.45, Std = 0.225, Padding = 0)] string Photo,
    [property: DepthMap(114, 152, Scale = NyuData.TrainScale, Max = 10)] string Depth);

/// <summary>
/// NYUD2-DIR as the reference trains it: the ResNet-50 encoder-decoder of Hu et al. (ImageNet weights when
/// DIRDSL_RESNET50_WEIGHTS names a TorchVision state dict), Adam lr 1e-4 with weight decay 1e-4, batch 32, 10 epochs with
/// the rate x0.1 from epoch 5, the per-pixel MSE, 100 bins of 0.1 m (Truncate); LDS Gaussian 5 / 2 with square-root inverse
/// weights, reflect padding from bin 7; FDS momentum 0.9 from epoch 0, calibrating from epoch 1, clamp [0.2, 5], from bin 7,
/// its statistics from an unaugmented pass in training mode, the lagged order; the reference's explicit shot bins; the
/// balanced test mask. Differences (README): model selection on a validation split of training scenes (the reference picks
/// the best test epoch); evaluation at the output's 152 x 114 with the mask's pixels mapped to it (the reference upsamples
/// the output to 304 x 228); images resized whole rather than scaled and centre-cropped, flipped but not rotated or
/// colour-jittered; one normalisation for the three channels. FDS's statistics come from the reference's 600-image subset
/// (data/nyud2-dir), which the [Data] member gives as DirSplits.FdsSubset.
/// </summary>
[DirExperiment(Epochs = 10, BatchSize = 32, LearningRate = 1e-4, WeightDecay = 1e-4, SelectByMse = true)]
[LabelBins(Min = 0, Max = 10, Count = 100, Rule = BinRule.Truncate)]
[LrSchedule(ScheduleKind.MultiStep, Milestones = new[] { 5 }, Gamma = 0.1)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse, Padding = LdsPadding.Reflect, StartBin = 7)]
[Fds(Momentum = 0.9, StartEpoch = 0, StartSmooth = 1, Size = 5, Sigma = 2, ClampMin = 0.2, ClampMax = 5, StartBin = 7,
    Statistics = FdsStatistics.UnaugmentedPass, Order = FdsOrder.Lagged)]
[Loss(LossKind.Mse)]
[ShotGroups(
    Many = new[] { 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 47, 49 },
    Medium = new[] { 7, 8, 46, 48, 50, 51, 52, 53, 54, 55, 56, 58, 60, 61, 63 },
    Few = new[] { 0, 1, 2, 3, 4, 5, 6, 57, 59, 62, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99 })]
[Ablation]
public partial class Nyud2Experiment
{
    /// <summary>The environment variable naming ImageNet weights for the ResNet-50 (a TorchVision resnet50 state dict).</summary>
    public const string WeightsVariable = "DIRDSL_RESNET50_WEIGHTS";

    [Data]
    public static DirSplits<Scene> Load(DataContext context) => NyuData.Load(context.DataRoot, context.Log);

    [Encoder(FeatureDim = 128)]
    public static nn.Module<Tensor, Tensor> Encoder() => DepthNetworks.ResNet50(weights: Environment.GetEnvironmentVariable(WeightsVariable));

    [Regressor]
    public static nn.Module<Tensor, Tensor> Regressor(int featureDim) => DepthEncoderDecoder.Regressor(featureDim);
}

/// <summary>Reads the reference's NYU Depth v2 folder: the split files, the training and test maps, the balanced test mask.</summary>
public static class NyuData
{
    /// <summary>A training map's stored 8-bit value to metres: v / 255 x 10.</summary>
    public const double TrainScale = 10.0 / 255;

    /// <summary>Where the data comes from: the reference's download script, which unpacks its archive as data/.</summary>
    public const string Source = "https://github.com/YyzHarry/imbalanced-regression/tree/main/nyud2-dir";

    /// <summary>The files the folder must hold, in the order they are looked for.</summary>
    public static readonly string[] Required = { "nyu2_train.csv", "nyu2_test.csv", "test_balanced_mask.npy" };

    /// <summary>One in this many training scenes (by a hash of the scene's name) is the validation split.</summary>
    public const int ValidationSceneShare = 20;

    /// <summary>The test crop of the reference: scale 640 x 480 to 320 x 240, keep 304 x 228 at offset (8, 6).</summary>
    private const int ScaledWidth = 320, ScaledHeight = 240, CropWidth = 304, CropHeight = 228, CropLeft = 8, CropTop = 6;

    /// <summary>
    /// The splits: training scenes less the validation scenes, and the test photos with depth maps in metres (scaled to the
    /// training maps' unit) in which only the balanced mask's pixels have a target. Without the data: one error naming the
    /// folder, the first file missed and how to get it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder lacks a file the example needs.</exception>
    public static DirSplits<Scene> Load(string folder, TextWriter log)
    {
        var full = Path.GetFullPath(folder);
        foreach (var file in Required)
            if (!File.Exists(Path.Combine(full, file)))
                throw new FileNotFoundException(
                    $"NYUD2-DIR needs the reference's NYU Depth v2 data: looked in '{full}' and did not find '{file}'. Get it with the reference's "
                    + $"download_nyud2.py ({Source}), which unpacks data/ with nyu2_train/, nyu2_test/, nyu2_train.csv and nyu2_test.csv; put "
                    + "test_balanced_mask.npy from the reference's nyud2-dir/data/ beside them and run with --data <that folder>.", Path.Combine(full, file));
        var train = new List<Scene>();
        var validation = new List<Scene>();
        foreach (var (photo, depth) in Rows(full, "nyu2_train.csv"))
            (SceneOf(photo) is var scene && Bucket(scene) == 0 ? validation : train).Add(new Scene(photo, depth));
        var testRows = Rows(full, "nyu2_test.csv").ToList();
        var test = BalancedTest(full, testRows, log);
        var subset = FdsSubset(full, train, log);
        log.WriteLine($"NYUD2-DIR: {train.Count:N0} training and {validation.Count:N0} validation images (one in {ValidationSceneShare} scenes), "
            + $"{test.Count:N0} test images with the balanced mask; FDS statistics over {subset.Count} training images (the reference's subset).");
        return new DirSplits<Scene>(train, validation, test) { FdsSubset = subset };
    }

    /// <summary>The subset file that travels with the program: data/nyud2-dir/nyu2_train_FDS_subset.csv of the repository.</summary>
    public static string SubsetFile => Path.Combine(AppContext.BaseDirectory, "nyud2-dir", "nyu2_train_FDS_subset.csv");

    /// <summary>
    /// The reference's 600 FDS images as positions in the training split, in the file's order; those in a validation scene
    /// are left out (and counted in the log), a row naming no training image is an error naming it.
    /// </summary>
    private static IReadOnlyList<int> FdsSubset(string folder, List<Scene> train, TextWriter log)
    {
        if (!File.Exists(SubsetFile)) throw new FileNotFoundException($"The NYUD2-DIR FDS subset is missing: {SubsetFile}.", SubsetFile);
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < train.Count; i++) position[train[i].Photo] = i;
        var subset = new List<int>();
        int inValidation = 0, number = 0;
        foreach (var line in File.ReadLines(SubsetFile))
        {
            number++;
            if (line.Length == 0) continue;
            string photo = LocalPath(folder, line.Split(',')[0]);
            if (position.TryGetValue(photo, out int at)) subset.Add(at);
            else if (Bucket(SceneOf(photo)) == 0) inValidation++;
            else throw new DataFormatException(SubsetFile, number, null, $"names '{photo}', which nyu2_train.csv does not list");
        }
        if (inValidation > 0) log.WriteLine($"NYUD2-DIR: {inValidation} of the FDS subset's images are in validation scenes and are left out of it.");
        return subset;
    }

    /// <summary>A split file's rows as full paths (the reference's paths start with data/, which is the folder itself).</summary>
    private static IEnumerable<(string Photo, string Depth)> Rows(string folder, string file)
    {
        string path = Path.Combine(folder, file);
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != 2) throw new DataFormatException(path, number, null, $"expected 'image,depth', not '{line}'");
            var row = (LocalPath(folder, cells[0]), LocalPath(folder, cells[1]));
            foreach (var needed in new[] { row.Item1, row.Item2 })
                if (!File.Exists(needed))
                    throw new FileNotFoundException($"NYUD2-DIR: {file} row {number} names '{needed}', which does not exist; unpack the whole archive ({Source}).", needed);
            yield return row;
        }
    }

    /// <summary>A path as the reference's CSV files write it (data/nyu2_train/...) under the user's folder, which is data/ itself.</summary>
    private static string LocalPath(string folder, string referencePath) => Path.Combine(folder, string.Join('/', referencePath.Trim().Split('/').Skip(1)));

    /// <summary>The scene directory of a training photo (data/nyu2_train/&lt;scene&gt;/&lt;n&gt;.jpg).</summary>
    private static string SceneOf(string photo) => Path.GetFileName(Path.GetDirectoryName(photo)) ?? "";

    /// <summary>A stable bucket of a scene name (FNV-1a), so the validation scenes are the same on every machine.</summary>
    private static int Bucket(string scene)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(scene)) hash = (hash ^ b) * 16777619;
        return (int)(hash % ValidationSceneShare);
    }

    /// <summary>
    /// The test records: each 16-bit depth map in millimetres read at the map size (nearest), the pixels the balanced mask
    /// does not keep set to NaN, stored in the training maps' unit as .npy files beside the run (written once, atomically).
    /// A map pixel is kept when the mask keeps the crop pixel under its centre; pixels outside the reference's crop are not
    /// evaluated.
    /// </summary>
    private static List<Scene> BalancedTest(string folder, List<(string Photo, string Depth)> rows, TextWriter log)
    {
        var (mask, count, height, width) = ReadMask(Path.Combine(folder, "test_balanced_mask.npy"));
        if (count != rows.Count || height != CropHeight || width != CropWidth)
            throw new DataFormatException(Path.Combine(folder, "test_balanced_mask.npy"), 1, null,
                $"holds {count} masks of {height} x {width}; nyu2_test.csv has {rows.Count} rows and the reference's crop is {CropHeight} x {CropWidth}");
        var spec = new DepthMapSpec(114, 152, Scale: 0.001, Max: 10);
        var cache = Path.Combine(folder, ".dirdsl-balanced-test");
        Directory.CreateDirectory(cache);
        var scenes = new List<Scene>(rows.Count);
        var metres = new float[spec.Elements];
        for (int i = 0; i < rows.Count; i++)
        {
            string file = Path.Combine(cache, $"{i:D4}.npy");
            if (!File.Exists(file))
            {
                DepthMapReader.Read(DepthMapInput.File(rows[i].Depth), spec, metres);
                for (int y = 0; y < spec.Height; y++)
                    for (int x = 0; x < spec.Width; x++)
                    {
                        // The map pixel's centre in the 320 x 240 frame, then in the 304 x 228 crop.
                        double cx = (x + 0.5) * ScaledWidth / spec.Width - CropLeft, cy = (y + 0.5) * ScaledHeight / spec.Height - CropTop;
                        bool kept = cx >= 0 && cx < CropWidth && cy >= 0 && cy < CropHeight && mask[((long)i * CropHeight + (int)cy) * CropWidth + (int)cx];
                        int at = y * spec.Width + x;
                        metres[at] = kept ? (float)(metres[at] / TrainScale) : float.NaN;
                    }
                WriteNpy(file, metres, spec.Height, spec.Width);
            }
            scenes.Add(new Scene(rows[i].Photo, file));
        }
        log.WriteLine($"NYUD2-DIR: balanced test maps in '{cache}'.");
        return scenes;
    }

    /// <summary>Reads a NumPy bool (or uint8) array [n, h, w] or [n, 1, h, w].</summary>
    private static (bool[] Mask, int Count, int Height, int Width) ReadMask(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new DataFormatException(path, 1, null, "is not a NumPy .npy file");
        int headerLength = bytes[6] == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int start = bytes[6] == 1 ? 10 : 12;
        string header = Encoding.ASCII.GetString(bytes, start, headerLength);
        if (!header.Contains("'|b1'") && !header.Contains("'|u1'")) throw new DataFormatException(path, 1, null, $"holds '{header.Trim()}'; a bool or uint8 mask is needed");
        if (header.Contains("'fortran_order': True")) throw new DataFormatException(path, 1, null, "is in Fortran order");
        var dims = header[(header.IndexOf('(') + 1)..header.IndexOf(')')].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        if (dims.Length == 4 && dims[1] == 1) dims = new[] { dims[0], dims[2], dims[3] };
        if (dims.Length != 3) throw new DataFormatException(path, 1, null, $"has shape ({string.Join(", ", dims)}); [n, h, w] is needed");
        long values = (long)dims[0] * dims[1] * dims[2];
        int data = start + headerLength;
        if (bytes.Length - data < values) throw new DataFormatException(path, 1, null, "is truncated");
        var mask = new bool[values];
        for (long v = 0; v < values; v++) mask[v] = bytes[data + v] != 0;
        return (mask, dims[0], dims[1], dims[2]);
    }

    /// <summary>Writes a little-endian float32 .npy of [h, w], atomically (a temporary file, then a rename).</summary>
    private static void WriteNpy(string path, float[] values, int height, int width)
    {
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({height}, {width}), }}";
        int padded = (10 + header.Length + 1 + 63) / 64 * 64 - 10;
        header = header.PadRight(padded - 1) + "\n";
        using var stream = new MemoryStream();
        stream.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var buffer = new byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
            stream.Write(buffer);
        }
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, stream.ToArray());
        File.Move(temporary, path, overwrite: true);
    }
}
