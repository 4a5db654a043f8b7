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

# Find the services: the variables first, then whatever eng/services.sh starts (when we may run it).
if [[ -z "${FULLSTACK_TEST_POSTGRES:-}" && "$(id -u)" -eq 0 && -x /usr/bin/apt-get ]]; then
  step "Start PostgreSQL and Redis (eng/services.sh)"
  eval "$("$root/eng/services.sh" --env)" || echo "services unavailable; falling back to SQLite"
fi

args=(--stack startup)
if [[ -n "${FULLSTACK_TEST_POSTGRES:-}" ]]; then
  database="$(echo "$FULLSTACK_TEST_POSTGRES" | sed -E 's/(^|;)Database=[^;]*//I');Database=acme_shop_try_$$"
  db_name="acme_shop_try_$$"
else
  args+=(--database sqlite)
  database="Data Source=$work/acme_shop.db"
fi

step "Generate: dotnet new fullstack-mvp -n Acme.Shop ${args[*]}"
rm -rf "$out"
dotnet new fullstack-mvp -n Acme.Shop -o "$out" "${args[@]}" \
  --debug:custom-hive "$work/hive" --no-update-check </dev/null
(cd "$out" && find . -name obj -prune -o -type f -print | sort | sed "s/^/  /")

step "Build with warnings as errors"
dotnet build "$out/Acme.Shop.slnx" -c Release -warnaserror -warnnotaserror:NU1603 --nologo -v quiet


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

step "Apply the migrations (an explicit step)"
(cd "$api_dir" && dotnet "$api" migrate)

step "Start the API"
port=$(( 20000 + RANDOM % 10000 ))
(cd "$api_dir" && exec dotnet "$api" --urls "http://127.0.0.1:$port") >"$work/api.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/alive" >/dev/null && break; sleep 0.5; done
base="http://127.0.0.1:$port"

show() { printf '\n$ %s\n' "$*"; "$@"; echo; }
json='content-type: application/json'
show curl -s -X POST "$base/api/products" -H "$json" -d '{"sku":"LAMP-1","name":"Desk lamp","price":24.90}'
show curl -s -X POST "$base/api/auth/register" -H "$json" -d '{"email":"ada@example.com","password":"correct horse battery staple"}'
login="$(curl -s -X POST "$base/api/auth/login" -H "$json" -d '{"email":"ada@example.com","password":"correct horse battery staple"}')"
printf '\n$ curl -s -X POST %s/api/auth/login ...\n%s\n' "$base" "$login"
token="$(sed -E 's/.*"accessToken":"([^"]+)".*/\1/' <<<"$login")"
auth="authorization: Bearer $token"
show curl -s -X POST "$base/api/products" -H "$json" -H "$auth" -d '{"sku":"LAMP-1","name":"Desk lamp","price":24.90}'
show curl -s -X POST "$base/api/products" -H "$json" -H "$auth" -d '{"sku":"MUG-1","name":"Mug","price":6.50}'
show curl -s "$base/api/products?limit=1"
show curl -s -X POST "$base/api/sales" -H "$json" -H "$auth" -d '{"productId":1,"quantity":3}'
show curl -s "$base/api/sales/summary?bucket=hour"
show curl -s -X POST "$base/api/products" -H "$json" -H "$auth" -d '{"sku":"","name":"","price":-1}'
show curl -s -i "$base/health"

if [[ -n "$keep" ]]; then
  step "Kept the solution in $keep"
fi
