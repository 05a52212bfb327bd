/* libhusk's cgroup statistics → containerd's metrics in an Any, as Stats
 * returns it: io.containerd.cgroups.v2.Metrics when the container's
 * resources are on a pure v2 host, else io.containerd.cgroups.v1.Metrics
 * (what runc-v2 answers on each). */
#ifndef HUSK_SHIM_METRICS_H
#define HUSK_SHIM_METRICS_H

#include "google/protobuf/any.pb-c.h"

#include "husk/husk.h"

/* Fills any (type_url static, value malloc'd: caller frees value.data). */
int metrics_from_stats(const char *json, Google__Protobuf__Any *any);
/* From husk_stats_v2_json's output. */
int metrics_v2_from_stats(const char *json, Google__Protobuf__Any *any);
/* The container's statistics as v2 or v1 Metrics, by its cgroup layout. */
int metrics_for_container(const char *root, const char *id, Google__Protobuf__Any *any, struct husk_error *err);

#endif
