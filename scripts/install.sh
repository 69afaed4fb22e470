#!/usr/bin/env bash
# Builds `regula` in release mode and installs it as PREFIX/bin/regula (default PREFIX:
# ~/.local). Usage: scripts/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-$HOME/.local}"
swift build -c release --product regula
mkdir -p "$prefix/bin"
install -m 0755 "$(swift build -c release --show-bin-path)/regula" "$prefix/bin/regula"
echo "installed $prefix/bin/regula ($("$prefix/bin/regula" --version))"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "add it to your PATH: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
