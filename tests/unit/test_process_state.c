/* The shim's per-process state machine: every (state, call) pair, its next
 * state, and the status code a refused call gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "process-state.h"
#include "ttrpc.h"

#define C PROC_CREATED
#define R PROC_RUNNING
#define P PROC_PAUSED
#define S PROC_STOPPED
#define D PROC_DELETED
#define NF TTRPC_NOT_FOUND
#define FP TTRPC_FAILED_PRECONDITION

struct row {
	enum proc_op op;
	int code[5];            /* per state C R P S D */
	enum proc_state next[5]; /* when allowed */
};

static const struct row rows[] = {
	{OP_START, {0, FP, FP, FP, NF}, {R, R, P, S, D}},
	{OP_KILL, {0, 0, 0, NF, NF}, {C, R, P, S, D}},
	{OP_PAUSE, {FP, 0, FP, FP, NF}, {C, P, P, S, D}},
	{OP_RESUME, {FP, FP, 0, FP, NF}, {C, R, R, S, D}},
	{OP_DELETE, {0, FP, FP, 0, NF}, {D, R, P, D, D}},
	{OP_EXEC, {0, 0, FP, FP, NF}, {C, R, P, S, D}},
	{OP_RESIZE, {0, 0, 0, NF, NF}, {C, R, P, S, D}},
	{OP_CLOSEIO, {0, 0, 0, NF, NF}, {C, R, P, S, D}},
	{OP_UPDATE, {0, 0, 0, FP, NF}, {C, R, P, S, D}},
	{OP_EXIT, {0, 0, 0, 0, NF}, {S, S, S, S, D}},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (int s = C; s <= D; s++) {
			enum proc_state next;
			const char *why;
			int code = proc_transition((enum proc_state)s, rows[i].op, &next, &why);
			if (code != rows[i].code[s])
				fail_msg("op %d in %s: code %d, want %d", rows[i].op, proc_state_name((enum proc_state)s),
					 code, rows[i].code[s]);
			if (code == 0)
				assert_int_equal(next, rows[i].next[s]);
			else
				assert_non_null(why);
		}
}

static void test_status_mapping(void **state)
{
	(void)state;
	assert_int_equal(proc_state_to_status(PROC_CREATED), 1);
	assert_int_equal(proc_state_to_status(PROC_RUNNING), 2);
	assert_int_equal(proc_state_to_status(PROC_STOPPED), 3);
	assert_int_equal(proc_state_to_status(PROC_PAUSED), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_status_mapping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
