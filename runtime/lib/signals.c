/* Signal names as runc accepts them: "KILL", "SIGKILL", "kill", "9". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "husk/husk.h"
#include "util.h"

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{"HUP", SIGHUP},     {"INT", SIGINT},	    {"QUIT", SIGQUIT},	   {"ILL", SIGILL},
	{"TRAP", SIGTRAP},   {"ABRT", SIGABRT},	    {"IOT", SIGIOT},	   {"BUS", SIGBUS},
	{"FPE", SIGFPE},     {"KILL", SIGKILL},	    {"USR1", SIGUSR1},	   {"SEGV", SIGSEGV},
	{"USR2", SIGUSR2},   {"PIPE", SIGPIPE},	    {"ALRM", SIGALRM},	   {"TERM", SIGTERM},
	{"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},	   {"CONT", SIGCONT},
	{"STOP", SIGSTOP},   {"TSTP", SIGTSTP},	    {"TTIN", SIGTTIN},	   {"TTOU", SIGTTOU},
	{"URG", SIGURG},     {"XCPU", SIGXCPU},	    {"XFSZ", SIGXFSZ},	   {"VTALRM", SIGVTALRM},
	{"PROF", SIGPROF},   {"WINCH", SIGWINCH},   {"IO", SIGIO},	   {"POLL", SIGPOLL},
	{"PWR", SIGPWR},     {"SYS", SIGSYS},
};

int husk_parse_signal(const char *s)
{
	long long n;

	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)s[0]))
		return parse_int(s, 1, SIGRTMAX, &n) < 0 ? -EINVAL : (int)n;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (!strcasecmp(signals[i].name, s))
			return signals[i].sig;
	if (!strncasecmp(s, "RTMIN", 5)) {
		if (!s[5])
			return SIGRTMIN;
		if (s[5] == '+' && parse_int(s + 6, 0, SIGRTMAX - SIGRTMIN, &n) == 0)
			return SIGRTMIN + (int)n;
	}
	if (!strncasecmp(s, "RTMAX", 5)) {
		if (!s[5])
			return SIGRTMAX;
		if (s[5] == '-' && parse_int(s + 6, 0, SIGRTMAX - SIGRTMIN, &n) == 0)
			return SIGRTMAX - (int)n;
	}
	return -EINVAL;
}

const char *husk_signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}

int husk_exit_status(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return 255;
}
