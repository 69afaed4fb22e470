#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for DURATION seconds (default 30) from its seed
# corpus in Fuzz/Corpus. Fails when any target finds a crash, a timeout or a leak of memory
# past the limit; prints each target's executions and coverage. Usage:
#   Fuzz/run-all.sh [DURATION] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(FuzzCompiledFile FuzzEvaluate FuzzReaders FuzzBatchLines FuzzFrontEnd)
fi
build="${REGULA_FUZZ_BUILD:-.build-fuzz}"
swift build -c release --package-path Fuzz --build-path "$build" \
  -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -use-ld=lld
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
max_len() {
  case "$1" in
    FuzzCompiledFile | FuzzEvaluate) echo 24576 ;;
    FuzzReaders) echo 1024 ;;
    FuzzBatchLines | FuzzFrontEnd) echo 512 ;;
  esac
}
failed=0
printf '%-18s %12s %10s %8s %8s\n' target executions exec/s cov ft
for target in "${targets[@]}"; do
  mkdir -p "$scratch/$target/corpus" "$scratch/$target/artifacts"
  log="$scratch/$target/log"
  status=0
  # The Swift runtime's backtracer would take the crash signal before libFuzzer, which then
  # could not save the input: off.
  SWIFT_BACKTRACE=enable=no "$build/release/$target" "$scratch/$target/corpus" "Fuzz/Corpus/$target" \
    -max_total_time="$duration" -max_len="$(max_len "$target")" -timeout=10 \
    -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$scratch/$target/artifacts/" >"$log" 2>&1 || status=$?
  executions=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'exec/s: [0-9]*' | grep -o '[0-9]*' || echo 0)
  coverage=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo 0)
  features=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || echo 0)
  printf '%-18s %12s %10s %8s %8s\n' "$target" "$executions" "$rate" "$coverage" "$features"
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "FINDING in $target (exit $status):"
    tail -40 "$log"
    for artifact in "$scratch/$target/artifacts/"*; do
      [ -e "$artifact" ] || continue
      mkdir -p Fuzz/Findings
      cp "$artifact" "Fuzz/Findings/$target-$(basename "$artifact")"
      echo "input kept in Fuzz/Findings/$target-$(basename "$artifact")"
    done
  fi
done
exit "$failed"
