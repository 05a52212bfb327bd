/* The systemd driver's D-Bus half: StartTransientUnit, SetUnitProperties,
 * StopUnit and ResetFailedUnit on org.freedesktop.systemd1, with the job
 * waited for through the JobRemoved signal, as runc (go-systemd) does.
 *
 * The library is libdbus-1, the reference D-Bus implementation: Debian ships
 * it as an archive (libdbus-1.a), so husk stays a static binary; Debian ships
 * libsystemd (sd-bus) only as a shared object. See docs/cgroups.md. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dbus/dbus.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-resources.h"
#include "cgroup-systemd.h"
#include "husk/log.h"
#include "internal.h"
#include "util.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
/* runc waits 30 s for a unit's job; every call has the same bound */
#define SD_TIMEOUT_MS 30000

bool sd_booted_host(void)
{
	struct stat st;

	return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

static bool path_exists(const char *p)
{
	return access(p, F_OK) == 0;
}

/* --- connection --- */
struct sd_conn {
	DBusConnection *c;
	int version; /* systemd's, -1 unknown */
};

static void sd_close(struct sd_conn *sc)
{
	if (sc->c) {
		dbus_connection_close(sc->c);
		dbus_connection_unref(sc->c);
		sc->c = NULL;
	}
}

static int dbus_fail(struct husk_error *err, DBusError *e, const char *what)
{
	int r = husk_error_set(err, -EIO, "%s: %s", what, e->message ? e->message : "D-Bus error");

	dbus_error_free(e);
	return r;
}

static DBusMessage *method(const char *iface, const char *name)
{
	DBusMessage *m = dbus_message_new_method_call(SD_DEST, SD_PATH, iface, name);

	if (!m)
		abort(); /* out of memory, as xcalloc */
	return m;
}

/* Send m (unref'd here) and wait for its reply. On a D-Bus error, *ename (if
 * given) gets its name and err the message. */
static DBusMessage *call(struct sd_conn *sc, DBusMessage *m, const char *what, char **ename,
			 struct husk_error *err)
{
	DBusMessage *reply;
	DBusError e;

	dbus_error_init(&e);
	reply = dbus_connection_send_with_reply_and_block(sc->c, m, SD_TIMEOUT_MS, &e);
	dbus_message_unref(m);
	if (!reply) {
		if (ename)
			*ename = xstrdup(e.name ? e.name : "");
		dbus_fail(err, &e, what);
	}
	return reply;
}

/* systemd's version number ("252.19-1~deb12u1" -> 252), -1 if unknown */
static int manager_version(struct sd_conn *sc)
{
	DBusMessage *m = dbus_message_new_method_call(SD_DEST, SD_PATH, "org.freedesktop.DBus.Properties", "Get");
	const char *iface = SD_MANAGER, *prop = "Version", *v = NULL;
	struct husk_error ignore = {0};
	DBusMessageIter it, var;
	DBusMessage *reply;
	int ver = -1;

	if (!m || !dbus_message_append_args(m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &prop, DBUS_TYPE_INVALID))
		abort();
	reply = call(sc, m, "get systemd's version", NULL, &ignore);
	if (!reply) {
		husk_warn("unable to get systemd version: %s", ignore.msg);
		return -1;
	}
	if (dbus_message_iter_init(reply, &it) && dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_VARIANT) {
		dbus_message_iter_recurse(&it, &var);
		if (dbus_message_iter_get_arg_type(&var) == DBUS_TYPE_STRING)
			dbus_message_iter_get_basic(&var, &v);
	}
	if (v)
		ver = sd_version_atoi(v);
	dbus_message_unref(reply);
	return ver;
}

/* The system bus, or systemd's own socket when there is no bus daemon (root
 * only), as go-systemd's NewWithContext; then Subscribe, so systemd sends
 * JobRemoved. */
static int sd_open(struct sd_conn *sc, struct husk_error *err)
{
	DBusMessage *reply;
	DBusError e;
	bool bus = true;

	memset(sc, 0, sizeof(*sc));
	/* libdbus would otherwise ignore SIGPIPE process-wide, and hooks inherit that */
	dbus_connection_set_change_sigpipe(FALSE);
	dbus_error_init(&e);
	sc->c = dbus_bus_get_private(DBUS_BUS_SYSTEM, &e);
	if (!sc->c && geteuid() == 0) {
		husk_debug("system bus: %s; trying /run/systemd/private", e.message);
		dbus_error_free(&e);
		bus = false;
		sc->c = dbus_connection_open_private("unix:path=/run/systemd/private", &e);
	}
	if (!sc->c)
		return dbus_fail(err, &e, "connect to systemd over D-Bus");
	dbus_connection_set_exit_on_disconnect(sc->c, FALSE);
	if (bus) {
		dbus_bus_add_match(sc->c,
				   "type='signal',sender='" SD_DEST "',path='" SD_PATH "',interface='" SD_MANAGER
				   "',member='JobRemoved'",
				   &e);
		if (dbus_error_is_set(&e)) {
			sd_close(sc);
			return dbus_fail(err, &e, "subscribe to systemd's job signals");
		}
	}
	reply = call(sc, method(SD_MANAGER, "Subscribe"), "subscribe to systemd's job signals", NULL, err);
	if (!reply) {
		sd_close(sc);
		return err->code;
	}
	dbus_message_unref(reply);
	sc->version = manager_version(sc);
	return 0;
}

/* --- properties as a(sv) --- */
static const char *signature(const struct sd_prop *q)
{
	switch (q->type) {
	case SD_BASIC: return q->code;
	case SD_STR: return "s";
	case SD_BOOL: return "b";
	case SD_U64: return "t";
	case SD_STRV: return "as";
	case SD_U32V: return "au";
	case SD_BYTES: return "ay";
	case SD_DEVALLOW: return "a(ss)";
	}
	return "";
}

/* the other basic types an org.systemd.property.* annotation can give */
static bool append_basic(DBusMessageIter *var, const struct sd_prop *q)
{
	unsigned char y = (unsigned char)q->u;
	dbus_int16_t n = (dbus_int16_t)q->i;
	dbus_uint16_t qq = (dbus_uint16_t)q->u;
	dbus_int32_t i = (dbus_int32_t)q->i;
	dbus_uint32_t u = (dbus_uint32_t)q->u;
	dbus_int64_t x = q->i;
	double d = q->d;

	switch (q->code[0]) {
	case 'y': return dbus_message_iter_append_basic(var, DBUS_TYPE_BYTE, &y);
	case 'n': return dbus_message_iter_append_basic(var, DBUS_TYPE_INT16, &n);
	case 'q': return dbus_message_iter_append_basic(var, DBUS_TYPE_UINT16, &qq);
	case 'i': return dbus_message_iter_append_basic(var, DBUS_TYPE_INT32, &i);
	case 'u': return dbus_message_iter_append_basic(var, DBUS_TYPE_UINT32, &u);
	case 'x': return dbus_message_iter_append_basic(var, DBUS_TYPE_INT64, &x);
	case 'd': return dbus_message_iter_append_basic(var, DBUS_TYPE_DOUBLE, &d);
	}
	return false;
}

static bool append_value(DBusMessageIter *var, const struct sd_prop *q)
{
	DBusMessageIter arr, st;
	dbus_bool_t b = q->b;
	dbus_uint64_t u = q->u;
	bool ok = true;

	switch (q->type) {
	case SD_BASIC:
		return append_basic(var, q);
	case SD_STR:
		return dbus_message_iter_append_basic(var, DBUS_TYPE_STRING, &q->s);
	case SD_BOOL:
		return dbus_message_iter_append_basic(var, DBUS_TYPE_BOOLEAN, &b);
	case SD_U64:
		return dbus_message_iter_append_basic(var, DBUS_TYPE_UINT64, &u);
	case SD_STRV:
		ok = dbus_message_iter_open_container(var, DBUS_TYPE_ARRAY, "s", &arr);
		for (size_t i = 0; ok && i < q->n; i++)
			ok = dbus_message_iter_append_basic(&arr, DBUS_TYPE_STRING, &q->sv[i]);
		return ok && dbus_message_iter_close_container(var, &arr);
	case SD_U32V:
		ok = dbus_message_iter_open_container(var, DBUS_TYPE_ARRAY, "u", &arr);
		for (size_t i = 0; ok && i < q->n; i++) {
			dbus_uint32_t v = q->u32[i];
			ok = dbus_message_iter_append_basic(&arr, DBUS_TYPE_UINT32, &v);
		}
		return ok && dbus_message_iter_close_container(var, &arr);
	case SD_BYTES: {
		const uint8_t *bytes = q->bytes;
		ok = dbus_message_iter_open_container(var, DBUS_TYPE_ARRAY, "y", &arr) &&
		     dbus_message_iter_append_fixed_array(&arr, DBUS_TYPE_BYTE, &bytes, (int)q->n);
		return ok && dbus_message_iter_close_container(var, &arr);
	}
	case SD_DEVALLOW:
		ok = dbus_message_iter_open_container(var, DBUS_TYPE_ARRAY, "(ss)", &arr);
		for (size_t i = 0; ok && i < q->n; i++)
			ok = dbus_message_iter_open_container(&arr, DBUS_TYPE_STRUCT, NULL, &st) &&
			     dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &q->sv[2 * i]) &&
			     dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &q->sv[2 * i + 1]) &&
			     dbus_message_iter_close_container(&arr, &st);
		return ok && dbus_message_iter_close_container(var, &arr);
	}
	return false;
}

