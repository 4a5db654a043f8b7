#!/usr/bin/env bash
# Benchmarks the generated startup stack's API against baselines built and measured in the same run, on loopback:
#   JSON read:  ours GET /api/products/{id} (every middleware on, HybridCache hit) vs stock `dotnet new webapi`
#               GET /weatherforecast and a bare minimal-API JSON endpoint
#   DB read:    ours GET /api/products?limit=20 (EF Core, keyset query) vs a raw Npgsql handler running the same SQL
#   Telemetry:  ours JSON read with and without the OpenTelemetry SDK (OTEL_SDK_DISABLED=true)
# Prints req/s, p99 latency and the ratios. Figures, not assertions: run it on an idle machine and compare ratios.
#
#   eng/bench.sh                 # needs PostgreSQL and Redis: FULLSTACK_TEST_POSTGRES/REDIS, or eng/services.sh as root
#   BENCH_DURATION=20s BENCH_CONNECTIONS=64 eng/bench.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/eng/lib.sh"
work="$(mktemp -d)"
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-32}"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -n "${db_name:-}" ]] && admin_sql "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { step "Install wrk"; apt-get install -y -qq wrk >/dev/null; }
if [[ -z "${FULLSTACK_TEST_POSTGRES:-}" ]]; then
  step "Start PostgreSQL and Redis (eng/services.sh)"
  service_env="$("$root/eng/services.sh" --env)"
  eval "$service_env"
fi


step "Pack, install, generate fullstack-mvp --stack startup"
dotnet pack "$root/TemplatePack.csproj" -c Release -o "$work/pkg" --nologo -v quiet >&2
dotnet new install "$(ls "$work"/pkg/*.nupkg)" --debug:custom-hive "$work/hive" </dev/null >/dev/null
dotnet new fullstack-mvp -n Bench.Shop -o "$work/ours" --stack startup --debug:custom-hive "$work/hive" --no-update-check </dev/null >/dev/null

step "Create the baselines: stock webapi, bare minimal API, raw Npgsql handler"
dotnet new webapi -o "$work/stock" -n Stock --no-restore </dev/null >/dev/null
dotnet new web -o "$work/bare" -n Bare --no-restore </dev/null >/dev/null
cat > "$work/bare/Program.cs" <<'CS'
var app = WebApplication.CreateSlimBuilder(args).Build();
app.MapGet("/json", () => new { id = 1, sku = "SKU-1", name = "Widget", price = 9.5m, version = 1 });
app.Run();
CS
dotnet new web -o "$work/raw" -n Raw --no-restore </dev/null >/dev/null
(cd "$work/raw" && dotnet add package Npgsql --version 10.0.3 >/dev/null)
cat > "$work/raw/Program.cs" <<'CS'
using Npgsql;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSingleton(NpgsqlDataSource.Create(builder.Configuration.GetConnectionString("appdb")!));
var app = builder.Build();
// The same first page the generated API serves: keyset order by name, id.
app.MapGet("/products", async (NpgsqlDataSource db) =>
{
    await using var command = db.CreateCommand(
        "SELECT id, sku, name, price, version, created_at, updated_at FROM products ORDER BY name, id LIMIT 21");
    await using var reader = await command.ExecuteReaderAsync();
    var rows = new List<object>();
    while (await reader.ReadAsync())
    {
        rows.Add(new { id = reader.GetInt64(0), sku = reader.GetString(1), name = reader.GetString(2), price = reader.GetDecimal(3),
            version = reader.GetInt64(4), createdAt = reader.GetDateTime(5), updatedAt = reader.GetDateTime(6) });
    }
    return Results.Ok(new { data = rows.Take(20), status = "success", timestamp = DateTimeOffset.UtcNow });
});
app.Run();
CS

step "Build everything in Release"
for project in "$work/ours/Bench.Shop.slnx" "$work/stock" "$work/bare" "$work/raw"; do
  dotnet build "$project" -c Release --nologo -v quiet >&2
done

db_name="bench_$$"
admin_sql "CREATE DATABASE $db_name"
database="$(sed -E 's/(^|;)Database=[^;]*//I' <<<"$FULLSTACK_TEST_POSTGRES");Database=$db_name"

start() { # name dir dll port [env...]
  local name=$1 dir=$2 dll=$3 port=$4; shift 4
  (cd "$dir" && exec env "$@" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
     dotnet "$dll" --urls "http://127.0.0.1:$port") >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0; sleep 0.5; done
  echo "$name did not start; its log:" >&2; cat "$work/$name.log" >&2; exit 1
}

