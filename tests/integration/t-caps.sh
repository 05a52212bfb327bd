#!/bin/sh
# Capabilities as the process sees them in /proc/self/status, for several specs
# (values are the ones runc produces for the same config.json).
. "$(dirname "$0")/lib.sh"
B=$T/b
bundle "$B" sh -c 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status | tr -d "\t" | tr "\n" " "'

# bits: CAP_CHOWN 0, CAP_KILL 5, CAP_NET_BIND_SERVICE 10, CAP_NET_RAW 13, CAP_AUDIT_WRITE 29
expect_eq "husk spec defaults: KILL, NET_BIND_SERVICE, AUDIT_WRITE; inheritable empty" \
	"$(h run -b "$B" d1-$$ </dev/null)" \
	"CapInh:0000000000000000 CapPrm:0000000020000420 CapEff:0000000020000420 CapBnd:0000000020000420 CapAmb:0000000000000000 "
edit "$B" '.process.capabilities = {}'
expect_eq "an empty capabilities object drops everything" \
	"$(h run -b "$B" d2-$$ </dev/null)" \
	"CapInh:0000000000000000 CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:0000000000000000 CapAmb:0000000000000000 "
edit "$B" '.process.user = {"uid":1000,"gid":1000} | .process.capabilities = {"bounding":["CAP_NET_RAW","CAP_CHOWN"],"effective":["CAP_NET_RAW"],"permitted":["CAP_NET_RAW"],"inheritable":["CAP_NET_RAW"],"ambient":["CAP_NET_RAW"]}'
expect_eq "a non-root user keeps NET_RAW through ambient" \
	"$(h run -b "$B" d3-$$ </dev/null)" \
	"CapInh:0000000000002000 CapPrm:0000000000002000 CapEff:0000000000002000 CapBnd:0000000000002001 CapAmb:0000000000002000 "
edit "$B" '.process.capabilities = {"bounding":["CAP_NET_RAW"],"effective":["CAP_NET_RAW"],"permitted":["CAP_NET_RAW"]}'
expect_eq "a non-root user without ambient has no capabilities after exec" \
	"$(h run -b "$B" d4-$$ </dev/null)" \
	"CapInh:0000000000000000 CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:0000000000002000 CapAmb:0000000000000000 "
edit "$B" '.process.user = {"uid":0,"gid":0} | del(.process.capabilities)'
host_bnd=$(grep CapBnd /proc/self/status | tr -d '\t')
expect_match "without a capabilities object root keeps the runtime's set (as runc)" \
	"$(h run -b "$B" d5-$$ </dev/null)" "$host_bnd"
edit "$B" '.process.capabilities = {"bounding":["CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]} | .process.args = ["chown","1:1","/tmp"]'
out=$(h run -b "$B" d6-$$ </dev/null 2>&1)
expect_match "without CAP_CHOWN root cannot chown" "$out" "Operation not permitted"
finish
