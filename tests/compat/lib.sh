# Shared by the differential tests: the same bundle and commands under runc (the
# oracle, runc 1.1) and husk, each with a private state root under one temp dir.
# Sourced by each tests/compat/t-*.sh; runs as root.
#
#   rt_bundle DIR [CMD...]     a busybox bundle (config from `husk spec`, as mkbundle)
#   edit DIR JQ [jq args...]   rewrite DIR/config.json
#   under RT DIR [run args]    `RT run` the bundle with a fresh id; sets RC, OUT, ERR
#   cli RT ARGS...             any RT command with its private --root; sets RC, OUT, ERR
#                              (RC 124 when it ran past COMPAT_TIMEOUT, 60 s)
#   same DESC DIR [run args]   run DIR under runc and husk: exit status and stdout agree
#   same_status DESC DIR [run args]  only the exit status agrees (error texts differ)
#   case_same, case_status     the same for a fresh bundle edited by a jq filter
#   RT is `runc` or `husk`; RUNC_OUT/RUNC_RC hold runc's answer after same/same_status.
set -u
. "$(dirname "$0")/../lib/checks.sh"

BUILD=${HUSK_BUILD:?HUSK_BUILD must point at the build directory}
HUSK=$BUILD/husk
MKBUNDLE=$BUILD/mkbundle
RUNC=${RUNC:-$(command -v runc)}
T=$(mktemp -d --suffix=.husk-compat)
RC=0 OUT="" ERR=""

rt_bin() { case $1 in runc) echo "$RUNC" ;; husk) echo "$HUSK" ;; *) echo "unknown runtime $1" >&2; exit 2 ;; esac; }

cli() {
	rt=$1; shift
	# a runtime that hangs answers 124 (timeout's), which no runtime answers
	timeout -k 5 "${COMPAT_TIMEOUT:-60}" "$(rt_bin "$rt")" --root "$T/root-$rt" "$@" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	OUT=$(cat "$T/out") ERR=$(cat "$T/err")
}

under() {
	rt=$1 dir=$2; shift 2
	cli "$rt" run -b "$dir" "$@" "c-$rt-$$-$(date +%s%N)"
}

rt_bundle() {
	rm -rf "$1"
	"$MKBUNDLE" --husk "$HUSK" "$@" >/dev/null || { echo "mkbundle failed"; exit 1; }
}

edit() {
	dir=$1 filter=$2; shift 2
	jq "$@" "$filter" "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

same() {
	desc=$1 sdir=$2; shift 2
	under runc "$sdir" "$@"; RUNC_RC=$RC RUNC_OUT=$OUT RUNC_ERR=$ERR
	under husk "$sdir" "$@"
	if [ "$RC" = "$RUNC_RC" ] && [ "$OUT" = "$RUNC_OUT" ]; then ok "$desc"
	else not_ok "$desc: husk $RC '$OUT' ($ERR), runc $RUNC_RC '$RUNC_OUT' ($RUNC_ERR)"; fi
}

same_status() {
	desc=$1 sdir=$2; shift 2
	under runc "$sdir" "$@"; RUNC_RC=$RC RUNC_OUT=$OUT RUNC_ERR=$ERR
	under husk "$sdir" "$@"
	if [ "$RC" = "$RUNC_RC" ]; then ok "$desc (both $RC)"
	else not_ok "$desc: husk $RC ($ERR), runc $RUNC_RC ($RUNC_ERR)"; fi
}

# case_same DESC JQ CMD...: a fresh bundle $T/b running CMD, edited by JQ: the
# same answer under both; case_status: only the exit status agrees
case_same() {
	desc=$1 filter=$2; shift 2
	rt_bundle "$T/b" "$@"
	edit "$T/b" "$filter"
	same "$desc" "$T/b"
}
case_status() {
	desc=$1 filter=$2; shift 2
	rt_bundle "$T/b" "$@"
	edit "$T/b" "$filter"
	same_status "$desc" "$T/b"
}

# For tests of the command line, with one long-running container per runtime:
#   run_both DIR PREFIX   `run -d` DIR under each runtime as PREFIX-runc-$$ and
#                         PREFIX-husk-$$ (in ID_runc, ID_husk); exits on failure
#   sub_cli RT ARGS...    cli RT, with "@..." as RT's container id (and suffix)
#                         and "%RT%" in a word as RT's name
#   both DESC ARGS...     ARGS (as sub_cli) under runc and husk: the exit status
#                         agrees; runc's answer stays in RUNC_RC/RUNC_OUT/RUNC_ERR
#   both_out DESC FILTER ARGS...  and stdout piped through FILTER agrees too
run_both() {
	ID_runc=$2-runc-$$ ID_husk=$2-husk-$$
	for rt in runc husk; do
		eval id=\$ID_$rt
		cli "$rt" run -d -b "$1" "$id"
		[ "$RC" = 0 ] || { not_ok "$rt run -d: $ERR"; finish; exit 1; }
	done
}

sub_cli() {
	rt=$1; shift
	eval id=\$ID_$rt
	n=$#
	for a in "$@"; do
		case $a in @*) a=$id${a#@} ;; esac
		case $a in *%RT%*) a=$(printf '%s' "$a" | sed "s/%RT%/$rt/g") ;; esac
		set -- "$@" "$a"
	done
	shift "$n"
	cli "$rt" "$@"
}

both() {
	desc=$1; shift
	sub_cli runc "$@"
	RUNC_RC=$RC RUNC_OUT=$OUT RUNC_ERR=$ERR
	sub_cli husk "$@"
	if [ "$RC" = "$RUNC_RC" ]; then ok "$desc (both $RC)"
	else not_ok "$desc: husk $RC ($ERR), runc $RUNC_RC ($RUNC_ERR)"; fi
}

both_out() {
	desc=$1 filter=$2; shift 2
	both "$desc" "$@"
	a=$(printf '%s' "$RUNC_OUT" | sh -c "$filter" 2>&1) b=$(printf '%s' "$OUT" | sh -c "$filter" 2>&1)
	expect_eq "$desc: output" "$b" "$a"
}

compat_cleanup() {
	for rt in runc husk; do
		[ -d "$T/root-$rt" ] || continue
		for id in $("$(rt_bin $rt)" --root "$T/root-$rt" list -q 2>/dev/null); do
			"$(rt_bin $rt)" --root "$T/root-$rt" delete -f "$id" >/dev/null 2>&1
		done
	done
	# what the test started in the background and did not wait for: ours to stop
	pkill -P $$ 2>/dev/null
	stop_naming "$T/"
	find "$T" -mount -depth \( -type f -o -type l -o -type p -o -type s -o -type c -o -type b \) -delete 2>/dev/null
	find "$T" -mount -depth -type d -empty -delete 2>/dev/null
}
trap compat_cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "compat tests need root"; exit 1; }
[ -x "$RUNC" ] || { echo "compat tests need runc (the oracle)"; exit 1; }
command -v jq >/dev/null || { echo "compat tests need jq"; exit 1; }
