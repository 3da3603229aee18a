using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Testing;

/// <summary>
/// A small image encoder written the way users write theirs, from the common TorchSharp modules and tensor-scalar
/// operations that hand TorchSharp 0.107 temporary Scalars on every step: BatchNorm (its batch counter), LeakyReLU(0.1),
/// ELU, GELU, Hardtanh, Dropout(p), <c>x * 0.5</c>, a residual <c>a + b</c>, <c>clamp(min, max)</c> and <c>pow(2)</c>.
/// Used by the benchmarks' soak command and the forced-collection test (one definition, linked into both).
/// </summary>
public sealed class CommonModulesNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> stem, norm, leaky, branch, gelu, elu, hardtanh, dropout, pool, head;

    /// <summary>An encoder of 3-channel images of any size to one number per image.</summary>
    public CommonModulesNet(int channels = 8) : base(nameof(CommonModulesNet))
    {
        stem = nn.Conv2d(3, channels, 3, padding: 1);
        norm = nn.BatchNorm2d(channels);
        leaky = nn.LeakyReLU(0.1);
        branch = nn.Conv2d(channels, channels, 3, padding: 1);
        gelu = nn.GELU();
        elu = nn.ELU();
        hardtanh = nn.Hardtanh();
        dropout = nn.Dropout(0.1);
        pool = nn.AdaptiveAvgPool2d(1);
        head = nn.Linear(channels, 1);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var h = leaky.call(norm.call(stem.call(input))) * 0.5;
        h = h + gelu.call(branch.call(h));            // a residual connection
        h = elu.call(h).clamp(-3.0, 3.0);
        h = dropout.call(hardtanh.call(h)).pow(2) - 0.25;
        return head.call(pool.call(h).flatten(1));
    }
}
