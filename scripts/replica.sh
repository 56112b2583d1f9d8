#!/usr/bin/env bash
# A real streaming replica of the local PostgreSQL (issue 14, README « Serving for real »):
# `scripts/replica.sh start` copies the primary (127.0.0.1:5432) with pg_basebackup into
# $REPLICA_DIR and starts it as a hot standby on $REPLICA_PORT, following the primary's WAL;
# `scripts/replica.sh stop` stops it and removes its copy. CI starts one for the suite's replica
# tests (DATABASE_REPLICA_URL); production has its own, on other machines.
#
# The only change to the primary: if its pg_hba.conf has no replication line, one is added for
# 127.0.0.1 (trust, like this machine's other local lines) and the configuration reloaded.
set -euo pipefail

PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/tmp/contactcovid-replica}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/pg_basebackup" ] || { echo "pg_basebackup introuvable (paquet postgresql)" >&2; exit 1; }

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

stop() {
  if [ -f "$REPLICA_DIR/postmaster.pid" ]; then
    as_postgres "$bin/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$REPLICA_DIR"
}

start() {
  stop
  psql="psql -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -Atq"
  hba=$($psql -c "SHOW hba_file")
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication' "$hba"; then
    echo "host replication all 127.0.0.1/32 trust" >> "$hba"
    $psql -c "SELECT pg_reload_conf()" >/dev/null
  fi
  mkdir -p "$REPLICA_DIR"
  chown postgres: "$REPLICA_DIR"
  chmod 700 "$REPLICA_DIR"
  # -R: standby.signal and primary_conninfo; -X stream: the WAL written meanwhile comes along.
  as_postgres "$bin/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
    -D "$REPLICA_DIR" -R -X stream -c fast
  # Debian keeps the primary's configuration in /etc: the copy gets its own, minimal, with the
  # settings a standby must not have lower than its primary.
  limits=$($psql -c "SELECT string_agg(name || ' = ' || setting, E'\n') FROM pg_settings WHERE name IN
    ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
     'max_locks_per_transaction')")
  as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<CONF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
$limits
CONF
  as_postgres tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
  as_postgres "$bin/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/replica.log" -w start >/dev/null
  for _ in $(seq 1 30); do
    state=$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atqc "SELECT pg_is_in_recovery()" 2>/dev/null || true)
    [ "$state" = t ] && { echo "réplica prêt : 127.0.0.1:$REPLICA_PORT"; return 0; }
    sleep 1
  done
  echo "le réplica ne répond pas ; voir $REPLICA_DIR/replica.log" >&2
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage : $0 start|stop" >&2; exit 2 ;;
esac
