/* Log lines of the serving shim. husk_log writes whole lines and never
 * blocks on a log fifo nobody reads (libhusk opens it non-blocking). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stdio.h>

#include "husk/husk.h"
#include "husk/log.h"
#include "shim-log.h"
#include "shim.h"

void shim_log(struct shim *s, const char *fmt, ...)
{
	char buf[HUSK_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	husk_log(HUSK_LOG_INFO, "shim %s: %s", s->o.id ? s->o.id : "", buf);
}
