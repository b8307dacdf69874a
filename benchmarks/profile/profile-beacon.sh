#!/usr/bin/env bash
# Profiles the beacon path: one `analytics bench --only beacon` round, with `perf record -g` attached to
# the collector role and to the embedded host while each is measured, then the samples attributed to
# the path's steps by beacon_steps.py. Usage (from the repository root, after ./analytics bench built once):
#   benchmarks/profile/profile-beacon.sh OUT_DIR [BUILD_DIR]        BUILD_DIR defaults to .cache/build/bench
# Needs Debian's linux-perf. JIT frames are named through perf maps (DOTNET_PerfMapEnabled=1); ReadyToRun
# is off so framework code is named too (it is jitted then, as a long run would tier it up anyway).
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$root/.cache/build/bench}
here=$(cd "$(dirname "$0")" && pwd)
export ANALYTICS_CACHE=${ANALYTICS_CACHE:-$root/.cache}
"$root/scripts/deps.sh" >/dev/null
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0
dotnet "$build/analytics-bench.dll" --only beacon --duration 20s --warmup 5s --repeats 1 --seed 42 --report "$out/bench.md" > "$out/bench.log" 2>&1 &
harness=$!
record() { # role, the log line printed just before that role's measured run starts
  for _ in $(seq 1 1200); do grep -q "$2" "$out/bench.log" && break; kill -0 $harness 2>/dev/null || return 0; sleep 0.5; done
  local pid; pid=$(pgrep -P $harness -f "analytics.dll $1 --data" | head -1)
  perf record -F 499 -g -p "$pid" -o "$out/$1.data" -- sleep 18 > "$out/$1.perf.log" 2>&1
}
record collector "round 1 kestrel" &
record run "round 1 collector" &
wait
for role in collector run; do
  us=$(grep -E "round 1 $( [ $role = run ] && echo embedded || echo collector ) +[0-9]" "$out/bench.log" | grep -o '[0-9.]* µs' | cut -d' ' -f1)
  perf script -i "$out/$role.data" 2>/dev/null > "$out/$role.txt"
  echo "== $role: $us µs CPU per beacon in the profiled run"
  python3 "$here/beacon_steps.py" "$out/$role.txt" "$us"
done
