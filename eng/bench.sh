#!/usr/bin/env bash
# Benchmarks the generated startup stack's API against baselines built and measured in the same run, on loopback:
#   JSON read:  ours GET /api/products/{id} (every middleware on, HybridCache hit) vs stock `dotnet new webapi`
#               GET /weatherforecast and a bare minimal-API JSON endpoint
#   DB read:    ours GET /api/products?limit=20&cursor=... (EF Core, keyset query) vs a raw Npgsql handler running the
#               same SQL for the same pages. Every request carries a cursor never sent before (pages.lua), so neither the
#               output cache nor HybridCache can answer: each one is a database read, and the bench checks that it was.
#   Telemetry:  ours JSON read with and without the OpenTelemetry SDK (OTEL_SDK_DISABLED=true)
# Prints req/s, p99 latency and the ratios. Figures, not assertions: run it on an idle machine and compare ratios.
#
#   eng/bench.sh                 # needs PostgreSQL and Redis: FULLSTACK_TEST_POSTGRES/REDIS, or eng/services.sh as root
#   BENCH_DURATION=20s BENCH_WARMUP=30s BENCH_ROUNDS=3 BENCH_CONNECTIONS=64 eng/bench.sh
#
# eng/bench.sh messaging (or BENCH_SUITE=messaging) runs the messaging benchmark instead: it generates
# fullstack-messaging for Kafka, RabbitMQ and NATS (PostgreSQL), builds each solution's
# bench/<App>.Messaging.Benchmarks and runs it against the local services (eng/services.sh: PostgreSQL, Redis, RabbitMQ,
# NATS; Kafka is librdkafka's mock cluster unless BENCH_KAFKA names a real one). Per broker: raw publish/subscribe
# events/s, the same with a receipt row written per message, the outbox path's (order + event in one transaction,
# relay, consumer with inbox) events/s, their ratios, p50/p99 latency of each, and p50/p99 of the outbox path paced at
# BENCH_RATE events/s. Figures, not assertions.
#   BENCH_EVENTS=5000 BENCH_RATE=1000 BENCH_SECONDS=5 BENCH_BROKERS="kafka rabbitmq nats" eng/bench.sh messaging
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/eng/lib.sh"
work="$(mktemp -d)"
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-32}"
# Long enough for tiered compilation to finish on 2 busy cores: the EF Core read path is still being re-jitted after
# 5 s, which left the DB read well below its steady state.
warmup="${BENCH_WARMUP:-15s}"
# Rounds of the whole set, one endpoint after another; each figure printed is the median over the rounds, and each
# ratio is also printed per round. On 2 cores shared by the servers, wrk and PostgreSQL (and on a VM, its neighbours),
# one round's DB-read ratio has ranged from 0.56x to 0.96x for the same code: read the spread, not one figure.
rounds="${BENCH_ROUNDS:-3}"
pids=()
declare -A server_pid # port -> the server's process id, to read its CPU time

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -n "${db_name:-}" ]] && admin_sql "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

