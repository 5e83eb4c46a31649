#!/usr/bin/env bash
# Runs fuzz target $1 (built by `RUSTC_BOOTSTRAP=1 cargo fuzz build`) until the fuzzer process
# has used $2 CPU-seconds (default 630), then stops it with SIGINT; prints the CPU time used.
# CPU time, not wall time: on a shared machine a wall-clock budget buys an unknown amount of
# fuzzing. Log: fuzz-<target>.log in the current directory. Do not pause the fuzzer
# (SIGSTOP): libFuzzer times each input by the wall clock and reports false slow units and
# timeouts for inputs caught by a pause.
set -u
t=$1; budget=${2:-630}
here="$(cd "$(dirname "$0")" && pwd)"
log="$PWD/fuzz-$t.log"
cd "$here"
mkdir -p "artifacts/$t" "corpus/$t"
nice -n 19 "target/x86_64-unknown-linux-gnu/release/$t" -artifact_prefix="artifacts/$t/" \
  -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "corpus/$t" > "$log" 2>&1 &
pid=$!
used=0
while kill -0 "$pid" 2>/dev/null; do
  sleep 5
  cpu=$(awk '{print ($14 + $15) / 100}' "/proc/$pid/stat" 2>/dev/null)
  [ -n "$cpu" ] && used=$cpu
  if awk "BEGIN { exit !($used >= $budget) }"; then kill -INT "$pid"; fi
done
wait "$pid"; rc=$?
echo "$t: exit $rc, CPU $used s (log $log)"
