#!/bin/sh
# The command line: every verb's flag forms (flags after the arguments, -x and
# --x, --x=v, "--", repeated slices), its usage errors and its own failures give
# runc's exit status; outputs whose content is comparable (version, help, list,
# state, ps, features, events) have runc's shape. Error texts differ by design.
. "$(dirname "$0")/lib.sh"

rt_bundle "$T/b" sleep "$LONG"
run_both "$T/b" cli

# --- the global flags and the command word
both "no command (help)" 
both "--help" --help
both "-h" -h
both "help" help
both "h" h
both "help VERB" help state
both "help of an unknown verb" help nosuch
both "unknown verb" nosuch
both "unknown global flag" --bogus list
both "--log-format xml" --log-format xml list
both "--log-format=json" --log-format=json list -q
both "-debug (one dash)" -debug list -q
for v in --version -version -v -v=true; do
	both_out "$v" 'head -1 | sed "s/^[a-z]* version .*/NAME version V/"' $v
done

# --- usage: argument counts, unknown flags, flag syntax (runc exits 1)
for verb in start state pause resume delete kill update events create run; do
	both "$verb without an id" $verb
	both "$verb --bogus" $verb --bogus @
	both "$verb -h after the id" $verb @ -h
	both "$verb --help" $verb --help
done
for verb in start state pause resume delete update events; do
	both "$verb with two ids" $verb @ @
done
both "kill with three arguments" kill @ TERM extra
both "exec without an id" exec
both "exec --bogus" exec --bogus @ true
both "ps without an id" ps
both "list with an argument" list extra
both "features with an argument" features extra
both "spec with an argument" spec extra
both "a value flag without its value" list -f
both "a bad boolean" delete --force=maybe @
both "two forms of one flag" create -b "$T/b" --bundle "$T/b" @
both "combined short flags are not split" list -qf json
both "bad flag syntax" list ---q
both "-- ends the flags" state -- @

# --- a missing container
for verb in start state pause resume delete kill update events ps; do
	both "$verb of a missing container" $verb nosuch-$$
done
both "delete -f of a missing container" delete -f nosuch-$$
both "exec in a missing container (255)" exec nosuch-$$ true

# --- state, list
both_out "state: fields" 'jq -cS keys' state @
both_out "state: no newline at the end" 'tail -c1 | od -An -c' state @
both_out "state: status" 'jq -r .status' state @
both_out "state --help=false ID" 'jq -r .status' state --help=false @
both_out "list: the header" 'head -1 | tr -s " "' list
# where the columns start (OWNER's depends on the length of the creation times)
both_out "list: the header's columns" \
	'head -1 | awk "{print index(\$0,\"PID\"), index(\$0,\"STATUS\"), index(\$0,\"BUNDLE\"), index(\$0,\"CREATED\")}"' list
both_out "list: columns start where runc's do" 'awk "NR>1{print index(\$0,\$2), index(\$0,\$3), index(\$0,\$4)}" | sort -u' list
both_out "list -q" 'wc -l' list -q
both_out "list -f json" 'jq -c "map(keys)"' list -f json
both_out "list --format=json" 'jq -c "map(.status)"' list --format=json
both "list -f yaml" list -f yaml
both "list -q -f yaml (quiet wins)" list -q -f yaml
both "list -q --format json after nothing" list --quiet=true
for rt in runc husk; do
	"$(rt_bin $rt)" --root "$T/empty-$rt" list -f json >"$T/empty-$rt.out" 2>&1
	eval "empty_$rt=\$(cat \"\$T/empty-$rt.out\")"
done
expect_eq "list -f json with no containers" "$empty_husk" "$empty_runc"

# --- kill: any number goes to kill(2), names as runc's
both "kill ID 0 (probe)" kill @ 0
both "kill ID SIGCONT" kill @ SIGCONT
both "kill ID cont" kill @ cont
both "kill ID 99 (EINVAL)" kill @ 99
both "kill ID -9 (EINVAL)" kill @ -9
both "kill ID KILLL" kill @ KILLL
both "kill --all ID 0" kill --all @ 0
both "kill ID 0 --all (flag after the arguments)" kill @ 0 --all
both "kill ID --all 0 (urfave takes 0 with --all: id 0)" kill @ --all 0

