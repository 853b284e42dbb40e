#!/usr/bin/env bash
# The whole test run, from a fresh clone: install, type-check, the vitest suite (which builds real
# images with podman against a local RPM repository), then the checks CI runs on every change.
# Usage: bash scripts/test.sh        (as root on Debian/Ubuntu; CI runs exactly this)
set -euo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1

step() { printf '\n== %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund

step "container engine and RPM tools (Debian packages, installed only when missing)"
bash scripts/setup-engine.sh

step "docker (Debian's docker.io, for a private daemon) and the buildx plugin (project-local)"
bash scripts/setup-docker.sh
bash scripts/get-buildx.sh >/dev/null || echo "no docker buildx plugin can be had here: the bake test will say it skipped"

step "type-check (sources and tests)"
npx tsc -p . --noEmit
npx tsc -p test

step "tests"
# The JSON report gives the plain closing line below ("N passed, N failed, N skipped").
mkdir -p .almac
set +e
npx vitest run --reporter=default --reporter=json --outputFile=.almac/vitest-report.json
tests_rc=$?
set -e
node -e '
  const r = JSON.parse(require("fs").readFileSync(".almac/vitest-report.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
[ "$tests_rc" -eq 0 ] || exit "$tests_rc"

step "almac fmt --check"
node bin/almac.js fmt --check

step "almac check"
node bin/almac.js check
