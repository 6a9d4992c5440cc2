using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Burrow.Bench.BenchData).Assembly).Run(args);
