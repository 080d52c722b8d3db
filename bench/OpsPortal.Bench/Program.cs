using BenchmarkDotNet.Running;
using OpsPortal.Bench;

// dotnet run -c Release --project bench/OpsPortal.Bench -- --filter '*'           BenchmarkDotNet suites
// dotnet run -c Release --project bench/OpsPortal.Bench -- gen N LOG [CSV]        test data (see import-vs-copy.sh)
if (args is ["gen", var count, var log, ..])
{
    return GenerateCommand.Run(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), log, args.Length > 3 ? args[3] : null);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