ours_dir="$work/ours/src/Bench.Shop.Api/bin/Release/net10.0"
ours_env=(ConnectionStrings__appdb="$database" ConnectionStrings__redis="$FULLSTACK_TEST_REDIS" Data__CacheKeyPrefix="bench-$$:"
          Api__RateLimitBurst=1000000 Api__RateLimitPerSecond=1000000)
(cd "$ours_dir" && env "${ours_env[@]}" dotnet Bench.Shop.Api.dll migrate >/dev/null)
start ours "$ours_dir" Bench.Shop.Api.dll 18081 "${ours_env[@]}"
start stock "$work/stock/bin/Release/net10.0" Stock.dll 18082
start bare "$work/bare/bin/Release/net10.0" Bare.dll 18083
start raw "$work/raw/bin/Release/net10.0" Raw.dll 18084 ConnectionStrings__appdb="$database"
# The same app with the OpenTelemetry SDK switched off: the cost of full instrumentation, measured in this run.
start ours-no-telemetry "$ours_dir" Bench.Shop.Api.dll 18085 "${ours_env[@]}" OTEL_SDK_DISABLED=true

step "Seed 1,000 products"
for i in $(seq 1 1000); do
  printf '{"sku":"SKU-%04d","name":"Product %04d","price":%d.50}\n' "$i" "$i" "$i"
done | while read -r body; do
  curl -s -o /dev/null -X POST http://127.0.0.1:18081/api/products -H 'content-type: application/json' -d "$body"
done

measure() { # label url -> "label req/s p99_ms"
  local label=$1 url=$2 out
  # Warm-up at full concurrency: JIT, pools, caches, and enough thread-pool threads (a cold app stalls the first
  # requests of a burst for seconds on 2 cores; that is start-up, not the steady state measured here).
  wrk -t2 -c"$connections" -d5s "$url" >/dev/null
  out="$(wrk -t2 -c"$connections" -d"$duration" --latency "$url")"
  grep -q "Non-2xx" <<<"$out" && { echo "$label: non-2xx responses during the run:" >&2; echo "$out" >&2; exit 1; }
  # Connection errors make req/s meaningless: say so next to the figures rather than print a wrong ratio silently.
  grep -q "Socket errors" <<<"$out" && echo "WARNING $label: $(grep 'Socket errors' <<<"$out" | xargs)" >&2
  local rps p99
  rps="$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' <<<"$out")"
  printf '%s %s %s\n' "$label" "$rps" "$p99"
}

step "Measure ($duration each, $connections connections, loopback)"
results="$work/results.txt"
{
  measure "stock-webapi:/weatherforecast" http://127.0.0.1:18082/weatherforecast
  measure "bare-minimal:/json" http://127.0.0.1:18083/json
  measure "ours:/api/products/1" http://127.0.0.1:18081/api/products/1
  measure "ours-no-telemetry:/api/products/1" http://127.0.0.1:18085/api/products/1
  measure "raw-npgsql:/products" http://127.0.0.1:18084/products
  measure "ours:/api/products?limit=20" "http://127.0.0.1:18081/api/products?limit=20"
} | tee "$results" >/dev/null

awk '
  { rps[$1] = $2; p99[$1] = $3; order[NR] = $1 }
  END {
    printf "\n%-32s %12s %10s\n", "endpoint", "req/s", "p99 ms"
    for (i = 1; i <= NR; i++) printf "%-32s %12.0f %10.2f\n", order[i], rps[order[i]], p99[order[i]]
    printf "\nratio JSON read (ours / stock webapi):      %.2fx (target >= 1.2x)\n", rps["ours:/api/products/1"] / rps["stock-webapi:/weatherforecast"]
    printf "ratio JSON read (ours / bare minimal API):  %.2fx\n", rps["ours:/api/products/1"] / rps["bare-minimal:/json"]
    printf "ratio DB read   (ours / raw Npgsql):        %.2fx (target >= 0.8x)\n", rps["ours:/api/products?limit=20"] / rps["raw-npgsql:/products"]
    printf "telemetry cost  (ours / ours without OTel): %.2fx\n", rps["ours:/api/products/1"] / rps["ours-no-telemetry:/api/products/1"]
  }' "$results"
