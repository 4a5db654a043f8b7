#!/usr/bin/env bash
# Starts the real services the slow test tiers use, on Debian/Ubuntu (needs root for apt and service start):
# PostgreSQL (the distribution's version, cluster "main") with a role fullstack/fullstack that may create
# databases, Redis, RabbitMQ (guest/guest on 127.0.0.1:5672) and NATS with JetStream (127.0.0.1:4222) for the
# messaging tests; and installs prometheus/promtool for the observability tier and Chromium for the
# generated passkey tests. Idempotent: installs only
# what is missing, starts only what is not answering.
#
#   eng/services.sh                     install + start, then print the export lines
#   source <(eng/services.sh --env)     same, and export the variables into the current shell
#
# Everything but the export lines goes to stderr, so the --env form can be sourced.
set -euo pipefail

pg_user=fullstack
pg_password=fullstack
pg_port=5432
redis_port=6379
rabbitmq_port=5672
nats_port=4222
# JetStream keeps its streams here (file storage); the messaging tests give every run destinations of its own.
nats_store=/var/lib/nats-fullstack

log() { echo "services: $*" >&2; }

case "${1:-}" in
  "" | --env) ;; # both print the export lines on stdout; --env just reads well after `source <(...)`
  *) echo "usage: eng/services.sh [--env]" >&2; exit 2 ;;
esac

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

install_missing() {
  local missing=()
  command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  # promtool and prometheus: the observability tier checks the app's metrics and the shipped rules with them.
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  # Chromium: the generated passkey tests drive it (Playwright, virtual WebAuthn authenticator).
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  # Node and npm: the build tier lints the generated OpenAPI documents with Redocly CLI from npm.
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  # RabbitMQ and NATS (JetStream): the messaging starter's transports are tested against the real brokers.
  command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
  command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
  if (( ${#missing[@]} > 0 )); then
    log "installing ${missing[*]}"
    # A fresh Debian/Ubuntu machine knows no packages until its lists are fetched once.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
  fi
}

start_postgres() {
  # The installed major version (15 on Debian 12, 16 on Ubuntu 24.04, ...), not a hard-coded one.
  local version
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
    log "creating PostgreSQL $version cluster main"
    as_root pg_createcluster "$version" main >&2
  fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    log "starting PostgreSQL $version"
    as_root pg_ctlcluster "$version" main start >&2
  fi

  local tries=0
  until as_root su postgres -c "pg_isready -q -h 127.0.0.1 -p $pg_port"; do
    (( ++tries > 30 )) && { log "PostgreSQL did not become ready"; exit 1; }
    sleep 1
  done

  # CREATEDB: the harness gives every run-tier app a fresh database and drops it afterwards.
  as_root su postgres -c "psql -v ON_ERROR_STOP=1 -q -p $pg_port" >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$pg_user') THEN
    CREATE ROLE $pg_user LOGIN PASSWORD '$pg_password' CREATEDB;
  ELSE
    ALTER ROLE $pg_user LOGIN PASSWORD '$pg_password' CREATEDB;
  END IF;
END
\$\$;
SQL
}

start_redis() {
  if redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG; then
    return
  fi
  log "starting Redis"
  # No snapshots: test data must not outlive the run (a dump.rdb would be loaded by the next one).
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no >&2
  local tries=0
  until redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG; do
    (( ++tries > 30 )) && { log "Redis did not answer PING"; exit 1; }
    sleep 1
  done
}

# True when something accepts TCP connections on 127.0.0.1:$1 (bash's /dev/tcp: no extra tool needed).
tcp_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

start_rabbitmq() {
  if tcp_open "$rabbitmq_port"; then
    return
  fi
  log "starting RabbitMQ"
  # -detached returns at once; the node takes a few seconds (more on a busy machine) to open its AMQP listener.
  # Its output goes to a file: a detached node that inherited a pipe (`eng/services.sh 2>&1 | tee`) would hold it open.
  as_root bash -c "rabbitmq-server -detached >>/var/log/rabbitmq-fullstack.log 2>&1 </dev/null"
  local tries=0
  until tcp_open "$rabbitmq_port"; do
    (( ++tries > 90 )) && { log "RabbitMQ did not open port $rabbitmq_port (see /var/log/rabbitmq-fullstack.log and /var/log/rabbitmq/)"; exit 1; }
    sleep 1
  done
}

start_nats() {
  if tcp_open "$nats_port"; then
    return
  fi
  log "starting NATS with JetStream (store $nats_store, log /var/log/nats-fullstack.log)"
  as_root mkdir -p "$nats_store"
  as_root bash -c "nohup nats-server -js -sd '$nats_store' -a 127.0.0.1 -p $nats_port >>/var/log/nats-fullstack.log 2>&1 </dev/null &"
  local tries=0
  until tcp_open "$nats_port"; do
    (( ++tries > 30 )) && { log "NATS did not open port $nats_port (see /var/log/nats-fullstack.log)"; exit 1; }
    sleep 1
  done
}

install_missing
start_postgres
start_redis
start_rabbitmq
start_nats
log "PostgreSQL, Redis, RabbitMQ and NATS are ready"

echo "export FULLSTACK_TEST_POSTGRES='Host=127.0.0.1;Port=$pg_port;Username=$pg_user;Password=$pg_password;Database=postgres'"
echo "export FULLSTACK_TEST_REDIS='127.0.0.1:$redis_port'"
echo "export FULLSTACK_TEST_RABBITMQ='amqp://guest:guest@127.0.0.1:$rabbitmq_port/'"
echo "export FULLSTACK_TEST_NATS='nats://127.0.0.1:$nats_port'"
