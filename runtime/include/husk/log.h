/* Runtime logging: text or runc-compatible JSON lines ({"level","msg","time"}). */
#ifndef HUSK_LOG_H
#define HUSK_LOG_H

#include <stdbool.h>

enum husk_log_level { HUSK_LOG_DEBUG, HUSK_LOG_INFO, HUSK_LOG_WARN, HUSK_LOG_ERROR };

/* path NULL = stderr. Returns 0 or -errno. */
int husk_log_open(const char *path, bool json, bool debug);
void husk_log_close(void);
void husk_log(enum husk_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool husk_log_to_stderr(void);

#define husk_debug(...) husk_log(HUSK_LOG_DEBUG, __VA_ARGS__)
#define husk_warn(...) husk_log(HUSK_LOG_WARN, __VA_ARGS__)

#endif
