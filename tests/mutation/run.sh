#!/usr/bin/env bash
# Mutation testing of the clinical comparisons in CarTCds.Rules (Stryker.NET, the dotnet tool pinned in
# .config/dotnet-tools.json) with tests/CarTCds.Rules.Tests: exits non-zero when the mutation score
# falls below "break" in stryker-config.json. What is mutated and why: README.md "Mutation testing".
# Reports (HTML, JSON): .ci/out/mutation/reports/ (gitignored), or $STRYKER_OUTPUT.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${STRYKER_OUTPUT:-$here/../../.ci/out/mutation}"
cd "$here"
dotnet tool restore >/dev/null
rm -rf "$out"
dotnet dotnet-stryker --config-file stryker-config.json --output "$out" --skip-version-check "$@"
