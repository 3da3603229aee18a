using BenchmarkDotNet.Running;

// Run by hand (see README.md), e.g. dotnet run -c Release --project tests/DirDsl.Benchmarks -- --filter '*'
DirDsl.Native.TorchNative.EnsureRegistered();
BenchmarkSwitcher.FromAssembly(typeof(DirDsl.Benchmarks.BenchmarkConfig).Assembly).Run(args, new DirDsl.Benchmarks.BenchmarkConfig());
