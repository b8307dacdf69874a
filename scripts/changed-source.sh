#!/usr/bin/env bash
# Prints the first source file of the repository at $1 that is newer than the stamp file $2, or nothing.
# In a git checkout only tracked files count: `./analytics run` writes .json and .sql files into its
# data folder, and those are not sources.
set -euo pipefail

root=$1
stamp=$2
cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  while IFS= read -r -d '' file; do
    if [ "$file" -nt "$stamp" ]; then
      printf '%s\n' "$file"
      exit 0
    fi
  done < <(git ls-files -z -- '*.cs' '*.csproj' '*.props' '*.json' '*.sql' '*.js' '*.css' '*.html')
else
  find . \( -path ./.cache -o -path ./data -o -name bin -o -name obj \) -prune -o -type f -newer "$stamp" \
    \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' -o -name '*.sql' -o -name '*.js' -o -name '*.css' -o -name '*.html' \) -print -quit
fi
