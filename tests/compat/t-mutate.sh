#!/bin/sh
# Differential mutation test: hostile and unusual config.json files, each run
# under runc 1.1 (the oracle) and husk. mutate.py (beside this file) writes a
# fixed, seeded list of cases from the config of `husk spec` (rt_bundle): wrong
# JSON types, out-of-range numbers, NUL escapes and invalid UTF-8, duplicate
# keys, long strings, relative and `..` paths, symlinks in the rootfs pointing
# out of it, mounts over /proc, /dev and /, bad namespaces, mappings, devices,
# rlimits, capabilities, seccomp, hooks, sysctls, cgroup settings. For each:
#   - `run` under both: the same class of answer (success or failure); on
#     success the same output of the probe (what the container observes);
#     cases marked husk=ok|fail differ from runc on purpose (runtime-spec,
#     docs/compat.md "config.json validation"): husk must answer that;
#   - one case in five also `create` + `delete -f` under both;
#   - after every husk failure, nothing leaked: no process of the container,
#     no mount under the temp dir, no cgroup of its id in any hierarchy (v1
#     and unified), no state dir; in every case nothing was written through a
#     symlink pointing out of the rootfs; husk's message is "husk: VERB: ...";
#   - for a sample of husk failures (one in MUTATE_FD_EVERY, default 8, and
#     every case flagged "fd"), husk runs under strace and every fd it opened
#     is closed before it exits (fdleak.py);
#   - hostile command lines (exec, kill, update flags; odd ids; create flags).
# Each runtime call is time-bound (MUTATE_TIMEOUT, 10 s); the whole test takes
# 80-105 s on this 2-core machine; a sanitized build runs every second case
# (about 80 s). MUTATE_ALL=1 makes the full matrix (830 cases, ~2.5 min).
# MUTATE_ONLY=REGEX runs only the cases whose name matches (for debugging),
# MUTATE_FROM=NNN starts at case NNN, MUTATE_REPORT=FILE writes one line per case (both answers and errors).
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
COMPAT_TIMEOUT=${MUTATE_TIMEOUT:-10}
SEED=${MUTATE_SEED:-1}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
REPORT=${MUTATE_REPORT:-/dev/null}
: >"$REPORT"

# the probe prints what a container observes; $0 carries the container id so
# that a process of it is found by its command line
PROBE='id; pwd; hostname; umask; grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status; grep -E "^Max (open files|processes|core)" /proc/self/limits; ls /dev; awk "\$5 !~ /^\/sys\/fs\/cgroup/ {print \$5, \$9, substr(\$6,1,2)}" /proc/self/mountinfo; env | sort'
rt_bundle "$T/tmpl" sh -c "$PROBE" "probe-@ID@"
"$PY" "$HERE/mutate.py" "$T/tmpl/config.json" "$T/cases" "$SEED" >/dev/null ||
	{ not_ok "mutate.py failed"; finish; exit 1; }
# a sanitized build (tools/test runs the suite under ASan+UBSan too)
SANITIZED=0
grep -q '^HUSK_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null && SANITIZED=1
CGROUP_MNTS=$(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo)
start=$(date +%s)

# prep RT NNN ID: a fresh bundle $BD for case NNN under runtime RT
prep() {
	BD=$T/m-$1
	if grep -qF "$BD" /proc/self/mountinfo; then
		not_ok "a mount under $BD is left: not removing it"; finish; exit 1
	fi
	rm -rf --one-file-system "$BD"
	mkdir -p "$BD/outside"
	: >"$BD/outside/.keep"
	# hard links: no runtime writes to a file of the rootfs (directories
	# and symlinks are fresh), and a full copy costs 0.2 s
	cp -al "$T/tmpl/rootfs" "$BD/rootfs"
	LC_ALL=C sed -e "s|@ID@|$3|g" -e "s|@B@|$BD|g" "$T/cases/$2.json" >"$BD/config.json"
	if [ -f "$T/cases/$2.setup" ]; then
		(cd "$BD" && B=$BD sh "$T/cases/$2.setup") || { not_ok "$2: setup failed"; return 1; }
	fi
	OUTSIDE_BEFORE=$(ls -A "$BD/outside")
}

