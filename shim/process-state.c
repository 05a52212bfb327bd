/* Transitions follow containerd-shim-runc-v2's per-state behaviour, so that
 * containerd gets the codes it expects (NOT_FOUND for a finished or deleted
 * process: containerd's Delete tolerates it; FAILED_PRECONDITION for a call
 * the state does not allow). */
#include "process-state.h"
#include "ttrpc.h"

#include "containerd/types/task/task.pb-c.h"

const char *proc_state_name(enum proc_state s)
{
	static const char *const names[] = {"created", "running", "paused", "stopped", "deleted"};
	return s <= PROC_DELETED ? names[s] : "unknown";
}

int proc_state_to_status(enum proc_state s)
{
	switch (s) {
	case PROC_CREATED: return CONTAINERD__V1__TYPES__STATUS__CREATED;
	case PROC_RUNNING: return CONTAINERD__V1__TYPES__STATUS__RUNNING;
	case PROC_PAUSED: return CONTAINERD__V1__TYPES__STATUS__PAUSED;
	case PROC_STOPPED:
	case PROC_DELETED: return CONTAINERD__V1__TYPES__STATUS__STOPPED;
	}
	return CONTAINERD__V1__TYPES__STATUS__UNKNOWN;
}

static int refuse(const char **why, const char *msg, int code)
{
	*why = msg;
	return code;
}

int proc_transition(enum proc_state s, enum proc_op op, enum proc_state *next, const char **why)
{
	*next = s;
	*why = NULL;
	if (s == PROC_DELETED)
		return refuse(why, "process not found (deleted)", TTRPC_NOT_FOUND);
	switch (op) {
	case OP_START:
		if (s != PROC_CREATED)
			return refuse(why, s == PROC_STOPPED ? "cannot start a stopped process" : "process already started",
				      TTRPC_FAILED_PRECONDITION);
		*next = PROC_RUNNING;
		return 0;
	case OP_KILL:
		if (s == PROC_STOPPED)
			return refuse(why, "process already finished", TTRPC_NOT_FOUND);
		return 0;
	case OP_PAUSE:
		if (s != PROC_RUNNING)
			return refuse(why, s == PROC_PAUSED ? "container is already paused" : "cannot pause a process that is not running",
				      TTRPC_FAILED_PRECONDITION);
		*next = PROC_PAUSED;
		return 0;
	case OP_RESUME:
		if (s != PROC_PAUSED)
			return refuse(why, "cannot resume a process that is not paused", TTRPC_FAILED_PRECONDITION);
		*next = PROC_RUNNING;
		return 0;
	case OP_DELETE:
		if (s == PROC_RUNNING || s == PROC_PAUSED)
			return refuse(why, s == PROC_RUNNING ? "cannot delete a running process" : "cannot delete a paused process",
				      TTRPC_FAILED_PRECONDITION);
		*next = PROC_DELETED;
		return 0;
	case OP_EXEC:
		if (s == PROC_STOPPED)
			return refuse(why, "cannot exec in a stopped container", TTRPC_FAILED_PRECONDITION);
		if (s == PROC_PAUSED)
			return refuse(why, "cannot exec in a paused container", TTRPC_FAILED_PRECONDITION);
		return 0;
	case OP_RESIZE:
	case OP_CLOSEIO:
		if (s == PROC_STOPPED)
			return refuse(why, "process already finished", TTRPC_NOT_FOUND);
		return 0;
	case OP_UPDATE:
		if (s == PROC_STOPPED)
			return refuse(why, "cannot update a stopped container", TTRPC_FAILED_PRECONDITION);
		return 0;
	case OP_EXIT:
		*next = PROC_STOPPED;
		return 0;
	}
	return refuse(why, "unknown operation", TTRPC_INTERNAL);
}
