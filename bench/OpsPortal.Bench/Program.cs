using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/OpsPortal.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
