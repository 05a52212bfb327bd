/* libhusk's cgroup statistics (runc's events --stats JSON) → containerd's
 * io.containerd.cgroups.v1.Metrics in an Any, as Stats returns it. */
#ifndef HUSK_SHIM_METRICS_H
#define HUSK_SHIM_METRICS_H

#include "google/protobuf/any.pb-c.h"

/* Fills any (type_url static, value malloc'd: caller frees value.data). */
int metrics_from_stats(const char *json, Google__Protobuf__Any *any);

#endif
