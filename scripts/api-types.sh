#!/bin/sh
# The web app's API types (frontend/src/api/schema.d.ts) are generated from
# the route table: `examd openapi` prints its OpenAPI document and
# openapi-typescript turns it into TypeScript. Without arguments this
# rewrites the file; with --check it fails when the committed one is stale.
set -eu
cd "$(dirname "$0")/.."
mkdir -p .tmp
${GO:-go} run ./cmd/examd openapi > .tmp/openapi.json
committed=frontend/src/api/schema.d.ts
out=$committed
[ "${1:-}" = --check ] && out=.tmp/schema.d.ts
(cd frontend && npx --no-install openapi-typescript ../.tmp/openapi.json -o "../$out" --alphabetize >/dev/null)
if [ "$out" != "$committed" ] && ! diff -u "$committed" "$out" >.tmp/schema.diff; then
	head -40 .tmp/schema.diff >&2
	echo "$committed is stale: the route table's types changed; run make api-types and commit the file" >&2
	exit 1
fi
