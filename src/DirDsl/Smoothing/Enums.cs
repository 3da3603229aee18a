// Dependency-free: this file is linked into the netstandard2.0 generator, where its types
// must be internal (DIRDSL_GENERATOR), or a project seeing both assemblies hits CS0433.
namespace DirDsl;

/// <summary>The symmetric smoothing kernel used by LDS and FDS.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum Kernel
{
    /// <summary>Gaussian, built exactly as the reference: a 1-D Gaussian filter run over a unit impulse.</summary>
    Gaussian,
    /// <summary>Triangular: w(k) = 1 - |k| / (h + 1). Sigma is not used.</summary>
    Triangular,
    /// <summary>Laplace: w(k) = exp(-|k| / sigma) / (2 sigma).</summary>
    Laplace,
}

/// <summary>How per-bin label counts become loss weights.</summary>
#if DIRDSL_GENERATOR
internal
#else
public
#endif
enum Reweight
{
    /// <summary>Unit weights. LDS cannot be combined with this mode (DIR007).</summary>
    None,
    /// <summary>Weight 1 / count (after optional clipping of the counts).</summary>
    Inverse,
    /// <summary>Weight 1 / sqrt(count).</summary>
    SqrtInverse,
}
