using System.CommandLine;
using System.CommandLine.Help;
using Analytics.Bench;

// `./analytics bench ...` lands here: the script dispatches to this program, so the harness stays out
// of the product binary. The bench command is the root here, and only a root gets --help by itself.
var bench = BenchCommand.Create();
bench.Options.Add(new HelpOption());
return await bench.Parse(args).InvokeAsync(new() { ProcessTerminationTimeout = null });
