#!/usr/bin/env bash
# Builds the libFuzzer target. SwiftPM links executables with its own `main`, which clashes
# with libFuzzer's, so compile with SwiftPM and link the objects with swiftc directly.
set -euo pipefail
cd "$(dirname "$0")"
scratch=${SCRATCH:-/tmp/regula-fuzz-build}
swift build -c release -Xswiftc -sanitize=fuzzer --scratch-path "$scratch" >/dev/null 2>&1 || true
objects="$scratch/x86_64-unknown-linux-gnu/release/FuzzFrontend.product/Objects.LinkFileList"
test -f "$objects" || { echo "compilation failed; run swift build in Fuzz/ to see why" >&2; exit 1; }
swiftc -sanitize=fuzzer -use-ld=lld -emit-executable -o "$scratch/fuzz-frontend" "@$objects" \
  -L "$scratch/x86_64-unknown-linux-gnu/release" -lgmp
echo "$scratch/fuzz-frontend"
