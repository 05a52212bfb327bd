#!/bin/sh
# The differential harness itself: a plain bundle, an exit status and a missing
# binary give the same answer under runc and husk.
. "$(dirname "$0")/lib.sh"
rt_bundle "$T/b" sh -c 'echo hello; exit 3'
same "exit status and output" "$T/b"
edit "$T/b" '.process.args = ["/nonexistent"]'
same_status "a missing binary" "$T/b"
finish
