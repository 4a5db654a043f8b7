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
# Writes the xunit XML to artifacts/test-results/TemplatePack.Tests.xml, then adds it up under the rules of
# tests/TemplatePack.Tests/Reporting/TestRunReport.cs: counts and wall time per tier, and a last line
# "N passed, N failed, N skipped". Exits non-zero when a test failed, the runner failed, or the run does not prove what
# it claims: a declared tier that reported no test (in a run without filters), a test without a tier, an unknown
# outcome or a runner error; and under CI=true, a skip that SkipPolicy does not allow or a tier that executed nothing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$root/tests/TemplatePack.Tests"
results="$root/artifacts/test-results"
xml="$results/TemplatePack.Tests.xml"
mkdir -p "$results"
rm -f "$xml"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

if [[ "${CI:-}" == "true" && -n "${FULLSTACK_ACCEPT_SNAPSHOTS:-}" ]]; then
  echo "eng/test.sh: FULLSTACK_ACCEPT_SNAPSHOTS is refused under CI=true (accepting snapshots is a person's decision)" >&2
  exit 2
fi

# A run narrowed by a filter only has to run something; a full run must report every tier the harness declares.
filtered=()
for argument in "$@"; do
  case "$argument" in
    -trait|-trait-|-class|-class-|-method|-method-|-namespace|-namespace-|-filter) filtered=(--filtered) ;;
  esac
done

# Plain text when the output is a log (CI), colours on a terminal.
runner_options=(-result-xml "$xml")
[[ -t 1 ]] || runner_options+=(-noColor)

started=$(date +%s)
dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly
set +e
dotnet run --no-build --project "$project" -c Release -- "${runner_options[@]}" "$@"
runner_exit=$?
set -e
elapsed=$(( $(date +%s) - started ))

if [[ ! -s "$xml" ]]; then
  echo "eng/test.sh: the test runner exited $runner_exit and wrote no results ($xml)" >&2
  exit $(( runner_exit == 0 ? 1 : runner_exit ))
fi

echo
echo "tests took $(( elapsed / 60 ))m $(( elapsed % 60 ))s (tier spans overlap: tiers run side by side and share builds)"
set +e
dotnet run --no-build --project "$project" -c Release -- summarize "$xml" "${filtered[@]}"
summary_exit=$?
set -e

if [[ "$runner_exit" -ne 0 || "$summary_exit" -ne 0 ]]; then
  exit 1
fi