static void append_props(DBusMessageIter *it, const struct sd_props *p)
{
	DBusMessageIter arr, st, var;
	bool ok = dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "(sv)", &arr);

	for (size_t i = 0; ok && i < p->n; i++)
		ok = dbus_message_iter_open_container(&arr, DBUS_TYPE_STRUCT, NULL, &st) &&
		     dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &p->v[i].name) &&
		     dbus_message_iter_open_container(&st, DBUS_TYPE_VARIANT, signature(&p->v[i]), &var) &&
		     append_value(&var, &p->v[i]) && dbus_message_iter_close_container(&st, &var) &&
		     dbus_message_iter_close_container(&arr, &st);
	if (!ok || !dbus_message_iter_close_container(it, &arr))
		abort(); /* libdbus fails these only when out of memory */
}

/* --- jobs --- */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for JobRemoved of job; *result is systemd's ("done", "failed", …). */
static int wait_job(struct sd_conn *sc, const char *job, const char *what, char **result, struct husk_error *err)
{
	long long deadline = now_ms() + SD_TIMEOUT_MS;

	for (;;) {
		DBusMessage *m;
		long long left;

		while ((m = dbus_connection_pop_message(sc->c))) {
			dbus_uint32_t id;
			const char *path, *unit, *res;
			if (dbus_message_is_signal(m, SD_MANAGER, "JobRemoved") &&
			    dbus_message_get_args(m, NULL, DBUS_TYPE_UINT32, &id, DBUS_TYPE_OBJECT_PATH, &path,
						  DBUS_TYPE_STRING, &unit, DBUS_TYPE_STRING, &res, DBUS_TYPE_INVALID) &&
			    !strcmp(path, job)) {
				*result = xstrdup(res);
				dbus_message_unref(m);
				return 0;
			}
			dbus_message_unref(m);
		}
		left = deadline - now_ms();
		if (left <= 0)
			return husk_error_set(err, -ETIMEDOUT, "timed out waiting for systemd to %s", what);
		if (!dbus_connection_read_write(sc->c, (int)left))
			return husk_error_set(err, -ECONNRESET, "%s: the D-Bus connection to systemd closed", what);
	}
}

