namespace DirDsl;

/// <summary>A relevance function phi(y) in [0, 1]: a cubic Hermite curve through control points with zero slopes.</summary>
public sealed class RelevanceFunction
{
    private readonly double[] x;
    private readonly double[] phi;

    /// <summary>Through (x[i], phi[i]), x strictly increasing; constant beyond the ends.</summary>
    /// <exception cref="ArgumentException">Fewer than one point, x not increasing, or phi outside [0, 1].</exception>
    public RelevanceFunction(IReadOnlyList<double> x, IReadOnlyList<double> phi)
    {
        if (x.Count == 0 || x.Count != phi.Count) throw new ArgumentException("A relevance function needs matching, non-empty control points.");
        for (int i = 1; i < x.Count; i++)
            if (!(x[i] > x[i - 1])) throw new ArgumentException($"Relevance control points must increase: {x[i - 1]} then {x[i]}.");
        if (phi.Any(p => !(p >= 0 && p <= 1))) throw new ArgumentException("Relevance values must lie in [0, 1].");
        this.x = x.ToArray();
        this.phi = phi.ToArray();
    }

    /// <summary>The control points' positions.</summary>
    public IReadOnlyList<double> ControlX => x;
    /// <summary>The control points' relevance values.</summary>
    public IReadOnlyList<double> ControlPhi => phi;

    /// <summary>
    /// Ribeiro's automatic relevance ("extremes", both tails): box-plot statistics of the targets with
    /// whiskers at 1.5 IQR. A tail with outliers gets relevance 1 at its whisker end; a tail without
    /// gets relevance 0 at the target's extreme; the median has relevance 0. Quartiles are R's type 7.
    /// </summary>
    public static RelevanceFunction Extremes(ReadOnlySpan<float> targets, double coefficient = 1.5)
    {
        if (targets.Length == 0) throw new ArgumentException("No targets to derive a relevance function from.");
        var sorted = targets.ToArray().Select(t => (double)t).Order().ToArray();
        double q1 = Descriptive.Quantile(sorted, 0.25), median = Descriptive.Quantile(sorted, 0.5), q3 = Descriptive.Quantile(sorted, 0.75);
        double reach = coefficient * (q3 - q1);
        double lowWhisker = sorted.First(v => v >= q1 - reach);
        double highWhisker = sorted.Last(v => v <= q3 + reach);
        var points = new List<(double X, double Phi)>();
        points.Add(sorted[0] < lowWhisker ? (lowWhisker, 1.0) : (sorted[0], 0.0));
        points.Add((median, 0.0));
        points.Add(sorted[^1] > highWhisker ? (highWhisker, 1.0) : (sorted[^1], 0.0));
        // Equal positions (a constant target, or a median on a whisker) keep the first point.
        var distinct = points.GroupBy(p => p.X).Select(g => g.First()).OrderBy(p => p.X).ToArray();
        return new RelevanceFunction(distinct.Select(p => p.X).ToArray(), distinct.Select(p => p.Phi).ToArray());
    }

    /// <summary>
    /// The DIR view of rarity: each training label bin's centre gets 1 - n(bin) / max n, so an empty or
    /// thin bin is rare; interpolated between bin centres.
    /// </summary>
    public static RelevanceFunction Rarity(ReadOnlySpan<float> targets, LabelBins bins)
    {
        var counts = bins.Counts(targets);
        double max = counts.Max();
        if (max == 0) throw new ArgumentException("No targets to derive a relevance function from.");
        var centres = Enumerable.Range(0, bins.Count).Select(b => bins.Min + (b + 0.5) * (bins.Max - bins.Min) / bins.Count).ToArray();
        return new RelevanceFunction(centres, counts.Select(c => 1 - c / max).ToArray());
    }

