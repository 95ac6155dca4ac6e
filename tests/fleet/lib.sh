# Shared by tests/fleet/run and tests/fleet/bench (POSIX sh, sourced): a
# RabbitMQ cluster, site brokers with the plugin and an ingest pair behind
# HAProxy on 127.0.0.1, all set up with scripts/fleet and all ended at exit.
#
# Every check prints "ok   - ..." or "FAIL - ..."; fleet_summary prints the
# closing "N passed, N failed" line.

FLEET_NODES=${FLEET_NODES:-2}

say() { printf '%s\n' "$*"; }
pass() { printf 'ok   - %s\n' "$*"; echo ok >> "$FW/results"; }
fail() { printf 'FAIL - %s\n' "$*"; echo fail >> "$FW/results"; }
check() { d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
now() { date +%s; }
# show FILE [N]: the end of a log, indented, under a failed check.
show() { [ ! -s "$1" ] || tail -n "${2:-15}" "$1" | sed 's/^/     | /'; }

fleet_summary() {
	p=$(grep -c '^ok$' "$FW/results" || true)
	f=$(grep -c '^fail$' "$FW/results" || true)
	say "$FLEET_NAME: $p passed, $f failed ($(( $(now) - FLEET_T0 )) s)"
	[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
}
fleet_abort() {
	fail "$*"
	fleet_summary || true
	exit 1
}

# fleet_init NAME: root, the packages, the plugin and fleetc built, a work
# directory, free ports, and the exit trap that ends everything started.
fleet_init() {
	FLEET_NAME=$1
	FLEET_T0=$(now)
	if [ "$(id -u)" -ne 0 ]; then
		say "$0: needs root (apt-get, RabbitMQ's CLI tools)"
		exit 1
	fi
	FW=$(mktemp -d "${TMPDIR:-/tmp}/energy-bridge-fleet-XXXXXX")
	chmod 700 "$FW"
	: > "$FW/results"
	FLEET_PIDS=""
	trap 'fleet_cleanup' EXIT
	trap 'exit 130' INT TERM
	fleet_install || fleet_abort "the packages it needs could not be installed"
	fleet_build || fleet_abort "the plugin or fleetc could not be built"
	fleet_ports || fleet_abort "no free ports on 127.0.0.1"
	export FLEET_ADMIN FLEET_AMQP
}

fleet_cleanup() {
	rc=$?
	set +e
	for p in $FLEET_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for s in "$FW"/site-*; do
		[ -f "$s/pid" ] && stop_pid "$(cat "$s/pid")"
	done
	if [ "$rc" -ne 0 ] && [ -n "${FLEET_KEEP:-}" ]; then
		mkdir -p "$FW/kept"
		cp -r "$FW/central" "$FW/ingest" "$FW/kept/" 2>/dev/null
	fi
	"$root/scripts/fleet" ingest down --dir "$FW/ingest" >/dev/null 2>&1
	"$root/scripts/fleet" central down --dir "$FW/central" >/dev/null 2>&1
	for p in $FLEET_PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ -n "${FLEET_KEEP:-}" ]; then
		say "kept $FW"
	else
		rm -rf "$FW"
	fi
	exit $rc
}

# stop_pid PID: SIGTERM, up to 10 s for it to end, then SIGKILL.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	n=0
	while kill -0 "$1" 2>/dev/null && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
}

