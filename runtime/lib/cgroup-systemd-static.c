/* Only in static builds (HUSK_STATIC): Debian's libdbus-1.a refers to two
 * libsystemd functions that dbus-daemon uses for socket activation
 * (_dbus_listen_systemd_sockets, a server-side path husk never takes), and
 * Debian ships no libsystemd.a. These stand in for them with the answers
 * libsystemd gives a process that was passed no sockets. */
#include <errno.h>

int sd_listen_fds(int unset_environment);
int sd_is_socket(int fd, int family, int type, int listening);

int sd_listen_fds(int unset_environment)
{
	(void)unset_environment;
	return 0; /* no sockets were passed */
}

int sd_is_socket(int fd, int family, int type, int listening)
{
	(void)fd;
	(void)family;
	(void)type;
	(void)listening;
	return -ENOTSOCK;
}