messaging_bench() {
  local events="${BENCH_EVENTS:-5000}" rate="${BENCH_RATE:-1000}" seconds="${BENCH_SECONDS:-5}"
  local brokers="${BENCH_BROKERS:-kafka rabbitmq nats}" broker dir project dll address line
  if [[ -z "${FULLSTACK_TEST_POSTGRES:-}" || -z "${FULLSTACK_TEST_REDIS:-}" || -z "${FULLSTACK_TEST_RABBITMQ:-}" || -z "${FULLSTACK_TEST_NATS:-}" ]]; then
    step "Start PostgreSQL, Redis, RabbitMQ and NATS (eng/services.sh)"
    service_env="$("$root/eng/services.sh" --env)"
    eval "$service_env"
  fi

  step "Pack, install, generate fullstack-messaging per broker (PostgreSQL)"
  dotnet pack "$root/TemplatePack.csproj" -c Release -o "$work/pkg" --nologo -v quiet >&2
  dotnet new install "$(ls "$work"/pkg/*.nupkg)" --debug:custom-hive "$work/hive" </dev/null >/dev/null
  local results="$work/messaging-results.txt"
  : >"$results"
  for broker in $brokers; do
    dir="$work/messaging-$broker"
    project="$dir/bench/Bench.Orders.Messaging.Benchmarks"
    dotnet new fullstack-messaging -n Bench.Orders -o "$dir" --broker "$broker" --database postgres \
      --debug:custom-hive "$work/hive" --no-update-check </dev/null >/dev/null
    step "Build the $broker bench in Release"
    # NU1603 reports our partial NuGet mirror, not the template: kept a warning here, as in the harness.
    if ! dotnet build "$project" -c Release -p:WarningsNotAsErrors=NU1603 --nologo -v quiet >&2; then
      echo "bench-result broker=$broker build=failed" >>"$results"
      continue
    fi

    case $broker in
      kafka) address="${BENCH_KAFKA:-mock}" ;;
      rabbitmq) address="$FULLSTACK_TEST_RABBITMQ" ;;
      nats) address="$FULLSTACK_TEST_NATS" ;;
    esac
    step "Run the $broker bench: $events events raw and through the outbox, then $rate/s for $seconds s"
    dll="$project/bin/Release/net10.0/Bench.Orders.Messaging.Benchmarks.dll"
    # The bench makes (and drops) a database of its own on the server of FULLSTACK_TEST_POSTGRES. Its own report goes
    # to stderr as it comes (through tee's stdout: tee /dev/stderr would reopen a redirected stderr and overwrite it);
    # the line for the table below is the bench-result one.
    (cd "$(dirname "$dll")" && env ConnectionStrings__appdb="$FULLSTACK_TEST_POSTGRES" ConnectionStrings__redis="$FULLSTACK_TEST_REDIS" \
      "ConnectionStrings__$broker=$address" dotnet "$dll" --events "$events" --rate "$rate" --seconds "$seconds") 2>&1 \
      | tee "$work/messaging-$broker.log" >&2 || true
    line="$(grep '^bench-result ' "$work/messaging-$broker.log" || true)"
    echo "${line:-bench-result broker=$broker run=failed}" >>"$results"
    grep '^bench-failure ' "$work/messaging-$broker.log" | sed "s/^bench-failure /$broker failed: /" >>"$work/messaging-failures.txt" || true
  done

  awk -v kafka="${BENCH_KAFKA:-mock}" -v rate="$rate" '
    {
      delete f
      for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
      if (!("raw_eps" in f)) { printf "%-9s %s\n", f["broker"], ("build" in f ? "did not build" : "did not run (see its output above)"); next }
      printf "%-9s %9s %9s %9s %7sx %7sx %9s %7sx %13s %13s %13s %9s %9s\n", f["broker"], f["raw_eps"], f["rawfx_eps"], f["outbox_eps"], f["ratio"], f["ratio_fx"],
        f["backlog_eps"], f["ratio_backlog"], f["raw_p50"] "/" f["raw_p99"], f["outbox_p50"] "/" f["outbox_p99"], f["paced_p50"] "/" f["paced_p99"],
        f["outbox_written"], f["paced_written"] (f["complete"] == "yes" ? "" : " INCOMPLETE")
    }
    BEGIN {
      printf "\nevents/s (higher is better), latency ms p50/p99; raw+rcpt = raw with a receipt row written per message;\n"
      printf "backlog = relay + consumer draining orders written before the worker started (no writer bound);\n"
      printf "written/s = orders committed by the writers, saturated run and paced run\n"
      printf "%-9s %9s %9s %9s %8s %8s %9s %8s %13s %13s %13s %9s %9s\n", "broker", "raw", "raw+rcpt", "outbox", "out/raw", "out/rcpt", "backlog", "blog/raw", "raw lat", "outbox lat", "paced " rate "/s", "written", "paced wr"
    }
    END {
      if (kafka == "mock") print "Kafka here is librdkafka'"'"'s mock cluster (an in-process broker, in the bench'"'"'s own process): its absolute figures are not a real cluster'"'"'s."
      print "Target (issue 14): outbox >= 0.5x raw on Kafka, and p99 < 100 ms paced at 1,000 events/s."
      print "The outbox path cannot outrun its writers (written); backlog/raw is the machinery against the bare broker."
    }' "$results"
  cat "$work/messaging-failures.txt" 2>/dev/null || true
}

