using System.Globalization;
using DirDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace Examples.KingCounty;

/// <summary>
/// A house sale. Two members may be missing (nullable): DirDsl fills them with the training median and adds a 0/1
/// column that marks the filled ones. Price in thousands of dollars.
/// </summary>
public sealed record House(
    [property: Feature] double Bedrooms,
    [property: Feature] double Bathrooms,
    [property: Feature] double SqftLiving,
    [property: Feature] double SqftLot,
    [property: Feature] double Floors,
    [property: Feature] bool Waterfront,
    [property: Feature] double View,
    [property: Feature] double Condition,
    [property: Feature] double Grade,
    [property: Feature] int? YearBuilt,
    [property: Feature(Impute = Imputation.Median)] double? SqftLiving15,
    [property: Feature] double Latitude,
    [property: Feature] double Longitude,
    [property: Target] double PriceThousands);

/// <summary>
/// House prices from a CSV with empty cells and a capped target, as a new user's data often is. The real King County
/// sales (data/king-county-house-sales, complete and uncapped) are turned into that demo file on first run: prices above
/// 1,500,000 are top-coded to 1,500,000, as census data caps house values, and 5% of the cells of yr_built and
/// sqft_living15 are emptied at random (seed 17). The run then says how many cells it filled per member and warns that
/// the maximum price holds far more records than its neighbouring bins.
/// </summary>
[DirExperiment(Epochs = 20, BatchSize = 256, LearningRate = 1e-3, Seed = 0, TargetScale = 100, SelectByMse = false)]
[LabelBins(Min = 0, Max = 1550, Count = 31)]
[Lds(Kernel.Gaussian, Size = 5, Sigma = 2, Reweight = Reweight.SqrtInverse)]
[Loss(LossKind.L1)]
[Ablation(Seeds = 3)]
public partial class KingCountyExperiment
{
    /// <summary>Prices above this are top-coded to it in the demo file.</summary>
    public const double CapDollars = 1_500_000;

    [Data]
    public static DirSplits<House> Load(DataContext context)
    {
        var demo = KingCountyDemo.Prepare(context.File("king-county-house-sales/kc_house_data.csv"), context.Log);
        var houses = CsvSource.Read(demo, row => new House(
            row.Double("bedrooms"), row.Double("bathrooms"), row.Double("sqft_living"), row.Double("sqft_lot"), row.Double("floors"),
            row.Int("waterfront") == 1, row.Double("view"), row.Double("condition"), row.Double("grade"),
            row.IntOrNull("yr_built"), row.DoubleOrNull("sqft_living15"), row.Double("lat"), row.Double("long"),
            row.Target("price") / 1000.0));
        return BalancedSplit.Create(houses, h => (float)h.PriceThousands, Configuration.Bins, testPerBin: 40, validationPerBin: 20, seed: context.SplitSeed);
    }

    [Encoder(FeatureDim = 32)]
    public static nn.Module<Tensor, Tensor> Encoder(long inputDim) => nn.Sequential(
        nn.Linear(inputDim, 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU());
}

/// <summary>Writes the demo file (capped prices, emptied cells) beside the data folder, once; the same file for a given source.</summary>
public static class KingCountyDemo
{
    public const double EmptiedShare = 0.05;
    private static readonly string[] Emptied = { "yr_built", "sqft_living15" };

    public static string Prepare(string source, TextWriter log)
    {
        var folder = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(source)))!, "..", ".dirdsl-cache"));
        Directory.CreateDirectory(folder);
        var demo = Path.Combine(folder, "kc_house_capped_with_gaps.csv");
        if (File.Exists(demo) && File.GetLastWriteTimeUtc(demo) >= File.GetLastWriteTimeUtc(source)) return demo;
        var lines = File.ReadAllLines(source);
        var header = lines[0].Split(',');
        int price = Array.IndexOf(header, "price");
        var emptied = Emptied.Select(c => Array.IndexOf(header, c)).ToArray();
        var random = new Random(17);
        int capped = 0, blanks = 0;
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (double.Parse(cells[price], CultureInfo.InvariantCulture) > KingCountyExperiment.CapDollars)
            {
                cells[price] = KingCountyExperiment.CapDollars.ToString("0.00", CultureInfo.InvariantCulture);
                capped++;
            }
            foreach (var column in emptied)
            {
                if (random.NextDouble() < EmptiedShare)
                {
                    cells[column] = "";
                    blanks++;
                }
            }
            lines[i] = string.Join(',', cells);
        }
        var temp = demo + ".tmp";
        File.WriteAllLines(temp, lines);
        File.Move(temp, demo, overwrite: true);
        log.WriteLine($"Demo file {demo}: {capped} prices top-coded to {KingCountyExperiment.CapDollars:N0}, {blanks} cells of {string.Join(" and ", Emptied)} emptied.");
        return demo;
    }
}
