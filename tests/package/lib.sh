# Shared by tests/package/deb and tests/package/image (POSIX sh, sourced).
#
# Every check prints "ok   - ..." or "FAIL - ..." and appends to $EB_RESULTS;
# eb_summary prints the closing "N passed, N failed" line. Brokers run from a
# throwaway root file system (chroot) inside fresh pid, mount and network
# namespaces (unshare): the root's mounts vanish and every process started
# there dies with the namespace, and port 1883 on its loopback is free.

# The host's Debian release (bookworm on Debian 12), whose packages the host builds.
EB_HOST_SUITE=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
EB_HOST_SUITE=${EB_HOST_SUITE:-bookworm}

say() { printf '%s\n' "$*"; }
# EB_CHECK_PREFIX (exported), when set, starts every check's description (the release).
pass() { printf 'ok   - %s%s\n' "${EB_CHECK_PREFIX:-}" "$*"; echo ok >> "$EB_RESULTS"; }
fail() { printf 'FAIL - %s%s\n' "${EB_CHECK_PREFIX:-}" "$*"; echo fail >> "$EB_RESULTS"; }
# eb_show FILE: the end of a log, indented, under a failed check.
eb_show() { [ ! -s "$1" ] || tail -n "${2:-25}" "$1" | sed 's/^/     | /'; }
# check DESCRIPTION COMMAND...: one check, passed when COMMAND succeeds.
check() { d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
now() { date +%s; }

# eb_init NAME: root (sudo when available), a work directory, the results file.
eb_init() {
	EB_NAME=$1
	EB_T0=$(now)
	EB_WORK=$(mktemp -d "${TMPDIR:-/tmp}/energy-bridge-$1-XXXXXX")
	EB_RESULTS=$EB_WORK/results
	: > "$EB_RESULTS"
	export EB_WORK EB_RESULTS EB_HERE
	EB_CLEANUP=""
	trap 'eb_cleanup' EXIT
	trap 'exit 130' INT TERM
}

# eb_on_exit COMMAND: run COMMAND (a string) at exit, latest first.
eb_on_exit() { EB_CLEANUP="$1; $EB_CLEANUP"; }
eb_cleanup() {
	rc=$?
	set +e
	eval "$EB_CLEANUP" >/dev/null 2>&1
	rm -rf "$EB_WORK"
	exit $rc
}

# eb_summary: the closing line; the exit status says whether everything passed.
eb_summary() {
	p=$(grep -c '^ok$' "$EB_RESULTS" || true)
	f=$(grep -c '^fail$' "$EB_RESULTS" || true)
	say "$EB_NAME: $p passed, $f failed ($(( $(now) - EB_T0 )) s)"
	[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
}
# eb_abort MESSAGE: a check that later ones depend on failed.
eb_abort() { fail "$*"; eb_summary || true; exit 1; }

eb_need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	command -v sudo >/dev/null 2>&1 && exec sudo -E "$0" "$@"
	say "$0: needs root (chroot, namespaces, dpkg in a throwaway root)"
	exit 1
}

# eb_install PACKAGE...: installs the Debian packages that are missing.
eb_install() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	say "installing:$missing"
	if [ -z "${EB_APT_UPDATED:-}" ]; then
		apt-get update -qq || return 1
		EB_APT_UPDATED=1
	fi
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing > "$EB_WORK/apt.log" 2>&1 ||
		{ eb_show "$EB_WORK/apt.log"; return 1; }
}

# eb_podman: whether podman is there, installing it if it can be.
eb_podman() {
	command -v podman >/dev/null 2>&1 || eb_install podman || return 1
	command -v podman >/dev/null 2>&1
}

