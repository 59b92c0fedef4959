#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: initdb'd into a temporary directory,
# listening on 127.0.0.1 on a free port (its socket in that directory too), with a
# database and a user with a password.
#
#   eval "$(scripts/postgresql-test-server.sh start)"
#       installs Debian's postgresql when no initdb is found, starts the server, and
#       prints `export` lines for RONDONE_TEST_POSTGRESQL_URL (postgresql://…) and
#       RONDONE_TEST_POSTGRESQL_DIR (the directory, for stop);
#   scripts/postgresql-test-server.sh stop [DIR]
#       stops that server (DIR defaults to $RONDONE_TEST_POSTGRESQL_DIR) and removes DIR.
#
# RONDONE_TEST_POSTGRESQL_DURABLE=1 starts it durable instead (fsync, synchronous_commit
# and full_page_writes on, PostgreSQL's defaults): for benchmarks, where a commit must
# mean what it means in production. The tests' default is off (faster, nothing to keep).
#
# initdb and postgres refuse to run as root: as root, they run as the `postgres` user
# (which the Debian package creates). Progress goes to stderr; stdout is only the exports.
set -euo pipefail

log() { echo "postgresql-test-server: $*" >&2; }

find_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    local initdb
    if initdb=$(command -v initdb 2>/dev/null); then dirname "$initdb"; return 0; fi
    return 1
}

install_postgresql() {
    log "no initdb found; installing Debian's postgresql"
    local sudo=
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
    $sudo apt-get update -qq >&2
    # The package would start its own cluster; keep it from doing so (no services here).
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo apt-get install -y -qq postgresql >&2
}

# Runs a command as the server's owner: the postgres user when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local bin
    bin=$(find_bin) || { install_postgresql; bin=$(find_bin); } || { log "initdb not found after install"; exit 1; }
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/rondone-postgresql.XXXXXX")
    chmod 755 "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    local password
    password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
    local pwfile="$dir/superuser-password"
    (umask 077 && echo "$password" >"$pwfile")
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pwfile"; fi
    log "initdb in $dir/data ($bin)"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    local port attempt durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if [ "${RONDONE_TEST_POSTGRESQL_DURABLE:-0}" = 1 ]; then
        durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
        log "durable: fsync, synchronous_commit and full_page_writes on"
    fi
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        # fsync off (unless durable): a test server whose data dies with it; many
        # connections: every contract check runs on its own pool, in parallel.
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' $durability -c max_connections=300" \
            start >&2; then
            break
        fi
        log "start on port $port failed (attempt $attempt)"
        tail -5 "$dir/server.log" >&2 || true
        port=
    done
    [ -n "$port" ] || { log "could not start the server"; exit 1; }
    local user=rondone database=rondone_test user_password
    user_password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
    as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres >&2 <<SQL
CREATE ROLE $user LOGIN PASSWORD '$user_password';
CREATE DATABASE $database OWNER $user;
SQL
    log "listening on 127.0.0.1:$port"
    echo "export RONDONE_TEST_POSTGRESQL_URL='postgresql://$user:$user_password@127.0.0.1:$port/$database?sslmode=disable'"
    echo "export RONDONE_TEST_POSTGRESQL_DIR='$dir'"
}

stop() {
    local dir=${1:-${RONDONE_TEST_POSTGRESQL_DIR:-}}
    [ -n "$dir" ] && [ -d "$dir" ] || { log "nothing to stop"; return 0; }
    local bin
    if bin=$(find_bin) && [ -d "$dir/data" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$dir"
    log "stopped and removed $dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    *)
        echo "usage: $0 start | stop [DIR]" >&2
        exit 2
        ;;
esac