/* A unit method taking (name, mode) and returning a job: StopUnit */
static DBusMessage *unit_call(const char *name, const char *unit)
{
	DBusMessage *m = method(SD_MANAGER, name);
	const char *mode = "replace";

	if (!dbus_message_append_args(m, DBUS_TYPE_STRING, &unit, DBUS_TYPE_STRING, &mode, DBUS_TYPE_INVALID))
		abort();
	return m;
}

static void reset_failed(struct sd_conn *sc, const char *unit)
{
	DBusMessage *m = method(SD_MANAGER, "ResetFailedUnit"), *reply;
	struct husk_error e = {0};

	if (!dbus_message_append_args(m, DBUS_TYPE_STRING, &unit, DBUS_TYPE_INVALID))
		abort();
	reply = call(sc, m, "reset-failed", NULL, &e);
	if (reply)
		dbus_message_unref(reply);
	else
		husk_debug("unable to reset failed unit %s: %s", unit, e.msg);
}

static int start_unit(struct sd_conn *sc, const char *unit, const struct sd_props *props, char **ename,
		      struct husk_error *err)
{
	_cleanup_free_ char *what = xasprintf("create systemd unit %s", unit), *result = NULL;
	DBusMessage *m = method(SD_MANAGER, "StartTransientUnit"), *reply;
	const char *mode = "replace", *job;
	DBusMessageIter it, aux;
	int r;