if [[ "${1:-${BENCH_SUITE:-}}" == messaging ]]; then
  messaging_bench
  exit 0
fi

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
using System.Buffers.Text;
using System.Text.Json;
using Npgsql;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSingleton(NpgsqlDataSource.Create(builder.Configuration.GetConnectionString("appdb")!));
var app = builder.Build();
// The pages the generated API serves, by hand: the same cursor format, the same SQL as EF Core sends (the row-value
// seek on the (name, id) index, one row more than asked), the same envelope with the next cursor.
app.MapGet("/api/products", async (NpgsqlDataSource db, int? limit, string? cursor) =>
{
    var take = Math.Clamp(limit ?? 20, 1, 100);
    const string Columns = "SELECT p.id, p.created_at, p.name, p.price, p.sku, p.updated_at, p.version FROM products AS p";
    await using var command = db.CreateCommand();
    if (string.IsNullOrEmpty(cursor))
    {
        command.CommandText = $"{Columns} ORDER BY p.name, p.id LIMIT $1";
        command.Parameters.Add(new NpgsqlParameter { Value = take + 1 });
    }
    else
    {
        var after = JsonSerializer.Deserialize<Cursor>(Base64Url.DecodeFromChars(cursor))!;
        command.CommandText = $"{Columns} WHERE (p.name, p.id) > ($1, $2) ORDER BY p.name, p.id LIMIT $3";
        command.Parameters.Add(new NpgsqlParameter { Value = after.Key });
        command.Parameters.Add(new NpgsqlParameter { Value = after.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = take + 1 });
    }

    var rows = new List<Row>(take + 1);
    await using (var reader = await command.ExecuteReaderAsync())
    {
        while (await reader.ReadAsync())
        {
            rows.Add(new Row(reader.GetInt64(0), reader.GetString(4), reader.GetString(2), reader.GetDecimal(3), reader.GetInt64(6),
                reader.GetDateTime(1), reader.GetDateTime(5)));
        }
    }

    string? next = null;
    if (rows.Count > take)
    {
        rows.RemoveAt(take);
        next = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Cursor(rows[^1].Name, rows[^1].Id)));
    }

    return Results.Ok(new Page(rows, "success", DateTimeOffset.UtcNow, next));
});
app.Run();

record Cursor(string Key, long Id);
record Row(long Id, string Sku, string Name, decimal Price, long Version, DateTime CreatedAt, DateTime UpdatedAt);
record Page(List<Row> Data, string Status, DateTimeOffset Timestamp, string? NextCursor);
CS