# eb_apt_uri SUITE: the first URI this machine's apt uses for SUITE (one-line
# and deb822 sources), so that debootstrap uses the same mirror.
eb_apt_uri() {
	{
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			sed 's/#.*//' "$f" | awk -v s="$1" '$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				if ($(i + 1) == s) print $i }'
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk -v s="$1" '
			function flush(  n, a, j, u) {
				if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no") {
					n = split(suites, a, /[ \t]+/)
					for (j = 1; j <= n; j++) if (a[j] == s) { split(uris, u, /[ \t]+/); print u[1]; break }
				}
				types = uris = suites = enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			/^[^ \t]/ {
				key = tolower($1); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
				if (key == "types:") types = val
				else if (key == "uris:") uris = val
				else if (key == "suites:") suites = val
				else if (key == "enabled:") enabled = val
			}
			END { flush() }' "$f"
		done
	} | grep -E '^(https?|file):' | head -n 1
}

# eb_debootstrap DIR SUITE: a minimal Debian root of SUITE in DIR from this
# machine's mirror (the one its apt uses for SUITE, else for its own release),
# with apt sources like the official image's (SUITE, -updates, -security).
eb_debootstrap() {
	suite=$2
	mirror=$(eb_apt_uri "$suite")
	[ -n "$mirror" ] || mirror=$(eb_apt_uri "$EB_HOST_SUITE")
	security=$(eb_apt_uri "$suite-security")
	[ -n "$security" ] || security=$(eb_apt_uri "$EB_HOST_SUITE-security")
	include=""
	case $mirror in https:*) include=--include=ca-certificates ;; esac
	say "debootstrap --variant=minbase $suite from ${mirror:-the default mirror of debootstrap}"
	# shellcheck disable=SC2086
	if ! debootstrap --variant=minbase $include "$suite" "$1" $mirror > "$EB_WORK/debootstrap.log" 2>&1; then
		eb_show "$EB_WORK/debootstrap.log"
		return 1
	fi
	if [ -n "$mirror" ]; then
		{
			echo "deb $mirror $suite main"
			echo "deb $mirror $suite-updates main"
			[ -z "$security" ] || echo "deb $security $suite-security main"
		} > "$1/etc/apt/sources.list"
	fi
	rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*
}

# eb_suite_of IMAGE: the Debian suite an image's name says (debian:trixie-slim: trixie).
eb_suite_of() {
	n=${1##*:}
	echo "${n%%-*}"
}

# eb_base_image NAME: the podman image NAME (what the Dockerfile's FROM says,
# debian:<suite>-slim), made once from debootstrap and kept: later runs reuse it.
eb_base_image() {
	exec 8> "${TMPDIR:-/tmp}/energy-bridge-base-image.lock"
	flock 8
	if podman image exists "$1"; then
		say "base image $1: present"
	else
		t=$(now)
		dir=$EB_WORK/base-rootfs
		eb_debootstrap "$dir" "$(eb_suite_of "$1")" || { flock -u 8; return 1; }
		if ! tar -C "$dir" -c . | podman import --change 'CMD ["/bin/bash"]' - "$1" > "$EB_WORK/import.log" 2>&1; then
			eb_show "$EB_WORK/import.log"
			flock -u 8
			return 1
		fi
		rm -rf "$dir"
		say "base image $1: made in $(( $(now) - t )) s"
	fi
	flock -u 8
	podman image exists "$1"
}

# eb_container_root IMAGE NAME: a writable root file system for IMAGE, in
# EB_CROOT: a container that is created and mounted, never run.
eb_container_root() {
	podman rm -f "$2" >/dev/null 2>&1 || true
	podman create --name "$2" "$1" /bin/true > "$EB_WORK/create.log" 2>&1 || { eb_show "$EB_WORK/create.log"; return 1; }
	eb_on_exit "podman umount '$2'; podman rm -f '$2'"
	EB_CROOT=$(podman mount "$2") && [ -d "$EB_CROOT" ]
}

# eb_ns [--net] FUNCTION ARG...: runs FUNCTION of the calling script in new
# pid and mount namespaces (and a network namespace with only loopback).
eb_ns() {
	net=""
	[ "$1" != --net ] || { net=--net; shift; }
	unshare --pid --fork --mount-proc --mount $net -- "$0" --in-namespace "$@"
}

# In a namespace: ns_root ROOT mounts /dev and /proc in ROOT, brings up loopback.
ns_root() {
	EB_ROOT=$1
	mount --rbind /dev "$EB_ROOT/dev"
	mount -t proc proc "$EB_ROOT/proc"
	ip link set lo up 2>/dev/null || true
}

# ns_mqtt_answers: whether a broker answers MQTT on 127.0.0.1:1883 (a refused
# connection, for want of a password, is an answer too).
ns_mqtt_answers() {
	out=$(mosquitto_sub -h 127.0.0.1 -p 1883 -i "eb-probe-$$" -t '$SYS/broker/version' -C 1 -W 2 2>&1) && return 0
	case $out in *"Connection Refused:"*) return 0 ;; esac
	return 1
}