	dbus_message_iter_init_append(m, &it);
	if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &unit) ||
	    !dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &mode))
		abort();
	append_props(&it, props);
	if (!dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "(sa(sv))", &aux) ||
	    !dbus_message_iter_close_container(&it, &aux))
		abort();
	reply = call(sc, m, what, ename, err);
	if (!reply)
		return err->code;
	if (!dbus_message_get_args(reply, NULL, DBUS_TYPE_OBJECT_PATH, &job, DBUS_TYPE_INVALID)) {
		dbus_message_unref(reply);
		return husk_error_set(err, -EPROTO, "%s: unexpected reply", what);
	}
	job = xstrdup(job);
	dbus_message_unref(reply);
	r = wait_job(sc, job, what, &result, err);
	if (r == 0 && strcmp(result, "done"))
		r = husk_error_set(err, -EIO, "error creating systemd unit `%s`: got `%s`", unit, result);
	if (r < 0)
		reset_failed(sc, unit); /* a failed unit would stay loaded */
	free((char *)job);
	return r;
}

/* --- the driver --- */
int cg_systemd_plan(const char *cgroups_path, const char *id, struct husk_strv *dirs, struct husk_strv *names,
		    const struct husk_kvv *annotations, char **unit, struct husk_error *err)
{
	struct sd_props props = {0};
	struct cgroup_hier *h = NULL;
	const char *v2 = NULL;
	struct sd_unit u;
	size_t nh = 0;
	/* runc reads the property annotations first, before the cgroupsPath */
	int r = sd_annotation_props(annotations, &props, err);

	sd_props_free(&props);
	if (r < 0)
		return r;
	r = sd_unit_parse(cgroups_path, id, &u, err);
	if (r < 0)
		return r;
	if (!sd_booted_host()) {
		r = husk_error_set(err, -ENOTSUP, "systemd not running on this host, cannot use systemd cgroups manager");
		goto out;
	}
	r = cgroup_hierarchies(&h, &nh);
	if (r < 0) {
		r = husk_error_sys(err, r, "read the cgroup hierarchies");
		goto out;
	}
	for (size_t i = 0; i < nh; i++) {
		if (h[i].v2 && !v2)
			v2 = h[i].mountpoint;
		else if (!h[i].v2 && *h[i].controllers && strncmp(h[i].controllers, "name=", 5)) {
			r = husk_error_set(err, -ENOTSUP,
					   "the systemd cgroup driver needs a cgroup v2 host, and this one has cgroup v1 controllers (%s)",
					   h[i].controllers);
			goto out;
		}
	}
	if (!v2) {
		r = husk_error_set(err, -ENOTSUP, "the systemd cgroup driver needs a cgroup v2 hierarchy, and none is mounted");
		goto out;
	}
	dirs->v = xcalloc(2, sizeof(char *));
	dirs->v[0] = xasprintf("%s%s", v2, u.path);
	dirs->n = 1;
	if (names) {
		names->v = xcalloc(2, sizeof(char *));
		names->v[0] = xstrdup(strrchr(v2, '/') + 1);
		names->n = 1;
	}
	*unit = xstrdup(u.unit);
out:
	cgroup_hierarchies_free(h, nh);
	sd_unit_free(&u);
	return r;
}

static int resource_props(const struct sd_conn *sc, const struct husk_linux *l, bool skip_devices,
			  struct sd_props *p, struct husk_error *err)
{
	_cleanup_free_ char *devices = NULL;
	struct sd_host host = {.version = sc->version, .exists = path_exists};

	if (read_file("/proc/devices", &devices, NULL) < 0)
		devices = NULL;
	host.proc_devices = devices;
	return sd_resource_props(l, &host, skip_devices, p, err);
}