fleet_install() {
	missing=""
	for p in rabbitmq-server haproxy python3-pika mosquitto mosquitto-clients libmosquitto-dev gcc libc6-dev; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	say "installing:$missing"
	# The packages' own services stay stopped: everything here runs by hand.
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=1
	fi
	apt-get update -qq > "$FW/apt.log" 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >> "$FW/apt.log" 2>&1
	rc=$?
	[ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
	[ $rc -eq 0 ] || show "$FW/apt.log"
	return $rc
}

fleet_build() {
	plugin=$root/build/mosquitto_energy_bridge.so
	if [ ! -f "$plugin" ]; then
		say "building the plugin"
		{ cmake -S "$root" -B "$root/build" >/dev/null &&
			cmake --build "$root/build" --target mosquitto_energy_bridge >/dev/null; } || return 1
	fi
	fleetc=$FW/fleetc
	cc -O2 -Wall -Wextra -Werror -o "$fleetc" "$here/fleetc.c" -lmosquitto
}

# port_open PORT: whether something accepts TCP connections on 127.0.0.1:PORT.
port_open() { bash -c ": < /dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# The ports, from a base P picked at random below the kernel's ephemeral range:
# P epmd, P+10i.. RabbitMQ node i (AMQP, MQTT, distribution), P+60.. site
# brokers, P+70 HAProxy and P+71.. the ingest brokers.
fleet_ports() {
	tries=0
	while [ $tries -lt 20 ]; do
		tries=$((tries + 1))
		P=$(( 20000 + ($(od -An -tu2 -N2 /dev/urandom | tr -d ' ') % 120) * 100 ))
		busy=0
		for o in 0 10 11 12 20 21 22 30 31 32 40 41 42 50 51 52 60 61 62 70 71 72 73; do
			if port_open $((P + o)); then
				busy=1
				break
			fi
		done
		[ $busy = 1 ] || break
	done
	[ $busy = 0 ] || return 1
	NODE_AMQP="" NODE_MQTT=""
	i=1
	while [ $i -le "$FLEET_NODES" ]; do
		NODE_AMQP="${NODE_AMQP:+$NODE_AMQP,}127.0.0.1:$((P + 10 * i))"
		NODE_MQTT="${NODE_MQTT:+$NODE_MQTT,}127.0.0.1:$((P + 10 * i + 1))"
		i=$((i + 1))
	done
	FLEET_AMQP=$NODE_AMQP
	HAPROXY_PORT=$((P + 70))
}

# secret: a random password.
secret() { od -An -tx1 -N12 /dev/urandom | tr -d ' \n'; }

fleet() { "$root/scripts/fleet" "$@"; }

# central_up: the cluster, a user per site (s1, s2, ingest) and the quorum queue.
central_up() {
	t=$(now)
	fleet central up --dir "$FW/central" --nodes "$FLEET_NODES" --port "$P" > "$FW/central-up.log" 2>&1 || {
		show "$FW/central-up.log"
		for i in 1 2 3; do show "$FW/central/node$i/log/console.log" 5; done
		return 1
	}
	FLEET_ADMIN="central:$(sed -n 's/^admin_password=//p' "$FW/central/env")"
	for s in s1 s2 ingest; do
		pw=$(secret)
		echo "$pw" > "$FW/password-$s"
		fleet central add-site "$s" "$pw" --dir "$FW/central" >> "$FW/central-up.log" 2>&1 || return 1
	done
	fleet central queue mppt --dir "$FW/central" >> "$FW/central-up.log" 2>&1 || return 1
	say "     (the cluster of $FLEET_NODES nodes, its users and the queue took $(( $(now) - t )) s)"
}

# site_conf ID NODE: the drop-in of site ID's broker NODE, as scripts/fleet writes it.
site_conf() {
	fleet site --central "$NODE_MQTT" --site "$1" --user "$1" --password "$(cat "$FW/password-$1")" \
		--node "$2" --restart-timeout "1 5"
}

# site_start ID PORT: a site broker with the plugin and the bridge (started
# again with the same files and state when it exists).
site_start() {
	d=$FW/site-$1
	if [ ! -f "$d/mosquitto.conf" ]; then
		mkdir -p "$d/conf.d"
		site_conf "$1" "$1" > "$d/conf.d/fleet-$1.conf"
		cat > "$d/mosquitto.conf" <<EOF
listener $2 127.0.0.1
allow_anonymous true
user root
persistence true
persistence_location $d/
log_dest file $d/mosquitto.log
log_type all
log_timestamp_format %H:%M:%S
plugin $plugin
include_dir $d/conf.d
EOF
	fi
	mosquitto -c "$d/mosquitto.conf" > "$d/stderr.log" 2>&1 &
	echo $! > "$d/pid"
	n=0
	until port_open "$2"; do
		[ $n -lt 100 ] && kill -0 "$(cat "$d/pid")" 2>/dev/null || { show "$d/stderr.log"; return 1; }
		sleep 0.1
		n=$((n + 1))
	done
}

site_stop() {
	stop_pid "$(cat "$FW/site-$1/pid")"
	rm -f "$FW/site-$1/pid"
}

# bridge_up PORT TOPIC [SECONDS]: until the bridge's notification on the
# broker at PORT says connected (1).
bridge_up() {
	deadline=$(( $(now) + ${3:-30} ))
	while [ "$(now)" -lt "$deadline" ]; do
		v=$(mosquitto_sub -h 127.0.0.1 -p "$1" -t "$2" -C 1 -W 2 2>/dev/null) || v=""
		[ "$v" = 1 ] && return 0
		sleep 0.5
	done
	return 1
}

ingest_up() {
	pw=$(cat "$FW/password-ingest")
	fleet ingest up 2 --dir "$FW/ingest" --port "$HAPROXY_PORT" --plugin "$plugin" --central "$NODE_MQTT" \
		--site ingest --user ingest --password "$pw" --restart-timeout "1 5" > "$FW/ingest-up.log" 2>&1 ||
		{ show "$FW/ingest-up.log"; return 1; }
}

# queue_py ARG...: tests/fleet/queue.py with Debian's python3 (python3-pika).
queue_py() { /usr/bin/python3 "$here/queue.py" "$@"; }

# ingest_broker_of ID: which ingest broker (1 or 2) logged a client ID's last connection.
ingest_broker_of() {
	for i in 1 2; do
		grep -q "New client connected from .* as $1 " "$FW/ingest/broker$i/mosquitto.log" 2>/dev/null && echo "$i"
	done
}
