/* The shim RPC harness: a real husk-shim (serve mode) on real busybox
 * bundles, driven over its socket with the same ttrpc client shimctl uses.
 * Runs as root; everything lives under one temp dir. */
#ifndef HUSK_TEST_SHIM_HARNESS_H
#define HUSK_TEST_SHIM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "containerd/task/v2/shim.pb-c.h"
#include "ttrpc.h"

struct shim_env {
	char dir[256];    /* the temp dir of this test */
	char sock[300], root[300], log[300], bundle[300];
	pid_t pid;        /* the shim */
	struct ttrpc_client cl;
	char last_msg[512]; /* the message of the last reply on cl */
};

/* a call on e's connection must answer want; a failure shows the shim's message */
#define assert_rpc(e, call, want)                                                                              \
	do {                                                                                                   \
		int got_ = (call);                                                                             \
		if (got_ != (want))                                                                            \
			fail_msg("%s: status %d, want %d (%s)", #call, got_, (int)(want), (e)->last_msg);      \
	} while (0)

/* the temp dir, a busybox bundle running args (NULL: sh -c 'echo hello'),
 * and a shim serving it; events_addr: its TTRPC_ADDRESS (NULL: none) */
void env_up(struct shim_env *e, const char *const *args, const char *events_addr);
/* Shutdown --now; the shim must exit 0 (under ASan that includes no leak). */
void env_down(struct shim_env *e);
/* the shim stopped by signal SIG instead of Shutdown: it exits 0 within
 * WAIT_MS, having removed its container (no state left under the root: what
 * is left is removed with husk delete --force, and the test fails) */
void env_down_signal(struct shim_env *e, int sig);
/* cmocka teardown: a shim a failed test left running is stopped */
int env_teardown(void **state);
/* HUSK_TEST_TIMEOUT seconds (ctest's TIMEOUT less a minute; unset or 0: none)
 * from now, the test ends itself: SIGTERM to the live shim, which removes its
 * containers (ctest's own TIMEOUT SIGKILLs the whole tree, shim and containers
 * with it, leaving their cgroups and state), SIGKILL after 10 s, exit 1.
 * Call it first thing in main. */
void harness_deadline(void);
/* edit the bundle's config.json (call before Create) */
json_t *bundle_config(struct shim_env *e);
void bundle_save(struct shim_env *e, json_t *cfg);

/* one call on the env's connection: returns the status code; *resp is
 * decoded (NULL for an error) and freed by the caller with rpc_free */
int rpc(struct shim_env *e, const char *method, const void *req, const ProtobufCMessageDescriptor *rd, void *resp);
int rpc_on(struct ttrpc_client *c, const char *method, const void *req, const ProtobufCMessageDescriptor *rd,
	   void *resp, char **message);
void rpc_free(void *msg);

/* convenience */
int create(struct shim_env *e, const char *id, const char *out, const char *err, const char *in, bool tty);
int start(struct shim_env *e, const char *id, const char *exec_id, pid_t *pid);
int wait_exit(struct shim_env *e, const char *id, const char *exec_id, int *status);
int del(struct shim_env *e, const char *id, const char *exec_id);
int kill_proc(struct shim_env *e, const char *id, const char *exec_id, int sig, bool all);
int state_of(struct shim_env *e, const char *id, const char *exec_id, int *status, pid_t *pid);
int exec_add(struct shim_env *e, const char *id, const char *exec_id, const char *const *args, const char *out,
	     bool tty);

/* seconds for a long-running command ("sleep", long_secs()): never reached, and
 * the mark of this run and test in the command line, as tests/lib/checks.sh's
 * $LONG (1, HUSK_TEST_RUN, the pid: 14 digits), so that suite/leftovers finds a
 * container this test left */
const char *long_secs(void);

/* a path in the env's dir */
const char *path_in(struct shim_env *e, const char *name);
/* a fifo at path_in(name), opened for reading (non-blocking) */
int fifo_reader(struct shim_env *e, const char *name);
/* read everything available (until EAGAIN or EOF) */
size_t drain_fd(int fd, char *buf, size_t cap);
char *read_text(const char *path);
/* open fds of the shim; zombie children of the shim */
int shim_fd_count(struct shim_env *e);
/* the shim has path open */
bool shim_holds(struct shim_env *e, const char *path);
int shim_zombies(struct shim_env *e);
long long now_ms(void);
/* the shim's fd count once it is at most max, or the last count after
 * WAIT_MS: the shim closes a finished connection's or process's fds on a
 * later turn of its loop, so a count right after the call races it */
int shim_fd_count_settled(struct shim_env *e, int max);
/* what a test waits for at most, in ms: a bound that only matters when the
 * thing waited for is broken (the suite runs on a loaded 2-core machine and
 * under ASan, several times slower) */
#define WAIT_MS 30000

#endif
