/*
 * sendmail.c - handing a rendered message to the mail command (see
 * sendmail.h): a pipe to /bin/sh -c COMMAND, the whole message written
 * with SIGPIPE ignored, and the command's exit status as the verdict.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sendmail.h"
#include "util.h"

/* The whole message to fd; false on a write error (EPIPE included: the
 * caller ignores SIGPIPE around this). */
static bool write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += w;
		len -= (size_t)w;
	}
	return true;
}

int sw_mail_send(const char *command, const char *msg, size_t len,
		 char *err, size_t errlen)
{
	struct sigaction ign, old;
	char shown[256];
	int fds[2], status, write_errno = 0;
	bool wrote;
	pid_t pid, w;

	sw_sanitize(shown, sizeof(shown), command ? command : "", (size_t)-1);
	if (!command || !*command) {
		sw_fmt(err, errlen, "no mail command");
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		sw_fmt(err, errlen, "%s: pipe: %s", shown, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		sw_fmt(err, errlen, "%s: fork: %s", shown, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(fds[0], STDIN_FILENO) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	/* a command that stops reading must be an error, not our death */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	wrote = write_all(fds[1], msg, len);
	if (!wrote)
		write_errno = errno;
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);

	do {
		w = waitpid(pid, &status, 0);
	} while (w < 0 && errno == EINTR);
	if (w < 0) {
		sw_fmt(err, errlen, "%s: wait: %s", shown, strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		sw_fmt(err, errlen, "%s: killed by signal %d", shown, WTERMSIG(status));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		sw_fmt(err, errlen, "%s: exited %d", shown,
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	if (!wrote) {
		sw_fmt(err, errlen, "%s: did not read the whole message: %s", shown,
		       strerror(write_errno));
		return -1;
	}
	return 0;
}
