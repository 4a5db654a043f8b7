#!/usr/bin/env bash
# Tries the pack end to end, as a user would: pack it, install the package into an isolated template hive,
# generate a `fullstack-mvp --stack startup` solution, build it with warnings as errors, apply its migrations,
# start the API and send it a few requests. Uses PostgreSQL (and Redis) when FULLSTACK_TEST_POSTGRES is set or
# eng/services.sh can reach them; otherwise the SQLite option, which needs nothing running.
#
#   eng/try.sh                 # generate into a temporary folder, remove it afterwards
#   eng/try.sh --keep DIR      # generate into DIR and keep it, to look around
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/eng/lib.sh"
work="$(mktemp -d)"
keep=""
if [[ "${1:-}" == "--keep" ]]; then
  keep="${2:?--keep needs a folder}"
fi
out="${keep:-$work/Acme.Shop}"
app_pid=""

cleanup() {
  [[ -n "$app_pid" ]] && kill "$app_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT


step "Pack the templates"
dotnet pack "$root/TemplatePack.csproj" -c Release -o "$work/pkg" --nologo -v quiet
nupkg="$(ls "$work"/pkg/FullStack.Templates.*.nupkg)"
echo "$nupkg"

step "Install the package into an isolated hive"
dotnet new install "$nupkg" --debug:custom-hive "$work/hive" </dev/null

# Find the services: the variables first, then whatever eng/services.sh starts (when we may run it). Say which
# database the try uses and why, so nobody mistakes a SQLite run for a PostgreSQL one.
why=""
if [[ -n "${FULLSTACK_TEST_POSTGRES:-}" ]]; then
  why="FULLSTACK_TEST_POSTGRES is set"
elif [[ "$(id -u)" -eq 0 && -x /usr/bin/apt-get ]]; then
  step "Start PostgreSQL and Redis (eng/services.sh)"
  if service_env="$("$root/eng/services.sh" --env)"; then
    eval "$service_env"
    why="eng/services.sh installed and started them"
  else
    why="eng/services.sh failed (its output is above)"
  fi
else
  why="FULLSTACK_TEST_POSTGRES is not set and eng/services.sh needs root and apt-get"
fi

args=(--stack startup)
if [[ -n "${FULLSTACK_TEST_POSTGRES:-}" ]]; then
  database="$(echo "$FULLSTACK_TEST_POSTGRES" | sed -E 's/(^|;)Database=[^;]*//I');Database=acme_shop_try_$$"
  db_name="acme_shop_try_$$"
  step "Database: PostgreSQL ($why)${FULLSTACK_TEST_REDIS:+, with the Redis cache}"
else
  args+=(--database sqlite)
  database="Data Source=$work/acme_shop.db"
  step "Database: SQLite, because PostgreSQL is not available: $why"
fi

step "Generate: dotnet new fullstack-mvp -n Acme.Shop ${args[*]}"
rm -rf "$out"
dotnet new fullstack-mvp -n Acme.Shop -o "$out" "${args[@]}" \
  --debug:custom-hive "$work/hive" --no-update-check </dev/null
(cd "$out" && find . -name obj -prune -o -type f -print | sort | sed "s/^/  /")

step "Build with warnings as errors"
dotnet build "$out/Acme.Shop.slnx" -c Release -warnaserror -warnnotaserror:NU1603 -p:WarningsNotAsErrors=NU1603 --nologo -v quiet


if [[ -n "${db_name:-}" ]]; then
  step "Create a database of its own: $db_name"
  admin_sql "CREATE DATABASE $db_name"
  trap 'admin_sql "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" || true; cleanup' EXIT
fi

export ConnectionStrings__appdb="$database"
[[ -n "${FULLSTACK_TEST_REDIS:-}" ]] && export ConnectionStrings__redis="$FULLSTACK_TEST_REDIS" Data__CacheKeyPrefix="try-$$:"
# Run from the build output, so that its appsettings.json is the content root's, as in a container.
api_dir="$out/src/Acme.Shop.Api/bin/Release/net10.0"
api="Acme.Shop.Api.dll"

step "Make the token signing key (no keys in the repository or in appsettings)"
(cd "$api_dir" && dotnet "$api" keys generate --output "$work/signing-key.pem")
export Security__Tokens__SigningKeyPath="$work/signing-key.pem"

step "Make the certificate that encrypts the data protection keys (Production refuses to start without it)"
openssl req -x509 -newkey rsa:3072 -nodes -days 1825 -subj /CN=key-ring -keyout "$work/key-ring.pem" -out "$work/key-ring.pem" 2>/dev/null
export Security__KeyRing__CertificatePath="$work/key-ring.pem"

step "Apply the migrations (an explicit step)"
(cd "$api_dir" && dotnet "$api" migrate)

step "Start the API"
port=$(( 20000 + RANDOM % 10000 ))
(cd "$api_dir" && exec dotnet "$api" --urls "http://127.0.0.1:$port") >"$work/api.log" 2>&1 &
app_pid=$!
base="http://127.0.0.1:$port"
# Bounded wait for /alive: a dead or silent app ends the try with its log, never a quiet exit 0.
for attempt in $(seq 1 120); do
  curl -sf "$base/alive" >/dev/null && break
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "eng/try.sh: the API exited during start-up; its log:" >&2; cat "$work/api.log" >&2; exit 1
  fi
  if (( attempt == 120 )); then
    echo "eng/try.sh: the API did not answer /alive within 60 s; its log:" >&2; cat "$work/api.log" >&2; exit 1
  fi
  sleep 0.5
done

# expect STATUS CURL-ARGS...: shows the request and the answer, and stops the try when the status is not STATUS.
expect() {
  local want=$1 body status
  shift
  printf '\n$ curl %s\n' "$*"
  body="$(curl -s -w '\n%{http_code}' "$@")" || { echo "eng/try.sh: curl failed: $*" >&2; exit 1; }
  status="${body##*$'\n'}"
  body="${body%$'\n'*}"
  printf '%s\n-> %s\n' "$body" "$status"
  if [[ "$status" != "$want" ]]; then
    echo "eng/try.sh: expected HTTP $want, got $status; the API's log:" >&2; tail -n 40 "$work/api.log" >&2; exit 1
  fi
  last_body="$body"
}

json='content-type: application/json'
credentials='{"email":"ada@example.com","password":"correct horse battery staple"}'
expect 401 -X POST "$base/api/products" -H "$json" -d '{"sku":"LAMP-1","name":"Desk lamp","price":24.90}'
expect 202 -X POST "$base/api/auth/register" -H "$json" -d "$credentials"
# No email server here, so the operator confirms the new account's email (with one, its owner sends the emailed code).
(cd "$api_dir" && dotnet "$api" users confirm-email ada@example.com)
expect 200 -X POST "$base/api/auth/login" -H "$json" -d "$credentials"
token="$(sed -E 's/.*"accessToken":"([^"]+)".*/\1/' <<<"$last_body")"
auth="authorization: Bearer $token"
expect 201 -X POST "$base/api/products" -H "$json" -H "$auth" -d '{"sku":"LAMP-1","name":"Desk lamp","price":24.90}'
expect 201 -X POST "$base/api/products" -H "$json" -H "$auth" -d '{"sku":"MUG-1","name":"Mug","price":6.50}'
expect 200 "$base/api/products?limit=1"
expect 201 -X POST "$base/api/sales" -H "$json" -H "$auth" -d '{"productId":1,"quantity":3}'
expect 200 "$base/api/sales/summary?bucket=hour"
expect 400 -X POST "$base/api/products" -H "$json" -H "$auth" -d '{"sku":"","name":"","price":-1}'
expect 200 "$base/health"
step "The API answered every request as expected"

if [[ -n "$keep" ]]; then
  step "Kept the solution in $keep"
fi
