namespace Examples.RenderedDepth;

/// <summary>
/// Renders small indoor scenes through a pinhole camera, with their exact depth maps: a room (floor, ceiling, side walls
/// and a back wall) holding a few boxes and spheres, textured, lit from the camera with light falling off with distance,
/// and sensor noise. Depth is the z coordinate of the surface hit by each pixel's centre ray (as a depth camera reports
/// it), in metres. Training scenes are skewed as NYU Depth v2's are: most pixels between 2 and 5 m, near surfaces (under
/// 1 m) and far walls (over 6 m) rare. Deterministic for a seed.
/// </summary>
public static class RoomRenderer
{
    /// <summary>Horizontal and vertical field of view: the focal length in pixels is this times the image side.</summary>
    public const double FocalPerSide = 0.9;

    /// <summary>Standard deviation of the sensor noise added to each image pixel (values in [0, 1]).</summary>
    public const double Noise = 0.02;

    /// <summary>One scene: what a pixel ray can hit.</summary>
    public sealed record Room(double Floor, double Ceiling, double HalfWidth, double Back, double WallAlbedo, double FloorAlbedo,
        IReadOnlyList<Sphere> Spheres, IReadOnlyList<Box> Boxes);

    /// <summary>A sphere: centre, radius and albedo.</summary>
    public sealed record Sphere(double X, double Y, double Z, double Radius, double Albedo);

    /// <summary>An axis-aligned box: its minimum and maximum corners and albedo.</summary>
    public sealed record Box(double X0, double Y0, double Z0, double X1, double Y1, double Z1, double Albedo);

    /// <summary>A random room: most back walls 3-4.5 m away, one in twelve far (6-9.5 m); up to three objects, one in six scenes with a near one.</summary>
    public static Room Draw(Random random)
    {
        double Uniform(double a, double b) => a + (b - a) * random.NextDouble();
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double floor = Uniform(1.0, 1.5), ceiling = Uniform(1.2, 1.8), halfWidth = Uniform(1.6, 2.6);
        double back = random.NextDouble() < 1.0 / 12 ? Uniform(6, 9.5) : Math.Clamp(3.7 + 0.6 * Normal(), 2.4, 6);
        var spheres = new List<Sphere>();
        var boxes = new List<Box>();
        int objects = random.Next(4);
        for (int i = 0; i < objects; i++)
        {
            double z = Uniform(1.2, Math.Min(back - 0.5, 3.5));
            double x = Uniform(-halfWidth + 0.4, halfWidth - 0.4);
            if (random.Next(2) == 0)
            {
                double r = Uniform(0.2, 0.5);
                spheres.Add(new Sphere(x, -floor + r, z, r, Uniform(0.3, 0.9)));
            }
            else
            {
                double w = Uniform(0.2, 0.5), h = Uniform(0.3, 1.0), d = Uniform(0.2, 0.5);
                boxes.Add(new Box(x - w, -floor, z - d, x + w, -floor + h, z + d, Uniform(0.3, 0.9)));
            }
        }
        // A near object, as a hand or a chair back close to the camera.
        if (random.NextDouble() < 1.0 / 6)
            spheres.Add(new Sphere(Uniform(-0.4, 0.4), Uniform(-0.5, 0.2), Uniform(0.45, 1.0), Uniform(0.12, 0.3), Uniform(0.3, 0.9)));
        return new Room(floor, ceiling, halfWidth, back, Uniform(0.45, 0.8), Uniform(0.3, 0.6), spheres, boxes);
    }

    /// <summary>The gray image of <paramref name="room"/>, <paramref name="side"/> x <paramref name="side"/>, row-major, values in [0, 1].</summary>
    public static float[] Image(Room room, int side, Random noise)
    {
        var pixels = new float[side * side];
        for (int v = 0; v < side; v++)
            for (int u = 0; u < side; u++)
            {
                var (z, albedo, facing) = Trace(room, Ray(u, v, side));
                double lit = albedo * (0.25 + 0.75 * facing) / (1 + 0.06 * z * z);
                double n = Math.Sqrt(-2 * Math.Log(1 - noise.NextDouble())) * Math.Cos(2 * Math.PI * noise.NextDouble());
                pixels[v * side + u] = (float)Math.Clamp(lit + Noise * n, 0, 1);
            }
        return pixels;
    }

    /// <summary>The exact depth map of <paramref name="room"/> at <paramref name="side"/> x <paramref name="side"/> (the same camera), in metres.</summary>
    public static float[] Depth(Room room, int side)
    {
        var depth = new float[side * side];
        for (int v = 0; v < side; v++)
            for (int u = 0; u < side; u++)
                depth[v * side + u] = (float)Trace(room, Ray(u, v, side)).Z;
        return depth;
    }

