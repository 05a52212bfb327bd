#!/bin/sh
# A user namespace container: the uid/gid maps are as asked, root inside is an
# unprivileged uid on the host, and devices are bind-mounted (mknod is not allowed).
. "$(dirname "$0")/lib.sh"
B=$T/b
bundle "$B" sleep 300
edit "$B" '.linux.namespaces += [{"type":"user"}]
  | .linux.uidMappings = [{"containerID":0,"hostID":200000,"size":65536}]
  | .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":65536}]'
chown -R 200000:200000 "$B/rootfs"
# the mapped root must be able to reach the bundle (mktemp -d makes 0700), as with runc
chmod 755 "$T"

h run -d -b "$B" u1 </dev/null
expect_eq "created and running" "$(state_field u1 status)" running
pid=$(state_field u1 pid)
expect_eq "root in the container is uid 200000 on the host" "$(awk '/^Uid:/ {print $2}' /proc/"$pid"/status)" 200000
expect_eq "and gid 200000" "$(awk '/^Gid:/ {print $2}' /proc/"$pid"/status)" 200000
expect_eq "uid_map as asked" "$(tr -s ' ' </proc/"$pid"/uid_map)" " 0 200000 65536"
expect_eq "gid_map as asked" "$(tr -s ' ' </proc/"$pid"/gid_map)" " 0 200000 65536"
check "its own user namespace" [ "$(readlink /proc/"$pid"/ns/user)" != "$(readlink /proc/self/ns/user)" ]
h delete -f u1
check "nothing left" nothing_left u1

edit "$B" '.process.args = ["sh","-c","id -u; stat -c %t:%T /dev/null; echo x > /dev/null && echo null-ok; cat /root/../../etc/shadow 2>&1 | head -c 0; touch /proc/sysrq-trigger 2>&1 | head -c 0; echo $?"]'
out=$(h run -b "$B" u2 2>&1 </dev/null)
expect_match "uid 0 inside" "$out" '^0$'
expect_match "/dev/null is the host's node, bind-mounted" "$out" '^1:3$'
expect_match "/dev/null works" "$out" '^null-ok$'
# host root's files stay out of reach: a file owned by host root, mode 0600, bind-mounted in
echo secret >"$T/secret" && chmod 600 "$T/secret"
edit "$B" '.mounts += [{"destination":"/secret","source":$s,"options":["bind","ro"]}] | .process.args = ["cat","/secret"]' --arg s "$T/secret"
out=$(h run -b "$B" u3 2>&1 </dev/null)
expect_match "container root cannot read a host-root 0600 file" "$out" 'Permission denied'
check "nothing left" nothing_left u3
chown -R 0:0 "$B/rootfs"
finish
