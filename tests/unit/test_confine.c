/*
 * test_confine.c - unit tests for sensor/confine.c: the system-call filter
 * kills a process that tries what the sensor never does (execve, a network
 * socket, chmod) and lets through what it does (write, an AF_UNIX socket
 * for syslog); the user is resolved before anything is made.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "confine.h"

enum attempt { DO_WRITE, DO_UNIX_SOCKET, DO_EXECVE, DO_INET_SOCKET, DO_CHMOD };

/* Run one attempt in a filtered child; its wait status. */
static int filtered_child(enum attempt what)
{
	char err[256];
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (sw_confine_filter(err, sizeof err) < 0)
			_exit(99);
		switch (what) {
		case DO_WRITE:
			_exit(write(STDERR_FILENO, "", 0) == 0 ? 0 : 98);
		case DO_UNIX_SOCKET:
			_exit(socket(AF_UNIX, SOCK_DGRAM, 0) >= 0 ? 0 : 98);
		case DO_EXECVE: {
			char *argv[] = { "/bin/true", NULL };
			char *envp[] = { NULL };
			execve("/bin/true", argv, envp);
			_exit(97);
		}
		case DO_INET_SOCKET:
			_exit(socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 96 : 95);
		case DO_CHMOD:
			_exit(chmod("/nonexistent-spanwatch", 0777) == 0 ? 94 : 93);
		}
		_exit(90);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void assert_killed(int status)
{
	if (!WIFSIGNALED(status))
		fail_msg("not killed: exited %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

static void test_allowed_calls_pass(void **state)
{
	(void)state;
	int st = filtered_child(DO_WRITE);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	st = filtered_child(DO_UNIX_SOCKET);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_execve_kills(void **state)
{
	(void)state;
	assert_killed(filtered_child(DO_EXECVE));
}

static void test_network_socket_kills(void **state)
{
	(void)state;
	assert_killed(filtered_child(DO_INET_SOCKET));
}

static void test_chmod_kills(void **state)
{
	(void)state;
	assert_killed(filtered_child(DO_CHMOD));
}

static void test_resolve(void **state)
{
	struct sw_confine_user u;
	char err[256];

	(void)state;
	/* not root: nothing to drop, whatever the name */
	assert_int_equal(sw_confine_resolve("no_such_user_spanwatch", 1000, &u, err, sizeof err), 0);
	assert_false(u.drop);
	/* root keeping root */
	assert_int_equal(sw_confine_resolve("root", 0, &u, err, sizeof err), 0);
	assert_false(u.drop);
	/* root, a named user that does not exist: refused, with its name */
	assert_int_equal(sw_confine_resolve("no_such_user_spanwatch", 0, &u, err, sizeof err), -1);
	assert_non_null(strstr(err, "no_such_user_spanwatch: no such user"));
	/* root, a user that exists */
	assert_int_equal(sw_confine_resolve("nobody", 0, &u, err, sizeof err), 0);
	assert_true(u.drop);
	assert_string_equal(u.name, "nobody");
	assert_true(u.uid != 0);
	/* the default resolves to _spanwatch, or to nobody when it is missing */
	assert_int_equal(sw_confine_resolve(NULL, 0, &u, err, sizeof err), 0);
	assert_true(u.drop);
	assert_true(strcmp(u.name, SW_CONFINE_DEFAULT_USER) == 0 || strcmp(u.name, "nobody") == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed_calls_pass),
		cmocka_unit_test(test_execve_kills),
		cmocka_unit_test(test_network_socket_kills),
		cmocka_unit_test(test_chmod_kills),
		cmocka_unit_test(test_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