    /// <summary>phi(y): Hermite interpolation with zero slopes between control points, constant outside.</summary>
    public double Evaluate(double y)
    {
        if (y <= x[0]) return phi[0];
        if (y >= x[^1]) return phi[^1];
        int k = Array.BinarySearch(x, y);
        if (k >= 0) return phi[k];
        k = ~k - 1;   // x[k] < y < x[k + 1]
        double t = (y - x[k]) / (x[k + 1] - x[k]);
        double smooth = t * t * (3 - 2 * t);   // h01 of the cubic Hermite basis; the slope terms are zero
        return phi[k] + (phi[k + 1] - phi[k]) * smooth;
    }

}

/// <summary>Settings of SMOTER / SMOGN resampling of the training split.</summary>
/// <param name="Kind">SMOTER or SMOGN.</param>
/// <param name="Neighbours">k of the nearest neighbours within a rare bump; at least 1.</param>
/// <param name="Threshold">Targets with relevance at or above this are rare; in (0, 1].</param>
/// <param name="Perturbation">SMOGN's noise as a fraction of each column's standard deviation in the bump; greater than 0.</param>
/// <param name="Undersample">Also under-sample the normal bumps to the balanced size (false keeps every original record).</param>
/// <param name="Relevance">How relevance is derived from the training targets.</param>
public sealed record ResamplingOptions(ResamplingKind Kind, int Neighbours = DslDefaults.Neighbours,
    double Threshold = DslDefaults.RelevanceThreshold, double Perturbation = DslDefaults.Perturbation,
    bool Undersample = true, RelevanceKind Relevance = RelevanceKind.Extremes)
{
    /// <summary>The table row name: SMOTER or SMOGN.</summary>
    public string Name => Kind.ToString().ToUpperInvariant();
}

/// <summary>The training rows after resampling, and what was done.</summary>
/// <param name="Rows">Input rows, row-major [Count, Width].</param>
/// <param name="Targets">Targets, one per row.</param>
/// <param name="Kept">Original records kept.</param>
/// <param name="Removed">Original records removed by under-sampling.</param>
/// <param name="Interpolated">Synthetic records interpolated (SMOTER).</param>
/// <param name="Noised">Synthetic records made by Gaussian noise (SMOGN).</param>
/// <param name="RareBumps">Consecutive target ranges of rare records.</param>
/// <param name="NormalBumps">Consecutive target ranges of normal records.</param>
public sealed record ResampledRows(float[] Rows, float[] Targets, int Kept, int Removed, int Interpolated, int Noised, int RareBumps, int NormalBumps)
{
    /// <summary>Number of rows.</summary>
    public int Count => Targets.Length;

    /// <summary>A one-line account for the log.</summary>
    public override string ToString() =>
        $"{RareBumps} rare and {NormalBumps} normal bumps; kept {Kept}, removed {Removed}, added {Interpolated} interpolated and {Noised} noised records";
}

