namespace DirDsl;

/// <summary>One configuration of an ablation: which re-weighting, whether LDS smooths it, whether FDS calibrates.</summary>
/// <param name="Name">Table row name (Vanilla, Inverse, SqrtInverse, LDS, FDS, LDS+FDS).</param>
/// <param name="Reweight">Re-weighting of the loss.</param>
/// <param name="Lds">LDS settings, or null for none.</param>
/// <param name="Fds">Whether FDS is on.</param>
/// <param name="ClipMin">Lower clip of per-bin counts (negative = off).</param>
/// <param name="ClipMax">Upper clip of per-bin counts (negative = off).</param>
public sealed record DirVariant(string Name, Reweight Reweight, LdsOptions? Lds, bool Fds, double ClipMin = -1, double ClipMax = -1)
{
    /// <summary>
    /// The ablation of the paper: Vanilla, re-weighting alone (when LDS is configured), LDS, FDS,
    /// LDS+FDS, keeping only the rows the configuration allows. The configured variant is last.
    /// </summary>
    public static IReadOnlyList<DirVariant> Ablation(DirVariant configured)
    {
        var rows = new List<DirVariant> { new("Vanilla", Reweight.None, null, false) };
        if (configured.Reweight != Reweight.None)
            rows.Add(configured with { Name = configured.Reweight.ToString(), Lds = null, Fds = false });
        if (configured.Lds is not null) rows.Add(configured with { Name = "LDS", Fds = false });
        if (configured.Fds) rows.Add(new DirVariant("FDS", Reweight.None, null, true));
        if (configured.Lds is not null && configured.Fds) rows.Add(configured with { Name = "LDS+FDS" });
        return rows.GroupBy(r => r.Name).Select(g => g.Last()).ToList();
    }

    /// <summary>The name of the variant a configuration describes.</summary>
    public static string NameOf(Reweight reweight, bool lds, bool fds) => (lds, fds) switch
    {
        (true, true) => "LDS+FDS",
        (true, false) => "LDS",
        (false, true) => reweight == Reweight.None ? "FDS" : reweight + "+FDS",
        _ => reweight == Reweight.None ? "Vanilla" : reweight.ToString(),
    };

    /// <summary>Per-sample loss weights of the training targets (all 1 without re-weighting).</summary>
    public float[] SampleWeights(ReadOnlySpan<float> trainTargets, LabelBins bins) =>
        LabelDistribution.SampleWeights(trainTargets, bins, Reweight, Lds,
            ClipMin >= 0 ? ClipMin : null, ClipMax >= 0 ? ClipMax : null);

    /// <summary>A file-system-safe form of the name.</summary>
    public string Slug => Name.Replace('+', '-').ToLowerInvariant();
}
