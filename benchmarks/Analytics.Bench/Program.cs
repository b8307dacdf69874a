using System.CommandLine;
using Analytics.Bench;

// `./analytics bench ...` lands here: the script dispatches to this program, so the harness stays out
// of the product binary.
return await BenchCommand.Create().Parse(args).InvokeAsync(new() { ProcessTerminationTimeout = null });