int cg_systemd_start(const char *cgroups_path, const char *id, pid_t pid, const struct husk_strv *dirs,
		     const struct husk_linux *l, const struct husk_kvv *annotations, bool *started,
		     struct husk_error *err)
{
	struct sd_props props = {0};
	struct sd_conn sc = {0};
	struct sd_unit u;
	int r = sd_unit_parse(cgroups_path, id, &u, err);

	if (r < 0)
		return r;
	r = sd_open(&sc, err);
	if (r < 0)
		goto out;
	sd_unit_props(&u, pid, &props);
	/* then the annotations' properties, as runc's Apply; before the
	 * resources, so that (as runc's later Set) the spec's resources win */
	r = sd_annotation_props(annotations, &props, err);
	if (r < 0)
		goto out;
	/* the resources go with the unit, so they hold from its first moment
	 * (runc sets them later, at procReady, with SetUnitProperties) */
	r = resource_props(&sc, l, false, &props, err);
	if (r < 0)
		goto out;
	for (int attempt = 0;; attempt++) {
		_cleanup_free_ char *ename = NULL;
		r = start_unit(&sc, u.unit, &props, &ename, err);
		if (r == 0 || attempt || !ename || strcmp(ename, "org.freedesktop.systemd1.UnitExists"))
			break;
		/* a failed unit of the same name may linger: reset it and try once more */
		reset_failed(&sc, u.unit);
		husk_error_clear(err);
	}
	if (r < 0)
		goto out;
	*started = true;
	/* the parents' subtree_control get every controller (systemd enables
	 * only those it manages: no hugetlb, rdma, misc), as runc's
	 * fs2.CreateCgroupPath; then what systemd has no property for goes to
	 * the files, as runc's fs2.Set */
	r = cgroup_create(dirs, &l->resources, NULL, err);
	if (r == 0)
		r = cgroup_apply(dirs, l, err);
out:
	sd_props_free(&props);
	sd_close(&sc);
	sd_unit_free(&u);
	return r;
}

int cg_systemd_update(const char *unit, const struct husk_strv *dirs, const struct husk_linux *l,
		      struct husk_error *err)
{
	struct sd_props props = {0};
	struct sd_conn sc = {0};
	DBusMessage *m, *reply;
	DBusMessageIter it;
	dbus_bool_t runtime = TRUE;
	int r = sd_open(&sc, err);

	if (r < 0)
		return r;
	r = resource_props(&sc, l, true, &props, err); /* as runc's update: SkipDevices */
	if (r < 0)
		goto out;
	m = method(SD_MANAGER, "SetUnitProperties");
	dbus_message_iter_init_append(m, &it);
	if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &unit) ||
	    !dbus_message_iter_append_basic(&it, DBUS_TYPE_BOOLEAN, &runtime))
		abort();
	append_props(&it, &props);
	reply = call(&sc, m, "unable to set unit properties", NULL, err);
	if (!reply) {
		r = err->code;
		goto out;
	}
	dbus_message_unref(reply);
	r = cgroup_apply_update(dirs, l, err);
out:
	sd_props_free(&props);
	sd_close(&sc);
	return r;
}

int cg_systemd_stop(const char *unit, struct husk_error *err)
{
	_cleanup_free_ char *what = xasprintf("remove systemd unit %s", unit), *ename = NULL, *result = NULL;
	struct husk_error e = {0};
	struct sd_conn sc = {0};
	DBusMessage *reply;
	const char *job;
	int r = sd_open(&sc, err);

	if (r < 0)
		return r;
	reply = call(&sc, unit_call("StopUnit", unit), what, &ename, &e);
	if (!reply) {
		/* runc goes on whatever StopUnit answers; a unit systemd dropped
		 * when its last process exited is the usual case */
		if (strcmp(ename, "org.freedesktop.systemd1.NoSuchUnit"))
			husk_warn("%s", e.msg);
		goto out;
	}
	if (dbus_message_get_args(reply, NULL, DBUS_TYPE_OBJECT_PATH, &job, DBUS_TYPE_INVALID)) {
		_cleanup_free_ char *j = xstrdup(job);
		r = wait_job(&sc, j, what, &result, err);
		if (r == 0 && strcmp(result, "done"))
			husk_warn("error removing unit `%s`: got `%s`. Continuing...", unit, result);
	}
	dbus_message_unref(reply);
out:
	sd_close(&sc);
	return r;
}
