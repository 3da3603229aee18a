namespace DirDsl;

/// <summary>
/// Also add a row "BSAM" (Liu et al., ICCV 2025): sharpness-aware minimisation whose perturbation and update both use
/// the loss weighted per sample by inverse label frequency. The row trains with the experiment's [Loss] (the paper's
/// setting is <c>[Loss(LossKind.L1)]</c>) and neither LDS nor FDS. See <see cref="Bsam"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BsamAttribute : Attribute
{
    /// <summary>The perturbation radius; finite and greater than 0 (DIR044).</summary>
    public double Rho { get; set; } = DslDefaults.BsamRho;
}
