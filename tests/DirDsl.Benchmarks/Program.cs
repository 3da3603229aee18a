using BenchmarkDotNet.Running;

// Run by hand (see README.md):
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- --filter '*'     BenchmarkDotNet benchmarks
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- memory 200       RSS over 200 epochs
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- soak 10 2000     common modules under forced GC and image workers
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- images 5         image loader vs ResNet-18 training step
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- fds-share 10     FDS's share of an epoch in the generated Run, with intervals
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- fds-parts 9      where FDS's time goes, part by part
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- dial 10 4        DialDir epochs: DirDsl (image cache on/off, Vanilla/FDS) vs a plain loop
DirDsl.Native.TorchNative.EnsureRegistered();
// The programs' default CPU numerics (portable), as DirDsl.Hosting applies them.
DirDsl.Native.CpuNumerics.Apply(DirDsl.Native.CpuNumerics.DefaultMode);
DirDsl.Native.CpuNumerics.ApplyConvolutions(DirDsl.Native.CpuNumerics.DefaultConvolutions);
// And their allocator settings (DirDsl.Hosting applies them too): freed memory kept for reuse.
DirDsl.Native.NativeAllocator.Apply();
if (args.Length > 0 && args[0] == "soak")
{
    return DirDsl.Benchmarks.GcSoak.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2000);
}
if (args.Length == 6 && args[0] == "soak-run")
{
    return DirDsl.Benchmarks.GcSoak.RunOne(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture), args[5]);
}
if (args.Length > 0 && args[0] == "images")
{
    return DirDsl.Benchmarks.ImageLoaderRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
}
if (args.Length > 0 && args[0] == "fds-share")
{
    return DirDsl.Benchmarks.FdsShareRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
}
if (args.Length > 0 && args[0] == "fds-parts")
{
    return DirDsl.Benchmarks.FdsPartsRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 9);
}
if (args.Length > 0 && args[0] == "dial")
{
    return DirDsl.Benchmarks.DialRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 4);
}
if (args.Length > 0 && args[0] == "memory")
{
    return DirDsl.Benchmarks.MemoryRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200);
}
BenchmarkSwitcher.FromAssembly(typeof(DirDsl.Benchmarks.BenchmarkConfig).Assembly).Run(args, new DirDsl.Benchmarks.BenchmarkConfig());
return 0;
