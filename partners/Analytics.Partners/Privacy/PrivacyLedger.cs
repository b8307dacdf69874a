using System.Text.Json;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Privacy;

/// <summary>
/// The privacy budget spent per partner and calendar month of data (<see cref="BudgetPeriods"/>): each run charges
/// every month its window covers. StorePath/privacy-ledger.jsonl, one spend per line, written
/// and flushed to disk before the noise is drawn (a run that fails afterwards has still spent: the safe side).
/// Check and append happen under a lock within the process and an exclusive lock file across processes (the CLI's
/// export and a host), so two concurrent runs cannot both fit into the last of a budget.
/// </summary>
public sealed class PrivacyLedger(string filePath, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _lock = new(1, 1);

    public string FilePath { get; } = Path.GetFullPath(filePath);

    /// <summary>Records the spend against every month <paramref name="window"/> covers, or throws <see cref="PrivacyBudgetExceededException"/> and records nothing.</summary>
    public async Task<LedgerEntry> SpendAsync(
        string partner, string report, ReportWindow window, decimal epsilon, decimal delta, PrivacyBudgetOptions budget, string actor,
        CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            using var crossProcess = await LockFileAsync(cancellationToken);
            var months = BudgetPeriods.Of(window);
            var spent = (await ReadAsync(cancellationToken)).Where(e => e.Partner == partner).ToList();
            foreach (var month in months)
            {
                // A line whose months cannot be told (never written by this program) is charged to every month: the safe side.
                var charged = spent.Where(e => BudgetPeriods.Of(e) is not { } of || of.Contains(month)).ToList();
                var epsilonSpent = charged.Sum(e => e.Epsilon);
                var deltaSpent = charged.Sum(e => e.Delta);
                if (epsilonSpent + epsilon > budget.Epsilon || deltaSpent + delta > budget.Delta)
                {
                    throw new PrivacyBudgetExceededException(
                        $"Privacy budget exceeded: partner '{partner}' has spent ε={epsilonSpent}, δ={deltaSpent} of its budget ε={budget.Epsilon}, " +
                        $"δ={budget.Delta} for the data of {month}; report '{report}' for window {window.Name} needs ε={epsilon}, δ={delta} from every month it covers.");
                }
            }
            var entry = new LedgerEntry
            {
                At = time.GetUtcNow(),
                Partner = partner,
                Report = report,
                Window = window.Name,
                Months = months,
                Epsilon = epsilon,
                Delta = delta,
                Actor = actor,
            };
            var line = JsonSerializer.SerializeToUtf8Bytes(entry, PartnersJsonContext.Default.LedgerEntry);
            await using var file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read);
            await file.WriteAsync(line, cancellationToken);
            file.WriteByte((byte)'\n');
            file.Flush(flushToDisk: true);
            return entry;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Every spend, oldest first; a line cut short by a crash during its write is skipped (it was never confirmed).</summary>
    public async Task<IReadOnlyList<LedgerEntry>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }
        var entries = new List<LedgerEntry>();
        await using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(file);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0 && line.EndsWith('}') && JsonSerializer.Deserialize(line, PartnersJsonContext.Default.LedgerEntry) is { } entry)
            {
                entries.Add(entry);
            }
        }
        return entries;
    }

    private async Task<FileStream> LockFileAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(FilePath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            }
        }
    }

    public void Dispose() => _lock.Dispose();
}
