using System.Globalization;

namespace DirDsl;

/// <summary>
/// A feature map whose inputs are costly to decode (an image map: files read, decoded and resized) and that can keep the
/// decoded inputs in memory between reads, so a run decodes each record once instead of at every epoch, FDS pass and
/// evaluation. What is kept is exactly what a read would decode, so the cache changes no value, only the time.
/// </summary>
public interface IDecodeCachingMap
{
    /// <summary>Bytes one record's decoded input takes in the cache.</summary>
    long CacheBytesPerRecord { get; }

    /// <summary>
    /// Keeps decoded inputs from now on while the cache holds at most <paramref name="budgetBytes"/> (0 keeps none). Inputs
    /// already kept stay. A map that was never given a budget keeps nothing (a loaded model predicting a file, say).
    /// </summary>
    void SetDecodeCache(long budgetBytes);

    /// <summary>What the cache has done so far.</summary>
    DecodeCacheUse DecodeCacheUse { get; }
}

/// <summary>What a decode cache holds and how often it answered.</summary>
/// <param name="Records">Records whose decoded input is kept.</param>
/// <param name="Bytes">Bytes those take.</param>
/// <param name="Hits">Reads answered from the cache.</param>
/// <param name="Decodes">Reads that decoded (the first read of a kept record, and every read of one that did not fit).</param>
public readonly record struct DecodeCacheUse(long Records, long Bytes, long Hits, long Decodes);

/// <summary>The budget of decoded inputs kept in memory (--image-cache) and the line a run logs about it.</summary>
public static class DecodeCache
{
    /// <summary>
    /// The budget of <c>--image-cache auto</c>: a quarter of the memory this process may use (the machine's, or the
    /// container's or Slurm job's limit, as the .NET runtime sees it).
    /// </summary>
    public static long AutoBudget() => Math.Max(0, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);

    /// <summary>
    /// Gives <paramref name="map"/> its budget (null: <see cref="AutoBudget"/>) before a run reads <paramref name="records"/>
    /// records, and says what that means: every image decoded once, or only some of them (and how to change it).
    /// </summary>
    /// <remarks>
    /// <paramref name="reserved"/> bytes of the budget are already taken (a dense map's training targets held in memory,
    /// <see cref="DenseTargetBudget"/>): the images get the rest.
    /// </remarks>
    public static string? Configure(object map, long? budget, long records, long reserved = 0)
    {
        if (map is not IDecodeCachingMap caching) return null;
        long whole = budget ?? AutoBudget();
        long bytes = Math.Max(0, whole - reserved);
        caching.SetDecodeCache(bytes);
        long needed = records * caching.CacheBytesPerRecord;
        string setting = (budget is null ? "--image-cache auto" : whole == 0 ? "--image-cache off" : "--image-cache " + Size(whole))
            + (reserved > 0 && whole > 0 ? $", less {Size(Math.Min(reserved, whole))} for the held training targets" : "");
        if (bytes == 0) return $"Image cache off ({setting}): every read decodes its image again.";
        if (needed <= bytes)
            return $"Image cache: the decoded pixels of the {records:N0} records take {Size(needed)}, within {Size(bytes)} ({setting}): each image is decoded once in this run.";
        long kept = bytes / Math.Max(1, caching.CacheBytesPerRecord);
        return $"Image cache: the decoded pixels of the {records:N0} records would take {Size(needed)}, over {Size(bytes)} ({setting}): "
            + (kept == 0 ? "it holds no image, so every read decodes its image again" : $"the first {kept:N0} decoded are kept, the others decoded at every read")
            + " (--image-cache SIZE sets the budget).";
    }

    /// <summary>What the cache did, for the run's summary.</summary>
    public static string? Summary(object map) => map is IDecodeCachingMap { DecodeCacheUse: var use } && use.Hits + use.Decodes > 0
        ? $"Image cache: {use.Decodes:N0} decodes, {use.Hits:N0} reads from memory ({use.Records:N0} images, {Size(use.Bytes)} kept)."
        : null;

    /// <summary>
    /// Parses a budget: <c>auto</c> (null), <c>off</c> or <c>0</c>, or a size in bytes with an optional binary unit
    /// (<c>512M</c>, <c>2G</c>, <c>1.5GiB</c>, <c>800MB</c>: K, M, G and T count 1024s).
    /// </summary>
    /// <exception cref="ArgumentException">Not one of those, naming the option and the text.</exception>
    public static long? ParseBudget(string text)
    {
        var value = text.Trim();
        if (value.Equals("auto", StringComparison.OrdinalIgnoreCase)) return null;
        if (value.Equals("off", StringComparison.OrdinalIgnoreCase)) return 0;
        int unitAt = value.Length;
        while (unitAt > 0 && char.IsLetter(value[unitAt - 1])) unitAt--;
        var unit = value[unitAt..].ToUpperInvariant();
        long scale = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => -1,
        };
        if (scale > 0 && double.TryParse(value[..unitAt], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number) && number >= 0 && number * scale < long.MaxValue)
            return (long)(number * scale);
        throw new ArgumentException($"Option --image-cache needs auto, off, or a size such as 512M or 2G, not '{text}'.");
    }

    /// <summary>A byte count as people read it (binary units).</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} KiB"),
        1 => "1 byte",
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
