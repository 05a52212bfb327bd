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

compat_cleanup() {
	for rt in runc husk; do
		[ -d "$T/root-$rt" ] || continue
		for id in $("$(rt_bin $rt)" --root "$T/root-$rt" list -q 2>/dev/null); do
			"$(rt_bin $rt)" --root "$T/root-$rt" delete -f "$id" >/dev/null 2>&1
		done
	done
	find "$T" -mount -depth \( -type f -o -type l -o -type p -o -type s -o -type c -o -type b \) -delete 2>/dev/null
	find "$T" -mount -depth -type d -empty -delete 2>/dev/null
}
trap compat_cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "compat tests need root"; exit 1; }
[ -x "$RUNC" ] || { echo "compat tests need runc (the oracle)"; exit 1; }
command -v jq >/dev/null || { echo "compat tests need jq"; exit 1; }
