#!/bin/sh
# A user namespace container: the uid/gid maps are as asked, root inside is an
# unprivileged uid on the host, and devices are bind-mounted (mknod is not allowed).
. "$(dirname "$0")/lib.sh"
B=$T/b
bundle "$B" sleep "$LONG"
edit "$B" '.linux.namespaces += [{"type":"user"}]
  | .linux.uidMappings = [{"containerID":0,"hostID":200000,"size":65536}]
  | .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":65536}]'
chown -R 200000:200000 "$B/rootfs"
# the mapped root must be able to reach the bundle (mktemp -d makes 0700), as with runc
chmod 755 "$T"

h run -d -b "$B" u1-$$ </dev/null
expect_eq "created and running" "$(state_field u1-$$ status)" running
pid=$(state_field u1-$$ pid)
expect_eq "root in the container is uid 200000 on the host" "$(awk '/^Uid:/ {print $2}' /proc/"$pid"/status)" 200000
expect_eq "and gid 200000" "$(awk '/^Gid:/ {print $2}' /proc/"$pid"/status)" 200000
expect_eq "uid_map as asked" "$(tr -s ' ' </proc/"$pid"/uid_map)" " 0 200000 65536"
expect_eq "gid_map as asked" "$(tr -s ' ' </proc/"$pid"/gid_map)" " 0 200000 65536"
check "its own user namespace" [ "$(readlink /proc/"$pid"/ns/user)" != "$(readlink /proc/self/ns/user)" ]
# exec joins the user namespace too: root inside, 200000 outside
h exec -d --pid-file "$T/u1-exec.pid" u1-$$ sleep "$LONG2"
epid=$(cat "$T/u1-exec.pid")
expect_eq "exec joins the container's user namespace" "$(readlink /proc/"$epid"/ns/user)" "$(readlink /proc/"$pid"/ns/user)"
expect_eq "the exec'd process is uid 200000 on the host" "$(awk '/^Uid:/ {print $2}' /proc/"$epid"/status)" 200000
expect_eq "and uid 0 inside" "$(h exec u1-$$ id -u)" 0
h exec -u 1000 u1-$$ sh -c 'id -u' >"$T/u1-id" 2>&1
expect_eq "exec --user 1000 in the user namespace" "$(cat "$T/u1-id")" 1000
h delete -f u1-$$
check "nothing left" nothing_left u1-$$

edit "$B" '.process.args = ["sh","-c","id -u; stat -c %t:%T /dev/null; echo x > /dev/null && echo null-ok; cat /root/../../etc/shadow 2>&1 | head -c 0; touch /proc/sysrq-trigger 2>&1 | head -c 0; echo $?"]'
out=$(h run -b "$B" u2-$$ 2>&1 </dev/null)
expect_match "uid 0 inside" "$out" '^0$'
expect_match "/dev/null is the host's node, bind-mounted" "$out" '^1:3$'
expect_match "/dev/null works" "$out" '^null-ok$'
# host root's files stay out of reach: a file owned by host root, mode 0600, bind-mounted in
echo secret >"$T/secret" && chmod 600 "$T/secret"
edit "$B" '.mounts += [{"destination":"/secret","source":$s,"options":["bind","ro"]}] | .process.args = ["cat","/secret"]' --arg s "$T/secret"
out=$(h run -b "$B" u3-$$ 2>&1 </dev/null)
expect_match "container root cannot read a host-root 0600 file" "$out" 'Permission denied'
check "nothing left" nothing_left u3-$$

# A pod-style pair: a pause container owns the user namespace; a second
# container joins it and creates its other namespaces, which must be owned by
# the joined user namespace (else mounting /proc or setting the hostname fails).
edit "$B" '.process.args = ["sleep",$s] | del(.mounts[] | select(.destination == "/secret"))' --arg s "$LONG"
h run -d -b "$B" pause-$$ </dev/null
ppid=$(state_field pause-$$ pid)
B2=$T/b2
bundle "$B2" sh -c 'hostname; id -u; grep -c "^proc /proc proc" /proc/mounts; echo pid=$$'
edit "$B2" '.linux.namespaces += [{"type":"user","path":$u}] | .hostname = "joined"' --arg u "/proc/$ppid/ns/user"
chown -R 200000:200000 "$B2/rootfs"
out=$(h run -b "$B2" joiner-$$ 2>&1 </dev/null)
expect_match "joining a user namespace while creating others works (hostname set)" "$out" '^joined$'
expect_match "root inside the joined user namespace" "$out" '^0$'
expect_match "its own /proc is mounted" "$out" '^1$'
expect_match "its own pid namespace" "$out" '^pid=1$'
h create -b "$B2" joiner2-$$ </dev/null
jpid=$(state_field joiner2-$$ pid)
expect_eq "the joiner is in the pause container's user namespace" "$(readlink /proc/"$jpid"/ns/user)" "$(readlink /proc/"$ppid"/ns/user)"
check "but in its own mount namespace" [ "$(readlink /proc/"$jpid"/ns/mnt)" != "$(readlink /proc/"$ppid"/ns/mnt)" ]
h delete -f joiner2-$$
check "nothing left of the joiner" nothing_left joiner2-$$
h delete -f pause-$$
chown -R 0:0 "$B/rootfs" "$B2/rootfs"
finish
