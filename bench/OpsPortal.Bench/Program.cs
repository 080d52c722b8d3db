using BenchmarkDotNet.Running;
using OpsPortal.Bench;

// dotnet run -c Release --project bench/OpsPortal.Bench -- --filter '*'           BenchmarkDotNet suites
// dotnet run -c Release --project bench/OpsPortal.Bench -- gen N LOG [CSV]        test data (see import-vs-copy.sh)
// dotnet run -c Release --project bench/OpsPortal.Bench -- gen-csv N CSV DAYS     access rows over the last DAYS days (search-bench.sh)
// dotnet run -c Release --project bench/OpsPortal.Bench -- wiki CONNECTION          wiki speed targets (issue 6; bench/RESULTS.md)
// dotnet run -c Release --project bench/OpsPortal.Bench -- api-overhead URL TOKEN CONNECTION CASES RUNS APP_PID [WARMUP]   (api-overhead.sh)
if (args is ["api-overhead", var url, var token, var db, var cases, var runs, var pid, .. var rest] && rest.Length <= 1)
{
    return await ApiOverheadBench.RunAsync(url, token, db, cases, int.Parse(runs, System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture),
        rest is [var warmUp] ? int.Parse(warmUp, System.Globalization.CultureInfo.InvariantCulture) : ApiOverheadBench.DefaultWarmUp);
}
if (args is ["wiki", var connection])
{
    return await WikiBench.RunAsync(connection);
}
if (args is ["gen-csv", var rows, var csv, var days])
{
    return new AccessCsvGenerator(seed: 42).Run(int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture), csv,
        int.Parse(days, System.Globalization.CultureInfo.InvariantCulture));
}
if (args is ["gen", var count, var log, ..])
{
    return GenerateCommand.Run(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), log, args.Length > 3 ? args[3] : null);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