# leaks ID: what a failed husk call of container ID left behind (empty: nothing)
leaks() {
	# grep finds its own command line too: what is still there and not grep
	for f in $(grep -lsaF -e "$1" /proc/[0-9]*/cmdline); do
		c=$( (tr '\0' ' ' <"$f") 2>/dev/null) || continue
		case $c in "" | grep\ *) ;; *) echo "process: ${f%/cmdline}: $(short "$c")" ;; esac
	done | head -3
	grep -F "$T" /proc/self/mountinfo | awk '{print "mount: " $5}' | head -3
	for m in $CGROUP_MNTS; do
		for d in "$m/$1" "$m"/husk-fuzz-"$1"* "$m"/*/husk-fuzz-"$1"* "$m"/*/*/husk-fuzz-"$1"*; do
			[ -e "$d" ] && echo "cgroup: $d"
		done
	done
	[ ! -e "$T/root-husk/$1" ] || echo "state dir: $T/root-husk/$1"
}

# escaped: something was written through a symlink out of the rootfs
escaped() {
	after=$(ls -A "$BD/outside")
	[ "$after" = "$OUTSIDE_BEFORE" ] || echo "written outside the rootfs: $(echo $after)"
}

nfail=0
fdcheck() { # ID ARGS... (a husk command line): every fd opened is closed at exit
	fid=$1; shift
	nfail=$((nfail + 1))
	case ",$flags," in
	*,fd,*) ;; # always
	*) [ $((nfail % ${MUTATE_FD_EVERY:-8})) -eq 1 ] || return 0 ;;
	esac
	timeout -k 5 "$COMPAT_TIMEOUT" strace -qq -o "$T/strace" -e trace=all -e signal=none \
		"$HUSK" --root "$T/root-husk" "$@" >/dev/null 2>&1 </dev/null
	left=$("$PY" "$HERE/fdleak.py" "$T/strace")
	"$HUSK" --root "$T/root-husk" delete -f "$fid" >/dev/null 2>&1
	if [ -n "$left" ]; then not_ok "$name: husk left fds open at exit: $left"
	else FDCHECKED=$((FDCHECKED + 1)); fi
}
FDCHECKED=0

# norm TEXT ID: the bundle directory and the id as @B@ and @ID@ (they differ
# between the runtimes)
norm() { printf '%s' "$1" | sed -e "s|$BD|@B@|g" -e "s|$2|@ID@|g"; }
short() { printf '%s' "$1" | tr '\n' ' ' | cut -c1-300; }
class() { case $1 in 0) echo ok ;; 124) echo timeout ;; *) echo fail ;; esac; }

