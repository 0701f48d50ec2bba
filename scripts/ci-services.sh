#!/usr/bin/env bash
# Makes sure every service the integration tests talk to answers on this machine, restarting the ones that
# stopped. Each check speaks a little of the service's own protocol (an open port alone can belong to a
# server that is still booting) and is bounded by `timeout`, so a wedged server cannot hang CI.
# Usage: scripts/ci-services.sh [--check]   (--check only reports, it never restarts)
# Environment: CI_SERVICES_WAIT (seconds to wait for a restarted service, default 60).
set -euo pipefail

WAIT_SECONDS="${CI_SERVICES_WAIT:-60}"
CHECK_ONLY=0
[[ "${1:-}" == "--check" ]] && CHECK_ONLY=1

log() { printf '[services %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Reads up to $3 bytes (hex) that 127.0.0.1:$1 sends back after we write $2 (printf format, may be empty).
probe() {
  local port=$1 greeting=$2 bytes=${3:-4}
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    if [[ -n "$1" ]]; then printf "$1" >&3; fi
    head -c "$2" <&3 | od -An -tx1 | tr -d " \n"
  ' "$port" "$greeting" "$bytes" 2>/dev/null
}

check_postgresql() { timeout 5 pg_isready -q -h 127.0.0.1 -p 5432 -t 3 </dev/null; }
check_redis() { [[ "$(timeout 5 redis-cli -h 127.0.0.1 -p 6379 ping </dev/null 2>/dev/null)" == PONG ]]; }
# AMQP 0-9-1 protocol header; a ready broker answers with a method frame (type 01, channel 0).
check_rabbitmq() { [[ "$(probe 5672 'AMQP\x00\x00\x09\x01' 3)" == 010000 ]]; }
# NATS greets with `INFO {...}`; the check also insists JetStream is on, which the adapters need.
check_nats() {
  timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222 || exit 1; IFS= read -r -t 4 line <&3; printf "%s" "$line"' 2>/dev/null \
    | grep -q '^INFO .*"jetstream":true'
}
# MariaDB sends its handshake first: 3-byte length, sequence 00, then protocol version 0a (or ff: an error
# packet such as "host is blocked", which still proves the server is up and answering).
check_mariadb() { [[ "$(probe 3306 '' 5)" =~ ^[0-9a-f]{6}00(0a|ff)$ ]]; }
# MQTT 3.1.1 CONNECT with an empty client id and clean session; the broker answers CONNACK (20 02 ..).
check_mosquitto() { [[ "$(probe 1883 '\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00' 2)" == 2002 ]]; }

# The project's documented restart commands, verbatim.
declare -A START=(
  [postgresql]='pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'
  [redis]='redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log'
  [rabbitmq]='rabbitmq-server -detached'
  [mosquitto]='mosquitto -d -c /etc/mosquitto/mosquitto.conf'
  [nats]='start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log'
  [mariadb]='start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd'
)

logs_postgresql() { echo /var/log/postgresql/*.log; }
logs_redis() { echo /var/log/redis/ci.log /var/log/redis/*.log; }
logs_rabbitmq() { echo /var/log/rabbitmq/*.log; }
logs_mosquitto() { echo /var/log/mosquitto/mosquitto.log; }
logs_nats() { echo /var/log/nats-server.log; }
logs_mariadb() { echo /var/log/mysql/error.log /var/log/mysql/*.log; }

SERVICES=(postgresql redis rabbitmq nats mariadb mosquitto)
declare -A HINT=([nats]='a nats-server running without JetStream (-js) counts as down: stop it and rerun')
declare -A PORT=([postgresql]=5432 [redis]=6379 [rabbitmq]=5672 [nats]=4222 [mariadb]=3306 [mosquitto]=1883)

down=()
for s in "${SERVICES[@]}"; do
  if "check_$s"; then
    log "$s answers on 127.0.0.1:${PORT[$s]}"
  else
    log "$s does NOT answer on 127.0.0.1:${PORT[$s]}"
    down+=("$s")
  fi
done
((${#down[@]} == 0)) && { log 'all services answer'; exit 0; }
if ((CHECK_ONLY)); then
  log "down: ${down[*]}"
  exit 1
fi

for s in "${down[@]}"; do
  log "restarting $s: ${START[$s]}"
  # A server that is still booting makes some start commands fail ("already running"); the wait below decides.
  if ! eval "${START[$s]}" </dev/null; then log "start command for $s exited non-zero; waiting for it anyway"; fi
done

deadline=$((SECONDS + WAIT_SECONDS))
pending=("${down[@]}")
while ((${#pending[@]})); do
  still=()
  for s in "${pending[@]}"; do
    if "check_$s"; then log "$s answers again (after $((SECONDS - deadline + WAIT_SECONDS)) s)"; else still+=("$s"); fi
  done
  pending=("${still[@]+"${still[@]}"}")
  ((${#pending[@]} == 0)) && break
  if ((SECONDS >= deadline)); then
    for s in "${pending[@]}"; do
      log "ERROR: $s still does not answer on 127.0.0.1:${PORT[$s]} ${WAIT_SECONDS} s after the restart${HINT[$s]:+ (${HINT[$s]})}"
      for f in $(logs_"$s"); do [[ -f "$f" ]] && { log "last lines of $f:"; tail -n 20 "$f" || true; }; done
    done
    log "FAILED: services down: ${pending[*]} (integration tests need every one of them)"
    exit 1
  fi
  sleep 1
done
log 'all services answer'
