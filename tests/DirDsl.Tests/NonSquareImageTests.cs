using DirDsl.Images;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace DirDsl.Tests;

/// <summary>Images that are not square ([Image(Size, Height)]): decoded to columns x rows, augmented, and moved with their depth maps.</summary>
public sealed class NonSquareImageTests
{
    private const int Columns = 8, Rows = 4;

    public sealed record Shot(float[] Pixels, float[] Depth);

    private sealed class ShotMap(ImageSpec spec) : ImageDepthFeatureMap<Shot>(spec, new DepthMapSpec(Rows, Columns), BadRecordPolicy.Error, "Pixels", "Depth",
        record => ImageInput.FromPixels(record.Pixels), record => DepthMapInput.FromValues(record.Depth, Rows, Columns));

    [Fact]
    public void AWideImage_DecodesToItsColumnsAndRows()
    {
        // 60 x 30 (wide), left half black, right half white, resized to 40 x 20: every row is 20 dark then 20 light columns.
        using var bitmap = new SKBitmap(new SKImageInfo(60, 30, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 60; x++)
                bitmap.SetPixel(x, y, x < 30 ? SKColors.Black : SKColors.White);
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        var spec = new ImageSpec(40, ImageColor.Gray) { Height = 20 };
        Assert.Equal((20, 40, 800), (spec.Rows, spec.Columns, spec.Width));
        Assert.Equal(new long[] { 1, 20, 40 }, spec.Layout.Shape);
        var chw = new float[spec.Width];
        ImageDecoder.Decode(ImageInput.FromEncoded(png.ToArray()), spec, chw);
        for (int y = 0; y < 20; y++)
        {
            Assert.All(Enumerable.Range(0, 19), x => Assert.True(chw[y * 40 + x] < 0.05, $"({y}, {x}) is {chw[y * 40 + x]}"));
            Assert.All(Enumerable.Range(21, 19), x => Assert.True(chw[y * 40 + x] > 0.95, $"({y}, {x}) is {chw[y * 40 + x]}"));
        }
        // A Height outside 1..4096 is refused by name.
        Assert.Equal("Height", Assert.Throws<ArgumentException>(() => new ImageSpec(40) { Height = -1 }.Validated()).ParamName);
        Assert.Equal("Padding", Assert.Throws<ArgumentException>(() => new ImageSpec(40, Padding: 21) { Height = 20 }.Validated()).ParamName);
    }

    [Fact]
    public void AWideImageAndItsMap_ShowTheSameCropAndFlip_PixelForPixel()
    {
        var spec = new ImageSpec(Columns, ImageColor.Gray, Mean: 0.5, Std: 0.25, Augment: true, Padding: 2, Flip: true) { Height = Rows };
        var records = Enumerable.Range(0, 16).Select(r =>
        {
            var pixels = Enumerable.Range(0, Rows * Columns).Select(i => (float)(0.1 + 0.8 * ((i * 5 + r * 11) % 32) / 31.0)).ToArray();
            return new Shot(pixels, pixels.Select(p => 10 * p).ToArray());
        }).ToList();
        using var split = SplitData.Create(new ShotMap(spec), records, "train", LabelBins.Uniform(0, 12, 12), 1, CPU, DataPath.Streaming);
        int padded = 0, flipped = 0;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            using var reader = split.Read(new[] { Enumerable.Range(0, 16).Select(i => (long)i).ToArray() }, new Augmentation(3, epoch));
            var batch = reader.Next()!;
            var inputs = batch.Inputs.data<float>().ToArray();
            var targets = batch.ScaledTargets.data<float>().ToArray();
            var mask = batch.Mask!.data<float>().ToArray();
            for (int r = 0; r < 16; r++)
            {
                if (ImageTransform.Draw(spec, new Augmentation(3, epoch).For(r)).Flip) flipped++;
                for (int p = 0; p < Rows * Columns; p++)
                {
                    int at = r * Rows * Columns + p;
                    double level = inputs[at] * 0.25 + 0.5;
                    if (mask[at] == 1) Assert.Equal(10 * level, targets[at], 4);
                    else
                    {
                        padded++;
                        Assert.Equal(0, level, 5);
                    }
                }
            }
        }
        Assert.True(padded > 0 && flipped > 0, $"the draws should pad some pixels ({padded}) and flip some records ({flipped})");
    }
}
