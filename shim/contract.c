/* The shim v2 binary contract (containerd 1.6's runtime/v2):
 *   start:  make the socket, leave a detached shim serving it, write the
 *           bundle's `address` file, print the address, exit 0. containerd
 *           reads stdout+stderr (one pipe) to EOF as the address, so the
 *           shim left behind holds neither.
 *   delete: after a shim died (or after every Shutdown): remove what is
 *           left of the container and print a DeleteResponse. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "containerd/runc/options/oci.pb-c.h"
#include "containerd/task/v2/shim.pb-c.h"
#include "event-envelope.h"
#include "contract.h"
#include "google/protobuf/any.pb-c.h"
#include "husk/husk.h"
#include "sha256.h"
#include "shim.h"
#include "util.h" /* libhusk's file helpers */

#define DEFAULT_SOCKET_DIR "/run/containerd/s"
#define STATE_PREFIX "/run/containerd/husk"

char *shim_default_root(const char *ns)
{
	const char *base = getenv("HUSK_SHIM_ROOT");
	return xasprintf("%s/%s", base && *base ? base : STATE_PREFIX, ns && *ns ? ns : "default");
}

/* as containerd derives it: a hash of "<address>/<namespace>/<id>" keeps the
 * path under the 108-byte sun_path whatever the ids are */
char *shim_socket_path(const char *address, const char *ns, const char *id)
{
	const char *dir = getenv("HUSK_SHIM_SOCKET_DIR");
	char *key = xasprintf("%s/%s/%s", address ? address : "", ns, id), hex[65];

	sha256_hex(key, strlen(key), hex);
	free(key);
	return xasprintf("%s/%s", dir && *dir ? dir : DEFAULT_SOCKET_DIR, hex);
}

/* The socket's directory: one we make is exactly 0700 (whatever the umask);
 * its parents as containerd makes /run/containerd (0711). One that exists is
 * left as it is: it is shared with every other shim of the machine, and
 * containerd-shim-runc-v2 makes it 0600; the socket itself is 0600 and
 * SO_PEERCRED-checked either way (docs/shim.md, tested in t-shimctl). */
static int make_socket_dir(const char *dir)
{
	_cleanup_free_ char *parent = xstrdup(dir);
	char *slash = strrchr(parent, '/');
	int r = 0;

	if (slash && slash != parent) {
		*slash = '\0';
		r = mkdir_p(parent, 0711);
	}
	if (r < 0)
		return r;
	if (mkdir(dir, 0700) == 0)
		return chmod(dir, 0700) < 0 ? -errno : 0;
	return errno == EEXIST ? 0 : -errno;
}

/* Runtime options on start's stdin (a protobuf Any); we honour `root`. */
static void read_options(struct shim_opts *o, char **root_out)
{
	struct stat st;
	uint8_t buf[65536];
	size_t len = 0;
	ssize_t n;
	Google__Protobuf__Any *any;

	if (fstat(0, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode)))
		return;
	while (len < sizeof(buf) && (n = read(0, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	if (!len || !(any = google__protobuf__any__unpack(NULL, len, buf)))
		return;
	if (any->type_url && strstr(any->type_url, "containerd.runc.v1.Options")) {
		Containerd__Runc__V1__Options *opt =
			containerd__runc__v1__options__unpack(NULL, any->value.len, any->value.data);
		if (opt && opt->root && *opt->root) {
			*root_out = xstrdup(opt->root);
			o->root = *root_out;
		}
		if (opt)
			containerd__runc__v1__options__free_unpacked(opt, NULL);
	}
	google__protobuf__any__free_unpacked(any, NULL);
}

static bool can_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;
	mode_t old;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old = umask(0177); /* born 0600 */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		int r = -errno;
		umask(old);
		close(fd);
		return r;
	}
	umask(old);
	return fd;
}

/* the shim's stderr: the bundle's `log` fifo that containerd reads, or a
 * file in the bundle when nobody made the fifo (no containerd) */
static int open_log(const char *bundle)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/log", bundle);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) /* stays non-blocking: a reader that stops reading must not
		      * stall the loop; a line the fifo has no room for is dropped */
		return fd;
	snprintf(path, sizeof(path), "%s/shim.log", bundle);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

/* the serving shim: its own session, 0 and 1 on /dev/null, 2 on the log,
 * the listener on fd 3; husk-shim re-executed to serve it */
static void __attribute__((noreturn)) exec_serving(const struct shim_opts *o, const char *bundle, const char *path,
						   int fd, const char *address, const char *publish_binary)
{
	const char *argv[20];
	int n = 0, devnull = open("/dev/null", O_RDWR | O_CLOEXEC), log = open_log(bundle);

	setsid(); /* detached: containerd's session and terminal are not ours */
	/* the listener goes to fd 3 without close-on-exec (dup2 onto itself
	 * would keep the flag) */
	if (devnull < 0 || log < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(log, 2) < 0 ||
	    (fd == 3 ? fcntl(3, F_SETFD, 0) : dup2(fd, 3)) < 0)
		_exit(1);
	/* the name containerd ran us by, so `pgrep containerd-shim-husk-v2` finds us */
	argv[n++] = o->prog ? o->prog : "husk-shim";
	argv[n++] = "-namespace";
	argv[n++] = o->ns;
	argv[n++] = "-id";
	argv[n++] = o->id;
	argv[n++] = "-bundle";
	argv[n++] = bundle;
	argv[n++] = "-root";
	argv[n++] = o->root;
	argv[n++] = "-socket";
	argv[n++] = path;
	if (address) {
		argv[n++] = "-address";
		argv[n++] = address;
	}
	if (publish_binary) {
		argv[n++] = "-publish-binary";
		argv[n++] = publish_binary;
	}
	if (o->debug)
		argv[n++] = "-debug";
	argv[n++] = "serve-fd";
	argv[n] = NULL;
	/* from the read-only image: see serve's check in main.c */
	husk_exec_sealed((char **)argv, &(struct husk_error){0});
	execv("/proc/self/exe", (char **)argv);
	_exit(127);
}