# --- update: flags anywhere, runc's number syntax, 0 changes nothing
both "update ID --cpuset-cpus 0" update @ --cpuset-cpus 0
both "update --cpuset-cpus=0 ID" update --cpuset-cpus=0 @
both "update -cpuset-cpus 0 ID" update -cpuset-cpus 0 @
both "update ID --cpu-share 512 --cpu-period 100000" update @ --cpu-share 512 --cpu-period 100000
both "update ID --cpu-share 0" update @ --cpu-share 0
both "update ID --blkio-weight 0" update @ --blkio-weight 0
both "update ID --pids-limit 0" update @ --pids-limit 0
both "update ID --memory 64m" update @ --memory 64m
both "update ID --memory 1.5g" update @ --memory 1.5g
both "update ID --memory 64mb" update @ --memory 64MiB
both "update ID --memory bad" update @ --memory bad
both "update ID --cpu-period -5" update @ --cpu-period -5
both "update ID --cpu-quota x" update @ --cpu-quota x
both "update ID --pids-limit x" update @ --pids-limit x
both "update ID --pids-limit 0x40 (Go's base 0)" update @ --pids-limit 0x40
both "update ID --kernel-memory 10m (obsolete, ignored)" update @ --kernel-memory 10m
echo '{"cpu":{"shares":256}}' >"$T/res.json"
both "update -r FILE with other flags (the file wins)" update -r "$T/res.json" --memory bad @
both "update -r /dev/null (no JSON)" update -r /dev/null @

# --- events
both_out "events --stats" 'jq -r .type' events --stats @
both_out "events ID --stats (after the id)" 'jq -r ".id|length>0"' events @ --stats
both "events --interval 5 (Go durations need a unit)" events --interval 5 --stats @
both "events --interval 0s" events --interval 0s --stats @
both "events --interval 1m30s --stats" events --interval 1m30s --stats @

# --- ps (not reordered: the words after the id are ps's)
both_out "ps: the header" 'head -1' ps @
both_out "ps -f json" 'jq -c "[type, length]"' ps -f json @
both_out "ps --format=json" 'jq -c type' ps --format=json @
both "ps -f yaml" ps -f yaml @
both "ps ID -o pid (ps options)" ps @ -o pid

# --- exec: 1 for usage, 255 for its own failures, else the process's status
both "exec ID true" exec @ true
both_out "exec ID sh -c 'exit 3'" 'cat' exec @ sh -c 'exit 3'
both "exec ID /nonexistent (255)" exec @ /nonexistent
both "exec with no command (255)" exec @
both "exec --pid-file in a missing dir (255)" exec --pid-file "$T/nonexist/p" @ true
both "exec ID --cgroup / (not reordered: a command)" exec @ --cgroup / true
both "exec --cgroup / (the container's cgroup)" exec --cgroup / @ true
both "exec --cgroup cpu:/ --cgroup memory:/" exec --cgroup cpu:/ --cgroup memory:/ @ true
both "exec --cgroup / --cgroup memory:/ (prefix needed)" exec --cgroup / --cgroup memory:/ @ true
both "exec --cgroup bogus:/" exec --cgroup bogus:/ @ true
both "exec --cgroup .." exec --cgroup .. @ true
both "exec --cgroup a:b:c" exec --cgroup a:b:c @ true
both "exec --cgroup nosuch (missing sub-cgroup)" exec --cgroup nosuch-$$ @ true
both_out "exec -g 1 -g 2 (accumulate)" 'cat' exec -g 1 -g 2 @ id -G
both_out "exec --additional-gids=3" 'cat' exec --additional-gids=3 @ id -G
both "exec -g 1,2 (one number each)" exec -g 1,2 @ id
both "exec -g -1" exec -g -1 @ id
both_out "exec -e A=1 -e B=2 -e=C=3" 'cat' exec -e A=1 -e B=2 -e=C=3 @ sh -c 'echo $A$B$C'
both_out "exec --env A=1 --env=B=2" 'cat' exec --env A=1 --env=B=2 @ sh -c 'echo $A$B'
both "exec -e and --env mixed (two forms: refused)" exec -e A=1 --env B=2 @ true
both_out "exec --cwd /tmp" 'cat' exec --cwd /tmp @ pwd
both_out "exec -u 1:2" 'cat' exec -u 1:2 @ id
both "exec -u x" exec -u x @ id
both "exec -- ID true" exec -- @ true
both "exec -t=false ID true" exec -t=false @ true
both "exec --preserve-fds 0 ID true" exec --preserve-fds 0 @ true
both "exec --preserve-fds x" exec --preserve-fds x @ true

# --- pause, resume
both "pause ID" pause @
both "exec in a paused container (255)" exec @ true
both "resume ID" resume @

# --- spec, features
for rt in runc husk; do mkdir -p "$T/spec-$rt"; done
both "spec -b DIR" spec -b "$T/spec-%RT%"
both "spec -b DIR again (exists)" spec -b "$T/spec-%RT%"
both_out "features: top-level fields" 'jq -cS keys' features

# --- create/start with flags after the id; delete
both "create ID2 -b DIR (flags after the id)" create @-2 -b "$T/b"
both "create ID2 again" create @-2 --bundle "$T/b"
both "start ID2" start @-2
both "delete of a running container without -f" delete @-2
both "delete ID2 --force (after the id)" delete @-2 --force
both "delete ID -f" delete @ -f
both "state of a deleted container" state @
finish
