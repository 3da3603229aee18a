using DirDsl.Images;
using SkiaSharp;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>Decoding, augmentation, bad files and image encoders, each against an independent expectation.</summary>
public sealed class ImageTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dirdsl-images").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A 4 x 4 PNG whose pixel (x, y) is (10x + 1, 20y + 2, 30 + x + y); lossless, so every value is known.</summary>
    private string KnownPng()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(4, 4, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(10 * x + 1), (byte)(20 * y + 2), (byte)(30 + x + y)));
        string path = Path.Combine(folder, "known.png");
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Fact]
    public void Png_DecodesToChannelMajorValuesOverTwoHundredFiftyFive()
    {
        var spec = new ImageSpec(4, ImageColor.Rgb, Padding: 0);
        var chw = new float[spec.Width];
        ImageDecoder.Decode(ImageInput.File(KnownPng()), spec, chw);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
            {
                Assert.Equal((10 * x + 1) / 255f, chw[0 * 16 + y * 4 + x]);
                Assert.Equal((20 * y + 2) / 255f, chw[1 * 16 + y * 4 + x]);
                Assert.Equal((30 + x + y) / 255f, chw[2 * 16 + y * 4 + x]);
            }
    }

    [Fact]
    public void Gray_IsPilsIntegerLuma()
    {
        var spec = new ImageSpec(4, ImageColor.Gray, Padding: 0);
        var chw = new float[spec.Width];
        ImageDecoder.Decode(ImageInput.FromEncoded(File.ReadAllBytes(KnownPng())), spec, chw);
        // PIL: L = R * 299/1000 + G * 587/1000 + B * 114/1000, rounded. Pixel (3, 2): R 31, G 42, B 35.
        Assert.Equal(MathF.Round((31 * 299 + 42 * 587 + 35 * 114) / 1000f) / 255f, chw[2 * 4 + 3], 6);
    }

    [Fact]
    public void Jpeg_OfOneColour_DecodesCloseToIt_AndLargerImagesAreResized()
    {
        string path = Path.Combine(folder, "solid.jpg");
        using (var bitmap = new SKBitmap(new SKImageInfo(40, 30, SKColorType.Rgba8888, SKAlphaType.Unpremul)))
        {
            bitmap.Erase(new SKColor(200, 100, 50));
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
            File.WriteAllBytes(path, data.ToArray());
        }
        var spec = new ImageSpec(8, ImageColor.Rgb);
        var chw = new float[spec.Width];
        ImageDecoder.Decode(ImageInput.File(path), spec, chw);
        // A solid colour stays that colour through JPEG's quantisation (within a few levels) and any resampling.
        Assert.All(chw.AsSpan(0, 64).ToArray(), v => Assert.InRange(v * 255, 196, 204));
        Assert.All(chw.AsSpan(64, 64).ToArray(), v => Assert.InRange(v * 255, 96, 104));
        Assert.All(chw.AsSpan(128, 64).ToArray(), v => Assert.InRange(v * 255, 46, 54));
    }

    [Fact]
    public void Augmentation_IsPadThenCropThenFlip_ExactlyForTheDraw()
    {
        var spec = new ImageSpec(4, ImageColor.Gray, Mean: 0.25, Std: 0.5, Padding: 2, Flip: true);
        var chw = Enumerable.Range(0, 16).Select(i => i / 16f).ToArray();
        var seen = new HashSet<(int, int, bool)>();
        for (int record = 0; record < 200; record++)
        {
            var draw = new AugmentationDraw(3, 1, record);
            var (top, left, flip) = ImageTransform.Draw(spec, draw);
            seen.Add((top, left, flip));
            // Independent construction: an 8 x 8 zero-padded copy, the 4 x 4 window at (top, left), mirrored if flipped.
            var padded = new float[8, 8];
            for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) padded[y + 2, x + 2] = chw[y * 4 + x];
            var row = new float[16];
            ImageTransform.Augment(chw, spec, draw, row);
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++)
                {
                    float expected = (padded[top + y, left + (flip ? 3 - x : x)] - 0.25f) / 0.5f;
                    Assert.Equal(expected, row[y * 4 + x], 6);
                }
        }
        // Offsets cover [0, 2 x Padding] on both axes, with and without the flip.
        Assert.Equal(5 * 5 * 2, seen.Count);
    }

    [Fact]
    public void Draws_AreAFunctionOfSeedEpochAndRecord_AndUniform()
    {
        var spec = new ImageSpec(64, Padding: 16);
        Assert.Equal(ImageTransform.Draw(spec, new AugmentationDraw(1, 4, 17)), ImageTransform.Draw(spec, new AugmentationDraw(1, 4, 17)));
        int differentEpoch = Enumerable.Range(0, 100).Count(r => ImageTransform.Draw(spec, new AugmentationDraw(1, 4, r)) != ImageTransform.Draw(spec, new AugmentationDraw(1, 5, r)));
        int differentSeed = Enumerable.Range(0, 100).Count(r => ImageTransform.Draw(spec, new AugmentationDraw(1, 4, r)) != ImageTransform.Draw(spec, new AugmentationDraw(2, 4, r)));
        // Another epoch or seed gives another crop for almost every record (a repeat has probability 1 / (33 x 33 x 2)).
        Assert.InRange(differentEpoch, 95, 100);
        Assert.InRange(differentSeed, 95, 100);
        // 33 offsets, 33,000 draws: each count is binomial(33000, 1/33), mean 1000, sd about 31; 6 sd either side.
        var counts = new int[33];
        int flips = 0;
        for (int r = 0; r < 33_000; r++)
        {
            var (top, _, flip) = ImageTransform.Draw(spec, new AugmentationDraw(9, 0, r));
            counts[top]++;
            if (flip) flips++;
        }
        Assert.All(counts, c => Assert.InRange(c, 1000 - 186, 1000 + 186));
        Assert.InRange(flips, 16_500 - 550, 16_500 + 550);
    }

    [Fact]
    public void MissingAndCorruptFiles_AreErrorsNamingTheFileAndTheRecord()
    {
        string corrupt = Path.Combine(folder, "corrupt.png");
        var png = File.ReadAllBytes(KnownPng());
        File.WriteAllBytes(corrupt, png.AsSpan(0, png.Length / 2).ToArray());
        string notAnImage = Path.Combine(folder, "notes.jpg");
        File.WriteAllText(notAnImage, "this is not a picture");
        string missing = Path.Combine(folder, "missing.png");
        var map = new PathMap(new ImageSpec(4, ImageColor.Rgb, Augment: false, Padding: 0));
        var row = new float[map.Width];

        var e = Assert.Throws<DirDataException>(() => map.Write(missing, row, "train", 3));
        Assert.Equal($"train split, record 3, member 'Path': file '{missing}' does not exist", e.Message);
        e = Assert.Throws<DirDataException>(() => map.Write(corrupt, row, "test", 7));
        Assert.True(e.Message.StartsWith($"test split, record 7, member 'Path': file '{corrupt}' is damaged or truncated", StringComparison.Ordinal), e.Message);
        // A JPEG cut after its header: the header reads, the pixels do not.
        string cut = Path.Combine(folder, "cut.jpg");
        using (var bitmap = new SKBitmap(new SKImageInfo(64, 64, SKColorType.Rgba8888, SKAlphaType.Unpremul)))
        {
            for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) bitmap.SetPixel(x, y, new SKColor((byte)(4 * x), (byte)(4 * y), 7));
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
            var bytes = data.ToArray();
            File.WriteAllBytes(cut, bytes.AsSpan(0, bytes.Length * 2 / 3).ToArray());
        }
        Assert.Null(ImageDecoder.Check(ImageInput.File(cut), map.Spec));
        e = Assert.Throws<DirDataException>(() => map.Write(cut, row, "train", 5));
        Assert.Equal($"train split, record 5, member 'Path': file '{cut}' is damaged or truncated: the decoder stopped with IncompleteInput after its header.", e.Message);
        e = Assert.Throws<DirDataException>(() => map.Write(notAnImage, row, "validation", 0));
        Assert.StartsWith($"validation split, record 0, member 'Path': file '{notAnImage}' is not an image the decoder can read", e.Message);
    }

    [Fact]
    public void Screening_StopsAtTheFirstBadRecord_OrSkipsAndReportsThem()
    {
        string good = KnownPng(), missing = Path.Combine(folder, "gone.png");
        var records = new[] { good, missing, good, missing + "2" };
        var error = new PathMap(new ImageSpec(4, Padding: 0));
        var e = Assert.Throws<DirDataException>(() => RecordScreening.Screen(error, records, "train", TextWriter.Null));
        Assert.StartsWith($"train split, record 1, member 'Path': file '{missing}' does not exist (1 more records", e.Message);

        var skip = new PathMap(new ImageSpec(4, Padding: 0), BadRecordPolicy.Skip);
        var log = new StringWriter();
        var kept = RecordScreening.Screen(skip, records, "train", log);
        Assert.Equal(new[] { good, good }, kept.ToArray());
        Assert.Contains($"train split: 2 of 4 records skipped, their 'Path' cannot be read (record 1, 'Path': file '{missing}' does not exist; record 3, 'Path':", log.ToString());
    }

    [Fact]
    public void PixelArrays_OfTheWrongLengthOrRange_AreErrors()
    {
        var spec = new ImageSpec(2, ImageColor.Gray, Padding: 0);
        Assert.Equal("pixel array has 3 values; [Image(Size = 2, Color = Gray)] needs 1 x 2 x 2 = 4", ImageDecoder.Check(ImageInput.FromPixels(new float[3]), spec));
        Assert.Equal("pixel array value 1 is NaN; pixels must lie in [0, 1]", ImageDecoder.Check(ImageInput.FromPixels(new[] { 0f, float.NaN, 0, 0 }), spec));
        Assert.Null(ImageDecoder.Check(ImageInput.FromPixels(new[] { 0f, 1, 0.5f, 0.25f }), spec));
    }

    [Fact]
    public void ResNet18_ReturnsPooledFeatures_AndTheFeatureDimIsChecked()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        using var encoder = ImageEncoders.ResNet18(channels: 1);
        encoder.eval();
        var features = encoder.call(randn(2, 1, 32, 32));
        Assert.Equal(new long[] { 2, ImageEncoders.BasicBlockFeatures }, features.shape);
        using var regressor = nn.Linear(512, 1);
        var e = Assert.Throws<InvalidOperationException>(() => ModelChecks.CheckShapes(encoder, regressor, new long[] { 1, 32, 32 }, 256, "Encoder"));
        Assert.Equal("[Encoder] Encoder returns features of shape [2, 512] for inputs of shape [n, 1, 32, 32], but [Encoder(FeatureDim = 256)] says [n, 256]. Make them agree.", e.Message);
        // The parameter names are TorchVision's, without the classifier.
        var names = encoder.state_dict().Keys.ToList();
        Assert.Contains("conv1.weight", names);
        Assert.Contains("layer4.1.bn2.running_var", names);
        Assert.DoesNotContain(names, n => n.StartsWith("fc.", StringComparison.Ordinal));
    }

    [Fact]
    public void InitialWeights_LoadFromTorchSharpAndPyTorchFiles_AndAWrongFileIsNamed()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        using var source = ImageEncoders.ResNet18(channels: 1);
        source.eval();
        var input = randn(1, 1, 32, 32);
        var expected = source.call(input);
        string torchSharpFile = Path.Combine(folder, "resnet18.dat"), pyTorchFile = Path.Combine(folder, "resnet18.pth");
        source.save(torchSharpFile);
        source.save_py(pyTorchFile);
        foreach (var file in new[] { torchSharpFile, pyTorchFile })
        {
            torch.manual_seed(3);
            using var loaded = ImageEncoders.ResNet18(channels: 1, weights: file);
            loaded.eval();
            Assert.True(loaded.call(input).equal(expected).all().item<bool>(), $"{file} did not reproduce the saved model");
        }
        // A state dict of another architecture lacks this one's entries.
        using var other = nn.Sequential(("conv1", nn.Conv2d(1, 64, 7, stride: 2, padding: 3, bias: false)));
        string partial = Path.Combine(folder, "partial.pth");
        other.save_py(partial);
        var e = Assert.Throws<InvalidDataException>(() => ImageEncoders.ResNet18(channels: 1, weights: partial));
        Assert.StartsWith($"Initial weights '{partial}' (PyTorch) lack ", e.Message);
        Assert.Contains("bn1.", e.Message);
    }

    /// <summary>An image map over records that are file paths (what a generated map does for a string member).</summary>
    private sealed class PathMap(ImageSpec spec, BadRecordPolicy policy = BadRecordPolicy.Error)
        : ImageFeatureMap<string>(spec, policy, "Path", "Value", ImageInput.File, _ => 0);
}
