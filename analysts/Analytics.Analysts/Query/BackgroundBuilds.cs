namespace Analytics.Analysts.Query;

/// <summary>
/// Builds of stored answers, each key at most once per <see cref="RebuildAfter"/> (a build that failed, or whose
/// answer changed since, is not tried again on every load): in the background, one at a time, or by the caller.
/// </summary>
internal sealed class BackgroundBuilds(TimeProvider time) : IAsyncDisposable
{
    /// <summary>How soon a key built (or tried) is built again.</summary>
    public static readonly TimeSpan RebuildAfter = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, DateTimeOffset> _lastBuilds = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task _building = Task.CompletedTask;

    /// <summary>Queues <paramref name="build"/> after the one running, unless <paramref name="key"/> began within <see cref="RebuildAfter"/>.</summary>
    public void Start(string key, Func<CancellationToken, Task> build)
    {
        lock (_gate)
        {
            if (!_stopping.IsCancellationRequested && TryBegin(key))
            {
                var stopping = _stopping.Token;
                _building = _building.ContinueWith(_ => build(stopping), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            }
        }
    }

    /// <summary>Whether a build of <paramref name="key"/> may begin now (none began within <see cref="RebuildAfter"/>); nothing counts as begun.</summary>
    public bool MayBegin(string key)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return !_lastBuilds.TryGetValue(key, out var last) || now - last >= RebuildAfter;
        }
    }

    /// <summary>Whether a build of <paramref name="key"/> may begin now (none began within <see cref="RebuildAfter"/>); if so, it counts as begun.</summary>
    public bool TryBegin(string key)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_lastBuilds.TryGetValue(key, out var last) && now - last < RebuildAfter)
            {
                return false;
            }
            _lastBuilds[key] = now;
            foreach (var old in _lastBuilds.Where(b => now - b.Value >= RebuildAfter).Select(b => b.Key).ToList())
            {
                _lastBuilds.Remove(old);
            }
            return true;
        }
    }

    /// <summary>Waits for the builds queued so far (the host stops; tests).</summary>
    public async Task IdleAsync()
    {
        Task building;
        lock (_gate)
        {
            building = _building;
        }
        await building;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await IdleAsync();
        _stopping.Dispose();
    }
}