# Keyset pages that no cache has seen: a cursor (KeysetCursor: base64url of {"Key":name,"Id":id}) after a random one of
# the seeded products, 20 rows each, all full pages. Names are unique ("Product 0001".."Product 1000"), so the id in the
# cursor only breaks ties that do not occur: every id above 1000 gives the same page, and a fresh id per request makes
# each URL new. args[1] is an offset per wrk run, so the measured run does not repeat the warm-up's URLs either.
cat > "$work/pages.lua" <<'LUA'
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local function base64url(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = (not b and 2) or (not c and 3) or 4
    for j = 1, chars do
      local index = math.floor(n / 2 ^ (6 * (4 - j))) % 64
      out[#out + 1] = alphabet:sub(index + 1, index + 1)
    end
  end
  return table.concat(out)
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local offset, counter = 0, 0
function init(args)
  offset = (tonumber(args[1]) or 0) * 1e9 + (thread_number or 0) * 1e8
end

function request()
  counter = counter + 1
  local after = (counter * 7919 + (thread_number or 0) * 104729) % 979 + 1
  local cursor = string.format('{"Key":"Product %04d","Id":%.0f}', after, 1000 + offset + counter)
  return wrk.format("GET", "/api/products?limit=20&cursor=" .. base64url(cursor))
end
LUA

step "Build everything in Release"
for project in "$work/ours/Bench.Shop.slnx" "$work/stock" "$work/bare" "$work/raw"; do
  # NU1603 reports our partial NuGet mirror, not the template: kept a warning here, as in the harness.
  dotnet build "$project" -c Release -p:WarningsNotAsErrors=NU1603 --nologo -v quiet >&2
done

db_name="bench_$$"
admin_sql "CREATE DATABASE $db_name"
database="$(sed -E 's/(^|;)Database=[^;]*//I' <<<"$FULLSTACK_TEST_POSTGRES");Database=$db_name"

start() { # name dir dll port [env...]
  local name=$1 dir=$2 dll=$3 port=$4; shift 4
  (cd "$dir" && exec env "$@" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
     dotnet "$dll" --urls "http://127.0.0.1:$port") >"$work/$name.log" 2>&1 &
  pids+=($!)
  server_pid[$port]=$!
  for _ in $(seq 1 120); do curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0; sleep 0.5; done
  echo "$name did not start; its log:" >&2; cat "$work/$name.log" >&2; exit 1
}

ours_dir="$work/ours/src/Bench.Shop.Api/bin/Release/net10.0"
ours_env=(ConnectionStrings__appdb="$database" ConnectionStrings__redis="$FULLSTACK_TEST_REDIS" Data__CacheKeyPrefix="bench-$$:"
          Api__RateLimitBurst=1000000 Api__RateLimitPerPeriod=1000000)
if [[ -d "$work/ours/src/Bench.Shop.Api/Security" ]]; then
  # The security module will not start in Production without a token signing key and a key ring certificate.
  (cd "$ours_dir" && dotnet Bench.Shop.Api.dll keys generate --output "$work/signing-key.pem" >/dev/null)
  openssl req -x509 -newkey rsa:3072 -nodes -days 1825 -subj /CN=key-ring -keyout "$work/key-ring.pem" -out "$work/key-ring.pem" 2>/dev/null
  ours_env+=(Security__Tokens__SigningKeyPath="$work/signing-key.pem" Security__KeyRing__CertificatePath="$work/key-ring.pem")
fi
(cd "$ours_dir" && env "${ours_env[@]}" dotnet Bench.Shop.Api.dll migrate >/dev/null)

step "Seed 1,000 products (SQL, straight into the migrated database)"
# Not through the API: product writes need a signed-in user, and the bench measures reads.
database_sql "$db_name" "
  INSERT INTO products (sku, name, price, created_at, updated_at, version)
  SELECT format('SKU-%s', lpad(i::text, 4, '0')), format('Product %s', lpad(i::text, 4, '0')), i + 0.50, now(), now(), 1
  FROM generate_series(1, 1000) AS i;
  ANALYZE products;"
start ours "$ours_dir" Bench.Shop.Api.dll 18081 "${ours_env[@]}"
start stock "$work/stock/bin/Release/net10.0" Stock.dll 18082
start bare "$work/bare/bin/Release/net10.0" Bare.dll 18083
start raw "$work/raw/bin/Release/net10.0" Raw.dll 18084 ConnectionStrings__appdb="$database"
# The same app with the OpenTelemetry SDK switched off: the cost of full instrumentation, measured in this run.
start ours-no-telemetry "$ours_dir" Bench.Shop.Api.dll 18085 "${ours_env[@]}" OTEL_SDK_DISABLED=true

# CPU time (user + system) used so far, in microseconds: of one process, and of every PostgreSQL process (server,
# backends, background workers) together.
cpu_us() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1e6 / hz }' "/proc/$1/stat"; }
postgres_cpu_us() {
  local total=0 pid
  for pid in $(pgrep -x postgres); do total=$((total + $(cpu_us "$pid" 2>/dev/null || echo 0))); done
  echo "$total"
}

measure() { # label url [wrk script] -> "label req/s p99_ms requests server_cpu_us/request postgres_cpu_us/request"
  # (requests: warm-up and measured run together; the CPU figures are per request of the measured run only)
  local label=$1 url=$2 script=${3:-} out warm port pid app0 app1 pg0 pg1
  local -a with_script=()
  [[ -n "$script" ]] && with_script=(-s "$script")
  port="$(sed -E 's#^http://[^:/]+:([0-9]+).*#\1#' <<<"$url")"
  pid="${server_pid[$port]}"
  # Warm-up at full concurrency: JIT, pools, caches, and enough thread-pool threads (a cold app stalls the first
  # requests of a burst for seconds on 2 cores; that is start-up, not the steady state measured here).
  # The script's argument differs between runs at least 5 s apart (see pages.lua).
  warm="$(wrk -t2 -c"$connections" -d"$warmup" "${with_script[@]}" "$url" -- $(($(date +%s) % 1000000)))"
  app0="$(cpu_us "$pid")"; pg0="$(postgres_cpu_us)"
  out="$(wrk -t2 -c"$connections" -d"$duration" --latency "${with_script[@]}" "$url" -- $(($(date +%s) % 1000000)))"
  app1="$(cpu_us "$pid")"; pg1="$(postgres_cpu_us)"
  grep -q "Non-2xx" <<<"$out" && { echo "$label: non-2xx responses during the run:" >&2; echo "$out" >&2; exit 1; }
  # Connection errors make req/s meaningless: say so next to the figures rather than print a wrong ratio silently.
  grep -q "Socket errors" <<<"$out" && echo "WARNING $label: $(grep 'Socket errors' <<<"$out" | xargs)" >&2
  local rps p99 measured
  rps="$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' <<<"$out")"
  measured="$(awk '/requests in/ { print $1 }' <<<"$out")"
  printf '%s %s %s %s %s %s\n' "$label" "$rps" "$p99" "$(awk '/requests in/ { n += $1 } END { print n }' <<<"$warm$out")" \
    "$(awk -v c=$((app1 - app0)) -v n="$measured" 'BEGIN { printf "%.1f", c / n }')" \
    "$(awk -v c=$((pg1 - pg0)) -v n="$measured" 'BEGIN { printf "%.1f", c / n }')"
}

# Index scans on products so far: with the requests a run made, it shows whether each one really read the database.
product_reads() {
  sleep 11 # an idle backend publishes its last statistics after 10 s (PostgreSQL 15+)
  database_sql "$db_name" "SELECT idx_scan FROM pg_stat_user_tables WHERE relname = 'products'"
}

db_read() { # label url -> measure's line, plus the database reads per request (warm-up and measured run)
  local before after line
  before="$(product_reads)"
  line="$(measure "$1" "$2" "$work/pages.lua")"
  after="$(product_reads)"
  # measure's fourth field: the requests of the warm-up and the measured run.
  printf '%s %s\n' "$line" "$(awk -v d=$((after - before)) '{ printf "%.3f", d / $4 }' <<<"$line")"
}

step "Measure ($duration each after $warmup of warm-up, $connections connections, loopback, $rounds round(s))"
results="$work/results.txt"
measurement() { # index -> one measurement of the set
  case $1 in
    0) measure "stock-webapi:/weatherforecast" http://127.0.0.1:18082/weatherforecast ;;
    1) measure "bare-minimal:/json" http://127.0.0.1:18083/json ;;
    2) measure "ours:/api/products/1" http://127.0.0.1:18081/api/products/1 ;;
    3) measure "ours-no-telemetry:/api/products/1" http://127.0.0.1:18085/api/products/1 ;;
    4) db_read "raw-npgsql:keyset-pages" http://127.0.0.1:18084/api/products ;;
    5) db_read "ours:keyset-pages" http://127.0.0.1:18081/api/products ;;
  esac
}
for round in $(seq 1 "$rounds"); do
  # Even rounds run the set backwards. A VM's speed drifts within minutes (the same binary has measured 21 and 30 us
  # of CPU per request a few minutes apart), and a fixed order would hand every ratio the same bias.
  order="$(seq 0 5)"
  (( round % 2 == 0 )) && order="$(seq 5 -1 0)"
  for index in $order; do measurement "$index"; done
