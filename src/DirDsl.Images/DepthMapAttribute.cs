namespace DirDsl;

/// <summary>
/// Declares a record member as a dense target map: a depth (or any per-pixel value) for every pixel of the record's
/// [Image], predicted at <see cref="Height"/> x <see cref="Width"/>. The member is the record's target (no [Target] then):
/// a <c>string</c> path to a grayscale PNG (8- or 16-bit, as NYU Depth v2 stores depth in millimetres) or a NumPy .npy
/// file, or a <c>float[]</c> of Height x Width values in memory (row by row). A file of another size is resized to it with
/// the nearest pixel (depths are never mixed across an edge). A stored value v becomes the target v x <see cref="Scale"/>;
/// a pixel equal to <see cref="MissingValue"/>, or whose target is at or below <see cref="Min"/> or above
/// <see cref="Max"/>, has no target: it leaves the loss, the label counts and the metrics. The generator checks every
/// argument (DIR048).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class DepthMapAttribute : Attribute
{
    /// <summary>Declares a target map of <paramref name="height"/> x <paramref name="width"/> pixels (each 1 to 4096).</summary>
    public DepthMapAttribute(int height, int width)
    {
        Height = height;
        Width = width;
    }

    /// <summary>Rows of the target map: the model's output rows.</summary>
    public int Height { get; }
    /// <summary>Columns of the target map.</summary>
    public int Width { get; }
    /// <summary>Multiplier from the stored value to the target's unit (0.001: a PNG in millimetres gives metres); finite and above 0.</summary>
    public double Scale { get; set; } = DslDefaults.DepthScale;
    /// <summary>Targets at or below it are missing (default 0: a depth of 0 is "no reading"); finite.</summary>
    public double Min { get; set; } = DslDefaults.DepthMin;
    /// <summary>Targets above it are missing (default: no bound); above Min.</summary>
    public double Max { get; set; } = DslDefaults.DepthMax;
    /// <summary>A stored value marking a pixel without a reading (before Scale); NaN, the default, for none.</summary>
    public double MissingValue { get; set; } = DslDefaults.DepthMissingValue;
}
