using Analytics.Benchmarks.Analysts;
using BenchmarkDotNet.Running;

if (args is ["enrichment-cpu"])
{
    Analytics.Benchmarks.Enrichment.EnrichmentCpuTime.Run();
    return;
}

if (args is ["session-tracker-cpu"])
{
    Analytics.Benchmarks.Sessions.SessionTrackerCpuTime.Run();
    return;
}

if (args is ["analysts-traffic", var hits])
{
    BenchmarkTraffic.Prepare(int.Parse(hits, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
