/* linux.seccomp.listenerPath: the runtime connects to the agent's socket and
 * sends the container process state (JSON) with the notify fd in SCM_RIGHTS,
 * one message, as the runtime-spec describes. The agent answers the
 * notifications; husk keeps no copy of the fd. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "husk/husk.h"
#include "security.h"
#include "sync.h"
#include "util.h"

static char *process_state_json(const struct husk_seccomp *sc, const char *state_json, pid_t pid)
{
	json_t *state = json_loads(state_json, 0, NULL), *doc;
	char *out;

	doc = json_pack("{s:s, s:[s], s:i, s:s, s:o}", "ociVersion", HUSK_OCI_VERSION, "fds",
			"seccompFd", "pid", (json_int_t)pid, "metadata",
			sc->listener_metadata ? sc->listener_metadata : "", "state",
			state ? state : json_object());
	out = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return out;
}

int seccomp_listener_send(const struct husk_seccomp *sc, const char *state_json, pid_t pid,
			  int notify_fd, struct husk_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_free_ char *msg = NULL;
	_cleanup_close_ int s = -1;
	int r;

	if (strlen(sc->listener_path) >= sizeof(sa.sun_path))
		return husk_error_set(err, -ENAMETOOLONG, "linux.seccomp.listenerPath %s is too long",
				      sc->listener_path);
	strcpy(sa.sun_path, sc->listener_path);
	msg = process_state_json(sc, state_json, pid);
	if (!msg)
		return husk_error_set(err, -ENOMEM, "seccomp listener: build the process state");
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return husk_error_sys(err, -errno, "socket for the seccomp listener");
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return husk_error_sys(err, -errno, "connect to seccomp listener %s", sc->listener_path);
	r = send_with_fd(s, msg, strlen(msg), notify_fd);
	if (r < 0)
		return husk_error_sys(err, r, "send the seccomp fd to %s", sc->listener_path);
	return 0;
}

int seccomp_listener_handoff(int sync_fd, const struct husk_seccomp *sc, const char *state_json, pid_t pid,
			     int notify_fd, struct husk_error *err)
{
	int r;

	if (notify_fd < 0 || !sc || !sc->listener_path)
		return husk_error_set(err, -EPROTO, "procSeccomp without a notify fd");
	r = seccomp_listener_send(sc, state_json, pid, notify_fd, err);
	if (r == 0 && sync_send(sync_fd, SYNC_PROC_SECCOMP_DONE, 0, NULL) < 0)
		r = husk_error_sys(err, -errno, "send procSeccompDone");
	return r;
}
