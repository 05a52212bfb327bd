/* The shim's own log lines (libhusk's logger: the bundle's log fifo that
 * containerd reads, or the serving shim's stderr), prefixed with its id. */
#ifndef HUSK_SHIM_LOG_H
#define HUSK_SHIM_LOG_H

struct shim;

void shim_log(struct shim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