done | tee "$results" >/dev/null

awk '
  # The median of the n values v[label, 1..n].
  function median(v, label, n,    i, j, t, a) {
    for (i = 1; i <= n; i++) a[i] = v[label, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    n = ++count[$1]; r[$1, n] = $2; q[$1, n] = $3; c[$1, n] = $5; g[$1, n] = $6; d[$1, n] = (NF >= 7 ? $7 : -1)
    if (n == 1) order[++labels] = $1
  }
  END {
    ours = "ours:/api/products/1"; stock = "stock-webapi:/weatherforecast"; bare = "bare-minimal:/json"
    for (i = 1; i <= labels; i++) {
      l = order[i]; rps[l] = median(r, l, count[l]); p99[l] = median(q, l, count[l]); cpu[l] = median(c, l, count[l])
      db = d[l, 1] >= 0
      pg[l] = db ? sprintf("%.1f", median(g, l, count[l])) : "-"
      reads[l] = db ? sprintf("%.3f", median(d, l, count[l])) : "-"
    }
    printf "\n%-36s %10s %8s %14s %14s %10s\n", "endpoint", "req/s", "p99 ms", "app CPU us/req", "PG CPU us/req", "DB reads"
    for (i = 1; i <= labels; i++) { l = order[i]; printf "%-36s %10.0f %8.2f %14.1f %14s %10s\n", l, rps[l], p99[l], cpu[l], pg[l], reads[l] }
    printf "\nratio JSON read (ours / stock webapi):      %.2fx (target >= 1.2x)\n", rps[ours] / rps[stock]
    printf "ratio JSON read (ours / bare minimal API):  %.2fx\n", rps[ours] / rps[bare]
    printf "ratio DB read   (ours / raw Npgsql):        %.2fx (target >= 0.8x)\n", rps["ours:keyset-pages"] / rps["raw-npgsql:keyset-pages"]
    printf "  per round, JSON / stock:"; for (n = 1; n <= count[ours]; n++) printf " %.2fx", r[ours, n] / r[stock, n]
    printf "\n  per round, DB / raw:    "; for (n = 1; n <= count[ours]; n++) printf " %.2fx", r["ours:keyset-pages", n] / r["raw-npgsql:keyset-pages", n]
    printf "\n"
    printf "telemetry cost  (ours / ours without OTel): %.2fx\n", rps[ours] / rps["ours-no-telemetry:/api/products/1"]
    # The load generator shares the cores: what a server saves per request turns into throughput only in part.
    printf "\nserver CPU per JSON request: ours %.1f us, stock %.1f us, bare %.1f us (ours - bare = %.1f us of middleware)\n", \
      cpu[ours], cpu[stock], cpu[bare], cpu[ours] - cpu[bare]
    printf "CPU per DB read (app + PostgreSQL): ours %.1f us, raw Npgsql %.1f us\n", \
      cpu["ours:keyset-pages"] + pg["ours:keyset-pages"], cpu["raw-npgsql:keyset-pages"] + pg["raw-npgsql:keyset-pages"]
  }' "$results"