/* bundle/address (the address, no newline) and bundle/options.json (the
 * root, for `delete`, which runs without our flags) */
static int write_bundle_files(const char *bundle, const char *addr, const char *root, bool options)
{
	char *f = NULL, *json = NULL;
	json_t *j;
	int r;

	if (asprintf(&f, "%s/address", bundle) < 0)
		return -ENOMEM;
	r = write_file_atomic(f, addr, strlen(addr), 0644);
	free(f);
	if (r < 0 || !options)
		return r;
	j = json_pack("{s:s}", "root", root);
	json = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!json || asprintf(&f, "%s/options.json", bundle) < 0)
		r = -ENOMEM;
	else
		r = write_file_atomic(f, json, strlen(json), 0644);
	free(f);
	free(json);
	return r;
}

int shim_start(struct shim_opts *o, const char *address, const char *publish_binary)
{
	char cwd[PATH_MAX], *path = NULL, *root_opt = NULL, *addr = NULL, *dir = NULL, *slash;
	const char *bundle = o->bundle;
	int fd = -1, r, rc = 1;
	pid_t pid;

	if (!o->ns || !*o->ns || !o->id || !*o->id) {
		fprintf(stderr, "husk-shim: start needs -namespace and -id\n");
		return 1;
	}
	if (!bundle) {
		if (!getcwd(cwd, sizeof(cwd))) {
			fprintf(stderr, "husk-shim: getcwd: %s\n", strerror(errno));
			return 1;
		}
		bundle = cwd;
	}
	if (!o->root)
		read_options(o, &root_opt);
	if (!o->root)
		o->root = root_opt = shim_default_root(o->ns);
	path = shim_socket_path(address, o->ns, o->id);
	addr = xasprintf("unix://%s", path);
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if ((r = make_socket_dir(dir)) < 0) {
		fprintf(stderr, "husk-shim: socket directory %s: %s\n", dir, strerror(-r));
		goto out;
	}
	/* a shim for this id already serves there (containerd retried): reuse it */
	if (can_connect(path)) {
		write_bundle_files(bundle, addr, o->root, false);
		fputs(addr, stdout);
		rc = 0;
		goto out;
	}
	unlink(path);
	fd = listen_on(path);
	if (fd < 0) {
		fprintf(stderr, "husk-shim: listen on %s: %s\n", path, strerror(-fd));
		goto out;
	}
	if ((r = write_bundle_files(bundle, addr, o->root, true)) < 0) {
		fprintf(stderr, "husk-shim: write %s/address: %s\n", bundle, strerror(-r));
		unlink(path);
		goto out;
	}
	pid = fork();
	if (pid == 0)
		exec_serving(o, bundle, path, fd, address, publish_binary);
	if (pid < 0) {
		fprintf(stderr, "husk-shim: fork: %s\n", strerror(errno));
		unlink(path);
		goto out;
	}
	fputs(addr, stdout);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	free(addr);
	free(path);
	free(root_opt);
	return rc;
}

int shim_delete(struct shim_opts *o)
{
	Containerd__Task__V2__DeleteResponse resp = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
	Google__Protobuf__Timestamp ts;
	struct husk_error e = {0};
	char cwd[PATH_MAX], *f, *s, *root = NULL;
	const char *bundle = o->bundle;
	struct timespec now;
	uint8_t *buf;
	size_t len;

	if (!o->id || !*o->id) {
		fprintf(stderr, "husk-shim: delete needs -id\n");
		return 1;
	}
	if (!bundle)
		bundle = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
	if (!o->root && asprintf(&f, "%s/options.json", bundle) >= 0) {
		json_t *j = json_load_file(f, 0, NULL);
		const char *r = json_string_value(json_object_get(j, "root"));
		if (r)
			root = xstrdup(r);
		json_decref(j);
		free(f);
	}
	if (!root && !o->root)
		root = shim_default_root(o->ns);
	if (root)
		o->root = root;
	if (asprintf(&f, "%s/init.pid", bundle) >= 0 && read_file(f, &s, NULL) == 0) {
		resp.pid = (uint32_t)strtoul(s, NULL, 10);
		free(s);
	}
	free(f);
	/* whatever is left: the init (killed), its cgroups, its state */
	if (husk_delete(o->root, o->id, true, &e) < 0 && e.code != -ENOENT)
		fprintf(stderr, "husk-shim: delete %s: %s\n", o->id, e.msg);
	if (asprintf(&f, "%s/rootfs", bundle) >= 0) {
		rootfs_unmount(f);
		free(f);
	}
	if (asprintf(&f, "%s/address", bundle) >= 0 && read_file(f, &s, NULL) == 0) {
		if (!strncmp(s, "unix://", 7))
			unlink(s + 7);
		free(s);
	}
	free(f);
	/* the shim that knew the real status is gone: report a kill, as runc-v2 */
	resp.exit_status = 128 + 9;
	clock_gettime(CLOCK_REALTIME, &now);
	ts = timestamp_of(&now);
	resp.exited_at = &ts;
	len = protobuf_c_message_get_packed_size(&resp.base);
	buf = malloc(len + 1);
	if (!buf)
		return 1;
	protobuf_c_message_pack(&resp.base, buf);
	fwrite(buf, 1, len, stdout);
	free(buf);
	free(root);
	return 0;
}
