using BenchmarkDotNet.Running;

if (args is ["enrichment-cpu"])
{
    Analytics.Benchmarks.Enrichment.EnrichmentCpuTime.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
