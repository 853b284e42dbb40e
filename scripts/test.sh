#!/usr/bin/env bash
# The whole test run, from a fresh clone: install, type-check, the vitest suite (which builds real
# images with podman against a local RPM repository), then the checks CI runs on every change.
# Usage: bash scripts/test.sh        (as root on Debian/Ubuntu; CI runs exactly this)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund

step "container engine and RPM tools (Debian packages, installed only when missing)"
bash scripts/setup-engine.sh

step "type-check (sources and tests)"
npx tsc -p . --noEmit
npx tsc -p test

step "tests"
npx vitest run

step "almac fmt --check"
node bin/almac.js fmt --check

step "almac check"
node bin/almac.js check
