#include "husk/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *husk_strerror(int code, char *buf, size_t len)
{
	int e = code < 0 ? -code : code;
	const char *s = strerrordesc_np(e);

	if (!s)
		snprintf(buf, len, "errno %d", e);
	else
		snprintf(buf, len, "%s", s);
	if (buf[0] && isupper((unsigned char)buf[0]) && !(buf[1] && isupper((unsigned char)buf[1])))
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

static int normalize(int code)
{
	if (code > 0)
		code = -code;
	return code ? code : -EINVAL;
}

int husk_error_set(struct husk_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	code = normalize(code);
	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int husk_error_sys(struct husk_error *err, int code, const char *fmt, ...)
{
	char reason[128];
	size_t used;
	va_list ap;

	code = normalize(code);
	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, ": %s",
		 husk_strerror(code, reason, sizeof(reason)));
	return code;
}

int husk_error_wrap(struct husk_error *err, const char *fmt, ...)
{
	char prefix[512], old[HUSK_ERROR_MAX];
	va_list ap;

	if (!err)
		return -EINVAL;
	if (!err->code)
		err->code = -EINVAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	return err->code;
}

void husk_error_clear(struct husk_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}