/// <summary>
/// SMOTER (Torgo et al. 2013) and SMOGN (Branco et al. 2017) on numeric input rows, implemented from the
/// papers. The targets, sorted, are cut into bumps: maximal runs of rare (relevance at or above the
/// threshold) or normal records. With the "balance" strategy every bump ends with round(N / bumps) records:
/// rare bumps grow with synthetic records, normal bumps shrink by sampling without replacement. Distances
/// are HEOM: numeric differences divided by the column's range on the training rows, 0/1 overlap per category.
/// </summary>
/// <remarks>
/// Three faults of a popular Python port are avoided on purpose, and tested: an equidistant synthetic
/// target is the mean of the two (not y1 + y2 / 2); the target weights use the whole-row distances
/// (not the last column's); and one random stream runs through the whole resampling (re-seeding before
/// every draw would give each synthetic record the same noise).
/// </remarks>
public static class Resampler
{
    /// <summary>Resamples training rows; <paramref name="seed"/> alone decides every random choice.</summary>
    /// <exception cref="ArgumentException">Rows and targets of different lengths, a non-finite value, or bad options.</exception>
    public static ResampledRows Apply(ReadOnlySpan<float> rows, ReadOnlySpan<float> targets, FeatureLayout layout,
        ResamplingOptions options, LabelBins bins, int seed)
    {
        int width = layout.Width;
        int n = targets.Length;
        if (width < 1 || rows.Length != n * width)
            throw new ArgumentException($"Resampling needs {n} rows of {width} columns, got {rows.Length} values.");
        if (!DslRules.IsValidNeighbours(options.Neighbours)) throw new ArgumentException($"Resampling needs at least 1 neighbour, not {options.Neighbours}.");
        if (!DslRules.IsValidRelevanceThreshold(options.Threshold)) throw new ArgumentException($"The relevance threshold must be in (0, 1], not {options.Threshold}.");
        if (options.Kind == ResamplingKind.Smogn && !DslRules.IsValidPerturbation(options.Perturbation)) throw new ArgumentException($"The perturbation must be greater than 0, not {options.Perturbation}.");
        for (int i = 0; i < rows.Length; i++)
            if (!float.IsFinite(rows[i])) throw new ArgumentException($"Training row {i / width}, column {i % width} is {rows[i]}; resampling needs finite values.");

        var relevance = options.Relevance == RelevanceKind.Rarity ? RelevanceFunction.Rarity(targets, bins) : RelevanceFunction.Extremes(targets);
        var data = new Table(rows.ToArray(), targets.ToArray(), layout);
        var bumps = Bumps(targets, relevance, options.Threshold);
        int balanced = (int)Math.Round((double)n / bumps.Count, MidpointRounding.AwayFromZero);
        var random = new Random(TrainingKit.StableSeed(seed, 0x5A0E));

        var outRows = new List<float>(rows.Length);
        var outTargets = new List<float>(n);
        int kept = 0, removed = 0, interpolated = 0, noised = 0;
        foreach (var bump in bumps)
        {
            if (!bump.Rare && options.Undersample && bump.Members.Length > balanced)
            {
                // Under-sample a normal bump: a random subset without replacement, kept in original order.
                var chosen = bump.Members.ToArray();
                random.Shuffle(chosen);
                var keep = chosen.Take(balanced).Order().ToArray();
                foreach (var i in keep) data.CopyTo(i, outRows, outTargets);
                kept += keep.Length;
                removed += bump.Members.Length - keep.Length;
                continue;
            }
            foreach (var i in bump.Members) data.CopyTo(i, outRows, outTargets);
            kept += bump.Members.Length;
            if (bump.Rare && bump.Members.Length < balanced)
            {
                int count = balanced - bump.Members.Length;
                int byNoise = Synthesise(data, bump.Members, count, options, random, outRows, outTargets);
                interpolated += count - byNoise;
                noised += byNoise;
            }
        }
        return new ResampledRows(outRows.ToArray(), outTargets.ToArray(), kept, removed, interpolated, noised,
            bumps.Count(b => b.Rare), bumps.Count(b => !b.Rare));
    }

    /// <summary>A maximal run of records, in target order, that are all rare or all normal.</summary>
    public sealed record Bump(int[] Members, bool Rare);

    /// <summary>The bumps of the targets: sorted by target (ties by index), cut where rarity changes.</summary>
    public static IReadOnlyList<Bump> Bumps(ReadOnlySpan<float> targets, RelevanceFunction relevance, double threshold)
    {
        var values = targets.ToArray();
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
        var bumps = new List<Bump>();
        var current = new List<int>();
        bool? rare = null;
        foreach (var i in order)
        {
            bool isRare = relevance.Evaluate(values[i]) >= threshold;
            if (rare is { } r && r != isRare)
            {
                bumps.Add(new Bump(current.ToArray(), r));
                current.Clear();
            }
            rare = isRare;
            current.Add(i);
        }
        if (current.Count > 0) bumps.Add(new Bump(current.ToArray(), rare!.Value));
        return bumps;
    }

