using BenchmarkDotNet.Running;

// Run by hand (see README.md):
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- --filter '*'     BenchmarkDotNet benchmarks
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- memory 200       RSS over 200 epochs
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- stress 20 3000   optimiser steps under forced GC
//   dotnet run -c Release --project tests/DirDsl.Benchmarks -- images 5         image loader vs ResNet-18 training step
DirDsl.Native.TorchNative.EnsureRegistered();
if (args.Length > 0 && args[0] == "stress")
{
    return DirDsl.Benchmarks.OptimizerStress.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3000);
}
if (args.Length > 0 && args[0] == "images")
{
    return DirDsl.Benchmarks.ImageLoaderRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
}
if (args.Length > 0 && args[0] == "memory")
{
    return DirDsl.Benchmarks.MemoryRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200);
}
BenchmarkSwitcher.FromAssembly(typeof(DirDsl.Benchmarks.BenchmarkConfig).Assembly).Run(args, new DirDsl.Benchmarks.BenchmarkConfig());
return 0;
