# Shared by the eng/ scripts (sourced, not run).

# step TEXT: a bold heading on stderr.
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

# psql_in DATABASE ARGS...: psql against the server of $FULLSTACK_TEST_POSTGRES, an Npgsql connection string
# (Host=..;Port=..;Username=..;Password=..), in DATABASE, stopping at the first error.
psql_in() {
  local database=$1 key value
  shift
  local -a env=("PGDATABASE=$database")
  while IFS='=' read -r key value; do
    case "${key,,}" in
      host|server) env+=("PGHOST=$value") ;;
      port) env+=("PGPORT=$value") ;;
      username|user\ id|userid) env+=("PGUSER=$value") ;;
      password) env+=("PGPASSWORD=$value") ;;
    esac
  done < <(tr ';' '\n' <<<"$FULLSTACK_TEST_POSTGRES")
  env "${env[@]}" psql -q -v ON_ERROR_STOP=1 "$@"
}

# admin_sql SQL: runs SQL in the server's "postgres" database (creating and dropping databases).
admin_sql() { psql_in postgres -c "$1"; }

# database_sql DATABASE SQL: runs SQL in DATABASE and prints result rows unaligned without headers (psql -At), so
# that scripts can read a value.
database_sql() { psql_in "$1" -At -c "$2"; }
