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

/* runc 1.1 takes a name through golang.org/x/sys/unix.SignalNum: the one name
 * per number 1-31 of its Linux table (no IOT, CLD, POLL, RTMIN+n, RTMAX-n). */
static const struct {
	const char *name;
	int sig;
} signals[] = {
	{"HUP", SIGHUP},       {"INT", SIGINT},	    {"QUIT", SIGQUIT},	   {"ILL", SIGILL},
	{"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"BUS", SIGBUS},	   {"FPE", SIGFPE},
	{"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},	   {"USR2", SIGUSR2},
	{"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},	   {"STKFLT", SIGSTKFLT},
	{"CHLD", SIGCHLD},     {"CONT", SIGCONT},   {"STOP", SIGSTOP},	   {"TSTP", SIGTSTP},
	{"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},   {"URG", SIGURG},	   {"XCPU", SIGXCPU},
	{"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},   {"WINCH", SIGWINCH},
	{"IO", SIGIO},	       {"PWR", SIGPWR},	    {"SYS", SIGSYS},
};

/* A signal name ("KILL", "SIGKILL", "kill", "SigKill": any case, optional SIG
 * prefix) from runc's table, or a number 1..SIGRTMAX; the signal or -EINVAL.
 * (`husk kill` passes any other number straight to kill(2), as runc.) */
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
