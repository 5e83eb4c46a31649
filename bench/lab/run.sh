#!/usr/bin/env bash
# Load and latency of the lab (issue 15): builds the release binary, serves the lab on a free
# loopback port, runs bench.mjs against it (needs node, chromium and playwright-core:
# `npm ci --prefix crates/downhill-lab/tests/browser`), stops the server. Only 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p downhill-cli >/dev/null
out=$(mktemp)
target/release/downhill lab --port 0 >"$out" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.05; done
url=$(head -1 "$out" | sed 's/^listening on //')
node bench/lab/bench.mjs "$url"
