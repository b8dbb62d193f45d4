#!/usr/bin/env bash
# Start this machine's PostgreSQL, Redis and RabbitMQ if they stopped, then wait until each answers.
set -uo pipefail

up() { timeout 2 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null; }

ensure() {  # name port start-command...
  local name=$1 port=$2; shift 2
  if ! up "$port"; then
    echo "starting $name"
    "$@" >/dev/null 2>&1 || true
  fi
  for _ in $(seq 60); do up "$port" && { echo "$name is up on $port"; return 0; }; sleep 1; done
  echo "$name did not come up on port $port" >&2
  return 1
}

ensure PostgreSQL 5432 pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql 2>/dev/null | head -1)" main start
ensure Redis 6379 redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
  --dir /var/lib/redis --logfile /var/log/redis/ci.log
ensure RabbitMQ 5672 rabbitmq-server -detached
