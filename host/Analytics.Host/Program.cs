using Analytics.Host.Cli;

return await AnalyticsCli.Build().Parse(args).InvokeAsync(new() { ProcessTerminationTimeout = null });