# one VERB ID NNN: run the case under runc (unless husk's answer is fixed) and
# husk; sets R_RC R_OUT R_ERR H_RC H_OUT H_ERR
one() {
	verb=$1 id=$2 nnn=$3
	R_RC=skip R_OUT="" R_ERR=""
	if [ -z "$want" ]; then
		prep runc "$nnn" "$id-r" || return 1
		if [ "$verb" = run ]; then cli runc run -b "$BD" "$id-r"
		else cli runc create -b "$BD" "$id-r"; fi
		R_RC=$RC R_OUT=$(norm "$OUT" "$id-r") R_ERR=$ERR
		cli runc delete -f "$id-r"
	fi
	prep husk "$nnn" "$id-h" || return 1
	if [ "$verb" = run ]; then cli husk run -b "$BD" "$id-h"
	else cli husk create -b "$BD" "$id-h"; fi
	H_RC=$RC H_OUT=$(norm "$OUT" "$id-h") H_ERR=$ERR
	esc=$(escaped)
	[ -z "$esc" ] || not_ok "$name ($verb): husk: $esc"
	if [ "$H_RC" != 0 ]; then
		lk=$(leaks "$id-h")
		if [ -n "$lk" ]; then not_ok "$name ($verb): husk failed and left $(short "$lk")"
		else LEAKCHECKED=$((LEAKCHECKED + 1)); fi
		# husk's own last word (not the container's) follows the convention;
		# after create, run's init reports as start does
		lastline=$(printf '%s\n' "$H_ERR" | grep '^husk' | grep -v '^husk: warning' | tail -1)
		case $lastline in
		"" | "husk: $verb: "?* | "husk: start: "?*) ;;
		*) not_ok "$name ($verb): husk's error is not 'husk: $verb: ...': $(short "$H_ERR")" ;;
		esac
		prep husk "$nnn" "$id-h"
		fdcheck "$id-h" "$verb" -b "$BD" "$id-h"
	fi
	cli husk delete -f "$id-h"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$nnn" "$verb" "$R_RC" "$H_RC" "$name" \
		"$(short "$R_ERR")" "$(short "$H_ERR")" >>"$REPORT"
}

LEAKCHECKED=0
ncases=0 # (lib.sh's sub_cli uses $n)
while IFS='	' read -r nnn flags name; do
	if [ -n "${MUTATE_ONLY:-}" ]; then
		printf '%s\n' "$name" | grep -Eq -- "$MUTATE_ONLY" || continue
	fi
	[ "$nnn" -ge "${MUTATE_FROM:-0}" ] 2>/dev/null || continue
	if [ "$SANITIZED" = 1 ]; then
		# half the cases (ASan+UBSan doubles husk's time), and none that
		# hangs in the sanitizer's runtime
		i=${nnn#"${nnn%%[!0]*}"} # no leading zeros: not octal
		[ $((${i:-0} % 2)) -eq 0 ] || continue
		case ",$flags," in *,nosan,*) continue ;; esac
	fi
	ncases=$((ncases + 1))
	verbs=run
	case ",$flags," in *,create,*) verbs="run create" ;; esac
	for verb in $verbs; do
		want=""
		case ",$flags," in
		*,husk=ok,*) want=ok ;; *,husk=fail,*) want=fail ;;
		*,husk-$verb=ok,*) want=ok ;; *,husk-$verb=fail,*) want=fail ;;
		esac
		one "$verb" "mut$$-$nnn" "$nnn" || continue
		hc=$(class "$H_RC")
		if [ -n "$want" ]; then
			if [ "$hc" = "$want" ]; then ok "$name ($verb): husk $hc (on purpose, runc differs)"
			else not_ok "$name ($verb): husk $H_RC, want $want (docs/compat.md): $(short "$H_ERR")"; fi
			continue
		fi
		rc=$(class "$R_RC")
		if [ "$hc" != "$rc" ]; then
			not_ok "$name ($verb): husk $H_RC ($(short "$H_ERR")), runc $R_RC ($(short "$R_ERR"))"
		elif [ "$verb" = run ] && [ "$hc" = ok ] && [ "$H_OUT" != "$R_OUT" ]; then
			diffs=$(printf '%s\n' "$R_OUT" >"$T/r.out"; printf '%s\n' "$H_OUT" >"$T/h.out"
				diff "$T/r.out" "$T/h.out" | grep '^[<>]' | head -6)
			not_ok "$name (run): both ran, outputs differ: $(short "$diffs")"
		else
			ok "$name ($verb): both $hc"
		fi
	done
done <"$T/cases/cases"