    /// <summary>
    /// <paramref name="count"/> synthetic records from the members of a rare bump: every member seeds
    /// count / members of them, a random subset of members one more. SMOTER always interpolates; SMOGN
    /// interpolates towards a neighbour closer than half the median distance to the seed's k neighbours
    /// and otherwise adds Gaussian noise. Returns how many of them are noise.
    /// </summary>
    private static int Synthesise(Table data, int[] members, int count, ResamplingOptions options, Random random,
        List<float> outRows, List<float> outTargets)
    {
        int m = members.Length;
        var perSeed = Enumerable.Repeat(count / m, m).ToArray();
        var extra = Enumerable.Range(0, m).ToArray();
        random.Shuffle(extra);
        for (int e = 0; e < count % m; e++) perSeed[extra[e]]++;

        // Only SMOGN's noise needs the bump's spread (a pass over every column of the bump).
        var spread = options.Kind == ResamplingKind.Smogn ? data.Spread(members) : default;
        int k = Math.Min(options.Neighbours, m - 1);
        int byNoise = 0;
        var row = new float[data.Width];
        for (int s = 0; s < m; s++)
        {
            if (perSeed[s] == 0) continue;
            int seedIndex = members[s];
            var neighbours = k == 0 ? Array.Empty<(int Index, double Distance)>() : data.Nearest(seedIndex, members, k);
            double safe = neighbours.Length == 0 ? 0 : Descriptive.Median(neighbours.Select(nb => nb.Distance).ToArray()) / 2;
            for (int c = 0; c < perSeed[s]; c++)
            {
                float target;
                if (neighbours.Length == 0)
                {
                    // A bump of one record has no neighbour: SMOGN perturbs it, SMOTER can only repeat it.
                    if (options.Kind == ResamplingKind.Smogn) { target = data.Noise(seedIndex, spread, options.Perturbation, members, random, row); byNoise++; }
                    else { data.Row(seedIndex).CopyTo(row); target = data.Targets[seedIndex]; }
                }
                else
                {
                    var (neighbour, distance) = neighbours[random.Next(neighbours.Length)];
                    if (options.Kind == ResamplingKind.Smogn && !(distance < safe))
                    {
                        target = data.Noise(seedIndex, spread, options.Perturbation, members, random, row);
                        byNoise++;
                    }
                    else
                    {
                        var gaps = new double[data.Width];
                        for (int j = 0; j < gaps.Length; j++) gaps[j] = random.NextDouble();
                        target = data.Interpolate(seedIndex, neighbour, gaps, row);
                    }
                }
                outRows.AddRange(row);
                outTargets.Add(target);
            }
        }
        return byNoise;
    }

    /// <summary>
    /// SMOTER's synthetic record between a seed and a neighbour (Torgo et al. 2013): each numeric column at
    /// seed + gap * (neighbour - seed) with its own gap in [0, 1); each category taken whole from the seed
    /// (gap below 0.5, read at the block's first column) or the neighbour. Its target weights the two
    /// targets by the other's HEOM distance: (d2 y1 + d1 y2) / (d1 + d2); the mean when both are 0.
    /// </summary>
    /// <returns>The synthetic target; the row is written to <paramref name="row"/>.</returns>
    public static float Interpolate(ReadOnlySpan<float> seedRow, float seedTarget, ReadOnlySpan<float> neighbourRow, float neighbourTarget,
        ReadOnlySpan<double> gaps, FeatureLayout layout, ReadOnlySpan<double> ranges, Span<float> row)
    {
        foreach (var j in layout.NumericColumns) row[j] = (float)(seedRow[j] + gaps[j] * (neighbourRow[j] - seedRow[j]));
        foreach (var (start, width) in layout.Categories)
        {
            var from = gaps[start] < 0.5 ? seedRow : neighbourRow;
            from.Slice(start, width).CopyTo(row.Slice(start, width));
        }
        double d1 = Heom(row, seedRow, layout, ranges);
        double d2 = Heom(row, neighbourRow, layout, ranges);
        return d1 + d2 == 0
            ? (float)((seedTarget + (double)neighbourTarget) / 2)
            : (float)((d2 * seedTarget + d1 * neighbourTarget) / (d1 + d2));
    }

