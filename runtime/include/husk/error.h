/* husk error convention: functions return 0 or a negative errno and fill a
 * struct husk_error whose message reads as a chain, outermost context first:
 *   "create: mount /proc on rootfs/proc: permission denied" */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stddef.h>

#define HUSK_ERROR_MAX 2048

struct husk_error {
	int code;               /* negative errno, 0 when no error */
	char msg[HUSK_ERROR_MAX];
};

/* Set the message from fmt; returns code (negative errno) for `return husk_error_set(...)`. */
int husk_error_set(struct husk_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like husk_error_set, then appends ": <strerror(-code)>" in lower case. */
int husk_error_sys(struct husk_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the existing message with "<context>: "; returns err->code. */
int husk_error_wrap(struct husk_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void husk_error_clear(struct husk_error *err);

/* strerror(-code) with its first letter lowered, as Go/runc print errors. */
const char *husk_strerror(int code, char *buf, size_t len);

#endif