# --- command lines: hostile flags and ids, same class of answer as runc ---
# cmd_case DESC ARGS...: ARGS (sub_cli: "@" is the runtime's container id)
# under both; after a husk failure of create/run, nothing of ID is left
cmd_case() {
	desc=$1; shift
	sub_cli runc "$@"; R_RC=$RC R_ERR=$ERR R_OUT=$OUT
	sub_cli husk "$@"; H_RC=$RC H_ERR=$ERR H_OUT=$OUT
	printf 'cli\t-\t%s\t%s\t%s\t%s\t%s\n' "$R_RC" "$H_RC" "$desc" "$(short "$R_ERR")" "$(short "$H_ERR")" >>"$REPORT"
	if [ "$(class "$H_RC")" = "$(class "$R_RC")" ]; then ok "cli: $desc: both $(class "$H_RC")"
	else not_ok "cli: $desc: husk $H_RC ($(short "$H_ERR")), runc $R_RC ($(short "$R_ERR"))"; fi
}
# create_case DESC ARGS...: the same for a create of a fresh container ("@"):
# runc's is deleted before husk's is made (the same id means the same cgroup),
# and after a husk failure nothing of it is left
create_case() {
	desc=$1; shift
	sub_cli runc "$@"; R_RC=$RC R_ERR=$ERR
	cli runc delete -f -- "$ID_runc"
	sub_cli husk "$@"; H_RC=$RC H_ERR=$ERR
	printf 'cli\t-\t%s\t%s\t%s\t%s\t%s\n' "$R_RC" "$H_RC" "$desc" "$(short "$R_ERR")" "$(short "$H_ERR")" >>"$REPORT"
	if [ -n "${HUSK_WANT:-}" ]; then
		if [ "$(class "$H_RC")" = "$HUSK_WANT" ]; then ok "cli: $desc: husk $HUSK_WANT (on purpose, runc $R_RC)"
		else not_ok "cli: $desc: husk $H_RC, want $HUSK_WANT (docs/compat.md): $(short "$H_ERR")"; fi
	elif [ "$(class "$H_RC")" = "$(class "$R_RC")" ]; then ok "cli: $desc: both $(class "$H_RC")"
	else not_ok "cli: $desc: husk $H_RC ($(short "$H_ERR")), runc $R_RC ($(short "$R_ERR"))"; fi
	if [ "$H_RC" != 0 ]; then
		lk=$(leaks "$ID_husk")
		if [ -n "$lk" ]; then not_ok "cli: $desc: husk failed and left $(short "$lk")"
		else LEAKCHECKED=$((LEAKCHECKED + 1)); fi
	fi
	cli husk delete -f -- "$ID_husk"
}
# a long-running container per runtime for exec, kill, update
rt_bundle "$T/cb" sleep "$LONG"
run_both "$T/cb" "mutcli$$"
printf '%s' '{"args":["sh","-c","grep CapBnd /proc/self/status"],"cwd":"/","env":["PATH=/bin"]}' >"$T/p-nocaps.json"
printf '%s' '{"args":["true"],"cwd":"/","env":["PATH=/bin"], "user": {"uid": 2147483648}}' >"$T/p-biguid.json"
printf '%s' '{"args":' >"$T/p-trunc.json"
printf '%s' '{"cwd":"/"}' >"$T/p-noargs.json"
printf '%s' '{"args":["sh","-c","echo $A"],"cwd":"/","env":["PATH=/bin","A=\u00e9\ud800"]}' >"$T/p-utf.json"
for args in "--user 2147483648 @ id" "--user 4294967295 @ id" "--user -1 @ id" "--user 0:-5 @ id" \
	"--user nobody @ id" "--user nosuchuser @ id" "--user 65534:65534 @ id" \
	"--additional-gids 2147483648 @ id" "--additional-gids -1 @ id" \
	"--cwd relative @ pwd" "--cwd /nonexistent @ pwd" "--cwd /etc/passwd @ pwd" \
	"--env NOEQUALS @ env" "--env =x @ env" "--cap CAP_BOGUS @ true" "--cap cap_kill @ true" \
	"--preserve-fds 100000 @ true" "--preserve-fds -1 @ true" \
	"--pid-file /nonexistent/dir/pid @ true" "-t --console-socket /nonexistent.sock @ true" \
	"--process /nonexistent.json @" "--process $T/p-trunc.json @" "--process $T/p-noargs.json @" \
	"--process $T/p-biguid.json @" "--process $T/p-nocaps.json @" "--process $T/p-utf.json @" \
	"--cgroup husk-bogus @ true" "@" "@nope true" "@ /nonexistent/bin"; do
	# shellcheck disable=SC2086 # the words are the flags
	cmd_case "exec $args" exec $args
	case $args in *p-nocaps* | *p-utf* | *"65534:65534"*)
		expect_eq "cli: exec $args: the same output" "$H_OUT" "$R_OUT" ;;
	esac
