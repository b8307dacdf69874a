using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Analytics.Pipeline.Spool;

/// <summary>The appends waiting for their group's fsync, and how a written group completes them.</summary>
public sealed partial class HitSpool
{
    /// <summary>
    /// Completes the appends of one fsynced group in a single thread-pool work item, running their
    /// continuations (the beacons' answers) one after another in it. The writer thread goes straight back
    /// to the next group, and a group of N answers costs one dispatch instead of N: with one work item per
    /// append every group woke the pool's workers N times, which the profile showed as their spinning and
    /// futex waits costing more CPU per beacon than the steps.
    /// </summary>
    private sealed class GroupCompletion : IThreadPoolWorkItem
    {
        private const int MaxPooled = 64;

        private readonly ConcurrentQueue<GroupCompletion> _pool;
        private PendingAppend[] _appends = new PendingAppend[64];
        private int _count;
        private Exception? _failure;

        private GroupCompletion(ConcurrentQueue<GroupCompletion> pool) => _pool = pool;

        public static void Dispatch(ConcurrentQueue<GroupCompletion> pool, List<PendingAppend> group, Exception? failure)
        {
            if (group.Count == 0)
            {
                return;
            }
            if (!pool.TryDequeue(out var completion))
            {
                completion = new GroupCompletion(pool);
            }
            if (completion._appends.Length < group.Count)
            {
                completion._appends = new PendingAppend[group.Count];
            }
            group.CopyTo(completion._appends);
            completion._count = group.Count;
            completion._failure = failure;
            ThreadPool.UnsafeQueueUserWorkItem(completion, preferLocal: false);
        }

        public void Execute()
        {
            var failure = _failure;
            for (var i = 0; i < _count; i++)
            {
                // The append goes back to its pool when its awaiter reads the result: never touch it after completing it.
                var pending = _appends[i];
                _appends[i] = null!;
                if (failure is null)
                {
                    pending.Complete();
                }
                else
                {
                    pending.Fail(failure);
                }
            }
            _count = 0;
            _failure = null;
            if (_pool.Count < MaxPooled)
            {
                _pool.Enqueue(this);
            }
        }
    }

    /// <summary>
    /// One append waiting for its group's fsync. Pooled: the appender awaits it once, and reading the
    /// result hands it back, so a durable append allocates no task or completion source.
    /// </summary>
    private sealed class PendingAppend : IValueTaskSource
    {
        private const int MaxPooled = 4096;

        // Continuations run where the append is completed: in its group's one work item (GroupCompletion).
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };
        private ConcurrentQueue<PendingAppend>? _pool;

        public byte[] Payload { get; private set; } = [];

        public ValueTask Task => new(this, _core.Version);

        public static PendingAppend Rent(ConcurrentQueue<PendingAppend> pool, byte[] payload)
        {
            if (!pool.TryDequeue(out var pending))
            {
                pending = new PendingAppend();
            }
            pending._pool = pool;
            pending.Payload = payload;
            return pending;
        }

        public void Complete() => _core.SetResult(true);

        public void Fail(Exception exception) => _core.SetException(exception);

        public void GetResult(short token)
        {
            try
            {
                _core.GetResult(token);
            }
            finally
            {
                var pool = _pool!;
                Payload = [];
                _pool = null;
                _core.Reset();
                if (pool.Count < MaxPooled)
                {
                    pool.Enqueue(this);
                }
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
