using System.Text.Json;

namespace DirDsl.Tests;

/// <summary>
/// Reads the reference vectors in Vectors/ (copied unchanged from ../shared/vectors: outputs of
/// the original "Delving into Deep Imbalanced Regression" code; see Vectors/README.md).
/// </summary>
internal static class Vectors
{
    public static JsonElement Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", file);
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    public static double[] Doubles(this JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
    public static float[] Floats(this JsonElement e) => e.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
    public static int[] Ints(this JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
    public static float[,] Matrix(this JsonElement e)
    {
        var rows = e.EnumerateArray().Select(r => r.Floats()).ToArray();
        var m = new float[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[i].Length; j++) m[i, j] = rows[i][j];
        return m;
    }

    public static Kernel ParseKernel(string name) => name switch
    {
        "gaussian" => Kernel.Gaussian,
        "triang" => Kernel.Triangular,
        "laplace" => Kernel.Laplace,
        _ => throw new ArgumentException(name),
    };

    /// <summary>|actual - expected| within rel * |expected| + abs (the SPEC's tolerance with a floor near zero).</summary>
    public static void Close(double expected, double actual, double rel, double abs, string what)
    {
        if (!(Math.Abs(actual - expected) <= rel * Math.Abs(expected) + abs))
            throw new Xunit.Sdk.XunitException($"{what}: expected {expected:R}, got {actual:R} (rel {rel}, abs {abs}).");
    }
}
