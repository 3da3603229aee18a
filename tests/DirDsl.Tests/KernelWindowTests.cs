using Xunit;

namespace DirDsl.Tests;

/// <summary>Kernel windows against Vectors/kernel_windows.json (reference: scipy gaussian_filter1d, signal.triang, laplace).</summary>
public sealed class KernelWindowTests
{
    public static TheoryData<int> Cases() => new(Enumerable.Range(0, Vectors.Load("kernel_windows.json").GetProperty("cases").GetArrayLength()));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Windows_MatchReference(int index)
    {
        var c = Vectors.Load("kernel_windows.json").GetProperty("cases")[index];
        var kernel = Vectors.ParseKernel(c.GetProperty("kernel").GetString()!);
        int size = c.GetProperty("size").GetInt32();
        double sigma = c.GetProperty("sigma").GetDouble();
        var lds = KernelWindow.ForLds(kernel, size, sigma);
        var fds = KernelWindow.ForFds(kernel, size, sigma);
        var expectedLds = c.GetProperty("lds_window").Doubles();
        var expectedFds = c.GetProperty("fds_window").Doubles();
        Assert.Equal(size, lds.Length);
        for (int i = 0; i < size; i++)
        {
            Vectors.Close(expectedLds[i], lds[i], 1e-5, 1e-7, $"{kernel} ks={size} sigma={sigma} LDS[{i}]");
            Vectors.Close(expectedFds[i], fds[i], 1e-5, 1e-7, $"{kernel} ks={size} sigma={sigma} FDS[{i}]");
        }
    }

    [Fact]
    public void Gaussian_FoldsReflectedTails_NotPlainExponential()
    {
        // SPEC 2: ks=3, sigma=2 is about [0.99958, 1, 0.99958], not exp(-1/8) = 0.8825.
        var w = KernelWindow.ForLds(Kernel.Gaussian, 3, 2);
        Assert.InRange(w[0], 0.9995, 0.9997);
        Assert.Equal(1.0, w[1]);
    }

    [Fact]
    public void Triangular_IsHandDerived()
    {
        var w = KernelWindow.ForLds(Kernel.Triangular, 5, 1);
        Assert.Equal(new[] { 1 / 3.0, 2 / 3.0, 1, 2 / 3.0, 1 / 3.0 }, w, (a, b) => Math.Abs(a - b) < 1e-15);
        Assert.Equal(1.0, KernelWindow.ForFds(Kernel.Laplace, 7, 0.5).Sum(), 12);
    }

    [Theory]
    [InlineData(4, 2.0, "size")]
    [InlineData(1, 2.0, "size")]
    [InlineData(0, 2.0, "size")]
    [InlineData(-3, 2.0, "size")]
    [InlineData(5, 0.0, "sigma")]
    [InlineData(5, -1.0, "sigma")]
    [InlineData(5, double.NaN, "sigma")]
    [InlineData(5, double.PositiveInfinity, "sigma")]
    public void InvalidKernel_ThrowsNamingTheArgument(int size, double sigma, string parameter)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => KernelWindow.ForLds(Kernel.Gaussian, size, sigma));
        Assert.Equal(parameter, e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelWindow.ForFds(Kernel.Laplace, size, sigma));
    }
}
