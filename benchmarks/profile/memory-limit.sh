#!/usr/bin/env bash
# Runs the embedded host (`analytics run`, the durable default) inside a hard memory limit and loads it with the
# beacon section's own request mix, to see whether it fits a small machine, not only what its RSS is: RSS
# counts the engine's code pages, which the kernel may drop and read back, so under a limit the host either
# keeps working (slower) or is killed. Reports req/s, the host's peak RSS and the limit's peak usage, how often
# the limit was hit, whether the kernel killed it, and beacons answered vs hits stored.
# Usage (root, from the repository root, after one `./analytics bench --only beacon` printed its work folder):
#   benchmarks/profile/memory-limit.sh BENCH_WORK_FOLDER LIMIT_MB|none [SECONDS]
# The page cache is dropped first, so that the engine's code read at start is charged to the limit too (a page
# already cached by an earlier process stays charged to that process's group). Needs wrk and cgroup v1 or v2.
set -euo pipefail
work=$1 limit=$2 seconds=${3:-30}
root=$(cd "$(dirname "$0")/../.." && pwd)
export ANALYTICS_CACHE=${ANALYTICS_CACHE:-$root/.cache}
build=$ANALYTICS_CACHE/build/bench
data=$(mktemp -d /tmp/memory-limit-XXXXXX)
port=5094
cp "$work/embedded/signing.key" "$data/"

if [ -d /sys/fs/cgroup/memory ]; then # cgroup v1
  group=/sys/fs/cgroup/memory/analytics-memory-limit
  rmdir "$group" 2>/dev/null || true; mkdir -p "$group"
  [ "$limit" = none ] || echo $((limit * 1048576)) > "$group/memory.limit_in_bytes"
  peak() { echo $(($(cat "$group/memory.max_usage_in_bytes") / 1048576)); }
  hits() { cat "$group/memory.failcnt"; }
  kills() { awk '/oom_kill /{print $2}' "$group/memory.oom_control"; }
else # cgroup v2
  group=/sys/fs/cgroup/analytics-memory-limit
  rmdir "$group" 2>/dev/null || true; mkdir -p "$group"
  [ "$limit" = none ] || echo $((limit * 1048576)) > "$group/memory.max"
  peak() { echo $(($(cat "$group/memory.peak") / 1048576)); }
  hits() { awk '/^max /{print $2}' "$group/memory.events"; }
  kills() { awk '/^oom_kill /{print $2}' "$group/memory.events"; }
fi

dotnet "$build/analytics.dll" site add bench --host www.example.com --data "$data" > /dev/null
key=$(dotnet "$build/analytics.dll" key create --site bench --data "$data" | grep -oE 'ak_[0-9a-f]{64}' | head -1)
sync; echo 3 > /proc/sys/vm/drop_caches
sh -c "echo \$\$ > $group/cgroup.procs && exec dotnet $build/analytics.dll run --data $data --urls http://127.0.0.1:$port \
  --Logging:LogLevel:Default=Warning --RateLimit:Burst=1000000 --RateLimit:PerSecond=1000000" > "$data/host.log" 2>&1 &
host=$!
for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 1; done

wrk -t2 -c64 -d"${seconds}s" -s "$work/embedded-0.lua" "http://127.0.0.1:$port" > "$data/wrk.txt" 2>&1
rss=$(awk '/VmHWM/{print int($2 / 1024)}' "/proc/$host/status" 2>/dev/null || echo gone)
answered=$(curl -s --max-time 10 "http://127.0.0.1:$port/metrics" | awk '/^analytics_hits_accepted_total /{print $2}')
stored=0
# Stored: every hit kind the mix sends, today, once the aggregator has caught up (at most 60 s).
deadline=$((SECONDS + 60))
while [ $SECONDS -lt $deadline ]; do
  stored=$(curl -s --max-time 10 "http://127.0.0.1:$port/api/v2/aggregate?site_id=bench&date_range=today&metrics=pageviews,events,link_clicks,bot_hits" \
    -H "Authorization: Bearer $key" | python3 -c 'import json,sys; print(int(sum(json.load(sys.stdin)["results"][0]["metrics"])))' 2>/dev/null || echo 0)
  [ "$stored" -ge "${answered:-0}" ] && break
  sleep 1
done
errors=$(grep -E 'Non-2xx|Socket errors' "$data/wrk.txt" | tr -s ' \n' ' ' || true)
echo "limit ${limit} MB: $(grep -o 'Requests/sec: *[0-9.]*' "$data/wrk.txt" | awk '{print $2}') req/s, wrk errors: ${errors:-none};" \
  "host peak RSS ${rss} MB; group peak $(peak) MB, limit hit $(hits) times, OOM kills $(kills);" \
  "answered (accepted) ${answered:-?}, stored ${stored}; host alive: $(kill -0 $host 2>/dev/null && echo yes || echo no)"
kill $host 2>/dev/null || true
wait $host 2>/dev/null || true
rm -rf "$data"