    /// <summary>The direction of the ray through pixel (u, v)'s centre, z = 1 (y up, image rows downwards).</summary>
    private static (double X, double Y, double Z) Ray(int u, int v, int side)
    {
        double focal = FocalPerSide * side;
        return ((u + 0.5 - side / 2.0) / focal, -(v + 0.5 - side / 2.0) / focal, 1);
    }

    /// <summary>
    /// The nearest surface along a ray from the camera: its depth (z), albedo with texture, and |cos| between its normal and
    /// the ray (the headlight's shading).
    /// </summary>
    private static (double Z, double Albedo, double Facing) Trace(Room room, (double X, double Y, double Z) d)
    {
        double length = Math.Sqrt(d.X * d.X + d.Y * d.Y + d.Z * d.Z);
        // Planes: back wall z = Back, floor y = -Floor, ceiling y = Ceiling, side walls x = +-HalfWidth. t is the z of the hit.
        double best = room.Back, albedo = room.WallAlbedo * Stripes(d.X * room.Back, d.Y * room.Back), facing = d.Z / length;
        void Plane(double t, double a, double f)
        {
            if (t > 0 && t < best) (best, albedo, facing) = (t, a, f);
        }
        if (d.Y < 0) { double t = room.Floor / -d.Y; Plane(t, room.FloorAlbedo * Checker(d.X * t, t), -d.Y / length); }
        if (d.Y > 0) { double t = room.Ceiling / d.Y; Plane(t, 0.85, d.Y / length); }
        if (d.X > 0) { double t = room.HalfWidth / d.X; Plane(t, room.WallAlbedo * Stripes(t, d.Y * t), d.X / length); }
        if (d.X < 0) { double t = room.HalfWidth / -d.X; Plane(t, room.WallAlbedo * Stripes(t, d.Y * t), -d.X / length); }
        foreach (var s in room.Spheres)
        {
            // |t d - c|^2 = r^2 with t the ray parameter (d's z is 1, so t is the hit's z).
            double b = d.X * s.X + d.Y * s.Y + d.Z * s.Z, a = length * length;
            double c = s.X * s.X + s.Y * s.Y + s.Z * s.Z - s.Radius * s.Radius;
            double disc = b * b - a * c;
            if (disc < 0) continue;
            double t = (b - Math.Sqrt(disc)) / a;
            if (t <= 0 || t >= best) continue;
            double nx = (t * d.X - s.X) / s.Radius, ny = (t * d.Y - s.Y) / s.Radius, nz = (t * d.Z - s.Z) / s.Radius;
            Plane(t, s.Albedo * Checker(Math.Atan2(nz, nx) * 1.5, ny * 1.5), Math.Abs(nx * d.X + ny * d.Y + nz * d.Z) / length);
        }
        foreach (var box in room.Boxes)
        {
            // Slabs: the entry t over the three axes, if it is before the exit.
            double enter = 0, exit = double.PositiveInfinity;
            int axis = -1;
            foreach (var (o, lo, hi, i) in new[] { (d.X, box.X0, box.X1, 0), (d.Y, box.Y0, box.Y1, 1), (d.Z, box.Z0, box.Z1, 2) })
            {
                if (Math.Abs(o) < 1e-12)
                {
                    if (lo > 0 || hi < 0) { enter = double.PositiveInfinity; break; }
                    continue;
                }
                double t0 = Math.Min(lo / o, hi / o), t1 = Math.Max(lo / o, hi / o);
                if (t0 > enter) (enter, axis) = (t0, i);
                exit = Math.Min(exit, t1);
            }
            if (axis < 0 || enter > exit || enter >= best) continue;
            double f = (axis == 0 ? Math.Abs(d.X) : axis == 1 ? Math.Abs(d.Y) : Math.Abs(d.Z)) / length;
            Plane(enter, box.Albedo * Checker(d.X * enter * 3, d.Y * enter * 3 + d.Z * enter * 3), f);
        }
        return (best, albedo, facing);
    }

    /// <summary>A soft checker texture: 1 +- 0.15 by the parity of the 0.5 m cells.</summary>
    private static double Checker(double a, double b) => ((int)Math.Floor(a * 2) + (int)Math.Floor(b * 2)) % 2 == 0 ? 1.15 : 0.85;

    /// <summary>Vertical stripes 0.4 m wide with a faint horizontal band.</summary>
    private static double Stripes(double a, double b) => ((int)Math.Floor(a * 2.5) % 2 == 0 ? 1.1 : 0.9) * (Math.Abs(b) < 0.05 ? 0.8 : 1);
}
