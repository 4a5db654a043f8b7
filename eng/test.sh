#!/usr/bin/env bash
# The pack's test command (the one the README and CI run).
#
#   eng/test.sh                          every tier
#   eng/test.sh -trait Tier=snapshot     one tier (snapshot | contract | build | generated-tests | run)
#   FULLSTACK_ACCEPT_SNAPSHOTS=1 eng/test.sh -trait Tier=snapshot    accept the current trees on purpose
#
# Extra arguments go to the xunit v3 runner unchanged (-trait, -method, -class, -verbose, ...).
# The slow tiers need real services: `source <(eng/services.sh --env)` first, or they are reported as
# skipped with the missing variable named. FULLSTACK_KEEP_OUTPUT=1 keeps the generated solutions.
#
# Writes the xunit XML to artifacts/test-results/TemplatePack.Tests.xml, prints per-tier counts and ends with
# one line "N passed, N failed, N skipped". Exits non-zero when a test failed or the runner failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/artifacts/test-results"
xml="$results/TemplatePack.Tests.xml"
mkdir -p "$results"
rm -f "$xml"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# Plain text when the output is a log (CI), colours on a terminal.
runner_options=(-result-xml "$xml")
[[ -t 1 ]] || runner_options+=(-noColor)

set +e
dotnet run --project "$root/tests/TemplatePack.Tests" -c Release -- "${runner_options[@]}" "$@"
runner_exit=$?
set -e

if [[ ! -s "$xml" ]]; then
  echo "eng/test.sh: the test runner exited $runner_exit and wrote no results ($xml)" >&2
  exit $(( runner_exit == 0 ? 1 : runner_exit ))
fi

# One record per <test ...> element of the xunit v3 XML (output text inside is XML-escaped, so the
# separator cannot occur in it). Grouped by the Tier trait; tests without one are "untiered".
summary="$(awk 'BEGIN { RS = "<test " }
  NR > 1 {
    tier = "untiered"
    if (match($0, /<trait name="Tier" value="[^"]*"/)) { t = substr($0, RSTART, RLENGTH); sub(/.*value="/, "", t); sub(/"$/, "", t); tier = t }
    result = ""
    if (match($0, / result="[A-Za-z]*"/)) { result = substr($0, RSTART + 9, RLENGTH - 10) }
    run[tier]++
    if (result == "Pass") { passed[tier]++; total_passed++ }
    else if (result == "Fail") { failed[tier]++; total_failed++ }
    else { skipped[tier]++; total_skipped++ }   # Skip and NotRun: reported, never counted as passed
  }
  END {
    for (tier in run) printf "%s: run %d, passed %d, failed %d, skipped %d\n", tier, run[tier], passed[tier], failed[tier], skipped[tier] | "sort"
    close("sort")
    printf "%d passed, %d failed, %d skipped\n", total_passed, total_failed, total_skipped
  }' "$xml")"

echo
echo "$summary"

failed="$(tail -n 1 <<<"$summary" | awk '{ print $3 }')"
if [[ "$runner_exit" -ne 0 || "$failed" -ne 0 ]]; then
  exit 1
fi
