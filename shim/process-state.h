/* The state machine of one process the shim supervises (the init or an exec):
 * which Task call is allowed in which state, and the status code when not. */
#ifndef HUSK_SHIM_PROCESS_STATE_H
#define HUSK_SHIM_PROCESS_STATE_H

enum proc_state { PROC_CREATED, PROC_RUNNING, PROC_PAUSED, PROC_STOPPED, PROC_DELETED };

enum proc_op {
	OP_START,
	OP_KILL,
	OP_PAUSE,
	OP_RESUME,
	OP_DELETE,
	OP_EXEC,   /* a new exec in this (init) process's container */
	OP_RESIZE,
	OP_CLOSEIO,
	OP_UPDATE,
	OP_EXIT,   /* the process was reaped: not a call, an event */
};

/* 0 if op is allowed in state s (*next is the state after it), else a ttrpc
 * status code with *why set to a message in containerd's words. */
int proc_transition(enum proc_state s, enum proc_op op, enum proc_state *next, const char **why);
const char *proc_state_name(enum proc_state s);
/* containerd.v1.types.Status for State replies */
int proc_state_to_status(enum proc_state s);

#endif