done
for args in "@ 0" "@ -1" "@ 99999" "@ SIGBOGUS" "@ 65" "@ sigusr1" "@ USR1" "@nope KILL"; do
	# shellcheck disable=SC2086
	cmd_case "kill $args" kill $args
done
for args in "--memory -5 @" "--cpu-share 1 @" "--cpu-share 300000 @" "--pids-limit x @" \
	"--cpuset-cpus banana @" "--memory 1k @" "-r /nonexistent.json @" "--blkio-weight 5 @"; do
	# shellcheck disable=SC2086
	cmd_case "update $args" update $args
done
cli runc delete -f "$ID_runc"; cli husk delete -f "$ID_husk"
# exec and update read the stored config.json as create did (they read it
# with jansson alone, which refuses an unsigned above INT64_MAX)
rt_bundle "$T/cu" sleep "$LONG2"
sed -i 's/"rlimits": *\[/&{"type":"RLIMIT_CORE","soft":18446744073709551615,"hard":18446744073709551615},/' "$T/cu/config.json"
run_both "$T/cu" "mutcu$$"
cmd_case "exec in a container of RLIMIT_CORE 2^64-1" exec @ sh -c "ulimit -c"
expect_eq "cli: exec there: the same output" "$H_OUT" "$R_OUT"
cmd_case "update of that container" update --pids-limit 50 @
cli runc delete -f "$ID_runc"; cli husk delete -f "$ID_husk"
# create with odd ids and flags: each a fresh id, nothing left after a failure
rt_bundle "$T/cc" true
# each with this run's pid: the default cgroup of an id is host-wide
long=$(printf 'x%.0s' $(seq 300))$$
for v in "a b$$" "$long" "é$$" "-x$$" "a:b$$" "a@b$$" "+$$" "x..y$$"; do
	ID_runc="$v" ID_husk="$v"
	create_case "create id '$(printf '%s' "$v" | cut -c1-20)'" create -b "$T/cc" -- @
done
n2=0
for args in "--pid-file /nonexistent/dir/pid" "--console-socket /nonexistent.sock" \
	"--preserve-fds 2147483647" "--preserve-fds -5" "--no-pivot --no-new-keyring" \
	"--pid-file %RT%-pid-relative"; do
	n2=$((n2 + 1))
	ID_runc=mutc$$-$n2-r ID_husk=mutc$$-$n2-h
	# runc stats the preserved fds in its own process, where its own fds
	# fill 3..6: a huge N fails there; husk hands the process nothing where
	# the caller has nothing open (t-fds.sh, docs/compat.md)
	HUSK_WANT=""
	case $args in *2147483647*) HUSK_WANT=ok ;; esac
	# shellcheck disable=SC2086
	create_case "create $args" create -b "$T/cc" $args @
	HUSK_WANT=""
	rm -f "runc-pid-relative" "husk-pid-relative"
done
end=$(date +%s)
check "husk failures checked for leaks" [ "$LEAKCHECKED" -gt 0 ]
check "husk failures checked for fds under strace" [ "$FDCHECKED" -gt 0 ]
echo "(ran $ncases cases in $((end - start)) s; $LEAKCHECKED husk failures checked for leaks, $FDCHECKED under strace)"
finish
