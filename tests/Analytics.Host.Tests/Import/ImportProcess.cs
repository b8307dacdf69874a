using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Analytics.Host.Tests.Import;

/// <summary>`analytics import ...` as a child process: the real command line, exit code, output and signals.</summary>
public sealed partial class ImportProcess : IDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly Task _reading;

    private ImportProcess(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput, _output), ReadAsync(process.StandardError, _error));
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    public static ImportProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "analytics.dll"));
        start.ArgumentList.Add("import");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return new ImportProcess(Process.Start(start)!);
    }

    /// <summary>Runs the command to its end (at most two minutes) and returns its exit code.</summary>
    public static async Task<(int Status, string Output, string Error)> RunAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        var status = await process.WaitForExitAsync(TimeSpan.FromMinutes(2));
        TestContext.Out.WriteLine($"analytics import {string.Join(' ', arguments)} -> {status}\n{process.Output}{process.Error}");
        return (status, process.Output, process.Error);
    }

    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        await _process.WaitForExitAsync(timeout.Token);
        await _reading;
        return _process.ExitCode;
    }

    /// <summary>Waits until the output holds <paramref name="text"/> (or the process ends, or the deadline passes).</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > until)
            {
                return Output.Contains(text, StringComparison.Ordinal);
            }
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>SIGTERM, as `kill` or a service manager sends it.</summary>
    public void Terminate() => Assert.That(Kill(_process.Id, SigTerm), Is.Zero);

    /// <summary>SIGKILL: a crash, no chance to checkpoint.</summary>
    public void KillHard() => Assert.That(Kill(_process.Id, SigKill), Is.Zero);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private static async Task ReadAsync(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (into)
            {
                into.AppendLine(line);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