# ns_start_broker LOG COMMAND...: starts COMMAND (chroot ... mosquitto ...),
# output to LOG, and waits until the broker answers. Sets EB_BROKER.
ns_start_broker() {
	log=$1
	shift
	"$@" > "$log" 2>&1 &
	EB_BROKER=$!
	i=0
	while [ $i -lt 60 ]; do
		kill -0 "$EB_BROKER" 2>/dev/null || { wait "$EB_BROKER" 2>/dev/null || true; return 1; }
		ns_mqtt_answers && return 0
		sleep 0.25
		i=$((i + 1))
	done
	return 1
}

# ns_stop_broker: SIGTERM, then whether it exited cleanly.
ns_stop_broker() {
	kill -TERM "$EB_BROKER" 2>/dev/null || return 1
	wait "$EB_BROKER"
}

# ns_broker_uid: the effective uid the broker runs as.
ns_broker_uid() { awk '/^Uid:/ { print $3 }' "/proc/$EB_BROKER/status"; }

# ns_check_mppt LABEL [CLIENT ARG...]: publishes the README's MPPT example
# request as user S001 and checks the translation on monitoring.mppt/+. The
# example is tests/support/spec/, which the C tests are built from as well.
ns_check_mppt() {
	EB_SPEC=$EB_HERE/../support/spec
	label=$1
	shift
	out=$EB_WORK/mppt.out
	: > "$out"
	mosquitto_sub -h 127.0.0.1 -p 1883 -u S001 "$@" -i eb-package-sub -q 1 -t 'monitoring.mppt/+' -C 1 -W 20 \
		> "$out" 2> "$out.err" &
	sub=$!
	n=0
	while [ $n -lt 10 ] && [ ! -s "$out" ] && kill -0 $sub 2>/dev/null; do
		sleep 1
		# Until the subscriber is in: a request published before that is lost.
		[ -s "$out" ] || mosquitto_pub -h 127.0.0.1 -p 1883 -u S001 "$@" -i eb-package-pub -q 1 \
			-t dataset/mppt -f "$EB_SPEC/mppt-request.json" 2>> "$out.err" || true
		n=$((n + 1))
	done
	wait $sub 2>/dev/null || true
	norm='s/"time_processing":"[^"]*"/"time_processing":"…"/'
	got=$(sed -E "$norm" "$out")
	want=$(sed -E "$norm" "$EB_SPEC/mppt-message.json")
	if [ -n "$got" ] && [ "$got" = "$want" ] &&
		grep -Eq '"time_processing":"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{4}"}$' "$out"; then
		pass "$label: the MPPT example request (user S001) is translated as docs/mppt.md (its worked example) says"
	else
		fail "$label: the MPPT example request (user S001) is not translated as docs/mppt.md (its worked example) says"
		say "     expected: $(cat "$EB_SPEC/mppt-message.json")"
		say "     got:      ${got:-nothing on monitoring.mppt/+ within 10 s}"
		eb_show "$out.err" 5
	fi
}