    /// <summary>
    /// HEOM distance: sqrt of the sum of squared numeric differences over the column ranges (a column
    /// of range 0 adds nothing) plus 1 per category whose one-hot blocks differ.
    /// </summary>
    public static double Heom(ReadOnlySpan<float> a, ReadOnlySpan<float> b, FeatureLayout layout, ReadOnlySpan<double> ranges)
    {
        double sum = 0;
        foreach (var j in layout.NumericColumns)
        {
            if (ranges[j] > 0)
            {
                double d = (a[j] - b[j]) / ranges[j];
                sum += d * d;
            }
        }
        foreach (var (start, width) in layout.Categories)
            if (!a.Slice(start, width).SequenceEqual(b.Slice(start, width))) sum += 1;
        return Math.Sqrt(sum);
    }

    /// <summary>The training rows with their column ranges, for distances and synthesis.</summary>
    private sealed class Table
    {
        private readonly float[] rows;

        public Table(float[] rows, float[] targets, FeatureLayout layout)
        {
            this.rows = rows;
            Targets = targets;
            Layout = layout;
            Ranges = new double[layout.Width];
            foreach (var j in layout.NumericColumns)
            {
                float min = float.PositiveInfinity, max = float.NegativeInfinity;
                for (int i = 0; i < targets.Length; i++)
                {
                    min = Math.Min(min, rows[i * layout.Width + j]);
                    max = Math.Max(max, rows[i * layout.Width + j]);
                }
                Ranges[j] = targets.Length == 0 ? 0 : max - (double)min;
            }
        }

        public float[] Targets { get; }
        public FeatureLayout Layout { get; }
        public double[] Ranges { get; }
        public int Width => Layout.Width;

        public ReadOnlySpan<float> Row(int i) => rows.AsSpan(i * Width, Width);

        public void CopyTo(int i, List<float> outRows, List<float> outTargets)
        {
            outRows.AddRange(Row(i));
            outTargets.Add(Targets[i]);
        }

        /// <summary>The k nearest other members of the bump, closest first, ties by index.</summary>
        public (int Index, double Distance)[] Nearest(int seed, int[] members, int k) => members
            .Where(i => i != seed)
            .Select(i => (Index: i, Distance: Heom(Row(seed), Row(i), Layout, Ranges)))
            .OrderBy(p => p.Distance).ThenBy(p => p.Index)
            .Take(k)
            .ToArray();

        public float Interpolate(int seed, int neighbour, double[] gaps, float[] row) =>
            Resampler.Interpolate(Row(seed), Targets[seed], Row(neighbour), Targets[neighbour], gaps, Layout, Ranges, row);

        /// <summary>Standard deviation per column and of the target over the bump (the whole split's when the bump has one record).</summary>
        public (double[] Columns, double Target) Spread(int[] members)
        {
            var over = members.Length > 1 ? members : Enumerable.Range(0, Targets.Length).ToArray();
            var columns = new double[Width];
            foreach (var j in Layout.NumericColumns) columns[j] = Descriptive.StandardDeviation(over.Select(i => (double)rows[i * Width + j]).ToArray());
            return (columns, Descriptive.StandardDeviation(over.Select(i => (double)Targets[i]).ToArray()));
        }

        /// <summary>
        /// SMOGN's Gaussian noise (Branco et al. 2017): each numeric column and the target plus N(0, (pert x
        /// bump std)^2), each category drawn with its frequency in the bump. One random stream, so every
        /// record gets its own noise.
        /// </summary>
        public float Noise(int seed, (double[] Columns, double Target) spread, double perturbation, int[] members, Random random, float[] row)
        {
            var source = Row(seed);
            foreach (var j in Layout.NumericColumns) row[j] = (float)(source[j] + Gaussian(random) * perturbation * spread.Columns[j]);
            foreach (var (start, width) in Layout.Categories)
            {
                var donor = members[random.Next(members.Length)];   // a category with probability equal to its frequency
                Row(donor).Slice(start, width).CopyTo(row.AsSpan(start, width));
            }
            return (float)(Targets[seed] + Gaussian(random) * perturbation * spread.Target);
        }

        private static double Gaussian(Random random)
        {
            // Box-Muller; 1 - U keeps the logarithm's argument in (0, 1].
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
