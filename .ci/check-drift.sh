#!/usr/bin/env bash
# Fails if the tables in src/db/tables/ have changes that no committed migration in drizzle/ covers, i.e. if
# `npm run db:generate` would write a new migration. Runs drizzle-kit on a scratch copy of drizzle/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$root/drizzle" "$scratch/drizzle"
before=$(ls "$scratch/drizzle" | wc -l)
(cd "$scratch" && "$root/node_modules/.bin/drizzle-kit" generate --dialect postgresql \
  --schema "$root/src/db/tables" --out drizzle --name drift >/dev/null)
after=$(ls "$scratch/drizzle" | wc -l)
if [ "$after" -ne "$before" ]; then
  echo "Schema drift: src/db/tables/ differs from the migrations in drizzle/. Run 'npm run db:generate' and commit the new migration:" >&2
  cat "$scratch"/drizzle/*_drift.sql >&2
  exit 1
fi
echo "No schema drift: the migrations in drizzle/ match src/db/tables/."
