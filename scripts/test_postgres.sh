#!/usr/bin/env bash
# A throwaway PostgreSQL server for the lake tests: `start <dir>` initialises a cluster in
# <dir>/data and starts it on a Unix socket in <dir>/socket (no TCP port), printing the
# environment the tests read; `stop <dir>` stops it at once and removes <dir>.
# Installs Debian's postgresql package when no server is found. The server refuses to run as
# root: as root, it runs as the `postgres` user.
set -euo pipefail
action=${1:?usage: test_postgres.sh start|stop <dir>}
dir=${2:?usage: test_postgres.sh start|stop <dir>}

find_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_server_user() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$*"
    else
        sh -c "$*"
    fi
}

bin=${DR_INGEST_TEST_PG_BIN:-$(find_bin)}
case "$action" in
start)
    if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
        echo "test_postgres: installing Debian's postgresql" >&2
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        else
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        fi
        bin=$(find_bin)
    fi
    mkdir -p "$dir/data" "$dir/socket"
    chmod 755 "$dir"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$dir/data" "$dir/socket"
        touch "$dir/server.log" && chown postgres "$dir/server.log"
    fi
    as_server_user "'$bin/initdb' -D '$dir/data' -A trust -U postgres" >/dev/null
    as_server_user "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w \
        -o \"-k '$dir/socket' -c listen_addresses='' -c max_connections=200 -c fsync=off\" start" >/dev/null
    echo "DR_INGEST_TEST_PG_HOST=$dir/socket"
    echo "DR_INGEST_TEST_PG_BIN=$bin"
    ;;
stop)
    if [ -d "$dir/data" ] && [ -n "$bin" ]; then
        as_server_user "'$bin/pg_ctl' -D '$dir/data' -m immediate stop" >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: test_postgres.sh start|stop <dir>" >&2
    exit 2
    ;;
esac
