/*
 * test_confine.c - unit tests for sensor/confine.c: the system-call filter
 * kills a process that tries what the sensor never does (execve, a network
 * socket, chmod) and lets through what it does (write, an AF_UNIX socket
 * for syslog); the user is resolved before anything is made; -t DIR is
 * checked (a directory, the database inside it, root) before anything is
 * made, and the database's path from inside DIR is the one resolved.
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
#include <fcntl.h>
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

static void test_path_inside(void **state)
{
	char out[64];

	(void)state;
	assert_true(sw_confine_path_inside("/a", "/a/b", out, sizeof out));
	assert_string_equal(out, "/b");
	assert_true(sw_confine_path_inside("/a/b", "/a/b/c/d.db", out, sizeof out));
	assert_string_equal(out, "/c/d.db");
	assert_true(sw_confine_path_inside("/", "/x.db", out, sizeof out));
	assert_string_equal(out, "/x.db");
	/* a sibling that shares the prefix, DIR itself, outside */
	assert_false(sw_confine_path_inside("/a", "/ab/c", out, sizeof out));
	assert_false(sw_confine_path_inside("/a", "/a", out, sizeof out));
	assert_false(sw_confine_path_inside("/a", "/a/", out, sizeof out));
	assert_false(sw_confine_path_inside("/", "/", out, sizeof out));
	assert_false(sw_confine_path_inside("/a/b", "/a/c", out, sizeof out));
	/* too long for out: refused, not cut */
	assert_false(sw_confine_path_inside("/a", "/a/0123456789", out, 8));
}

/* -t DIR with the database at db: sw_confine_root_check's result, err kept */
static int root_check(const char *dir, const char *db, struct sw_confine_root *r,
		      char *err, size_t errlen)
{
	err[0] = '\0';
	return sw_confine_root_check(dir, db, r, err, errlen);
}

static void test_root_check(void **state)
{
	static struct sw_confine_root r;
	char top[] = "/tmp/spanwatch-confine.XXXXXX";
	char jail[64], file[64], db[256], link[128], expect[512], err[512];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(top));
	snprintf(jail, sizeof jail, "%s/jail", top);
	snprintf(file, sizeof file, "%s/plain", top);
	assert_int_equal(mkdir(jail, 0755), 0);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);

	/* no -t: nothing to do */
	assert_int_equal(root_check(NULL, "x.db", &r, err, sizeof err), 0);
	assert_false(r.on);
	/* DIR missing, or not a directory */
	snprintf(db, sizeof db, "%s/nowhere/x.db", top);
	assert_int_equal(root_check(db, db, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(root_check(file, db, &r, err, sizeof err), -1);
	snprintf(expect, sizeof expect, "-t %s: not a directory", file);
	assert_string_equal(err, expect);
	/* the database outside DIR, or in a directory that does not exist */
	snprintf(db, sizeof db, "%s/x.db", top);
	assert_int_equal(root_check(jail, db, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "the database must be inside -t"));
	snprintf(db, sizeof db, "%s/none/x.db", jail);
	assert_int_equal(root_check(jail, db, &r, err, sizeof err), -1);
	snprintf(expect, sizeof expect, "-w %s: %s/none: No such file or directory", db, jail);
	assert_string_equal(err, expect);
	/* a symbolic link in DIR that leads out of it */
	snprintf(link, sizeof link, "%s/up", jail);
	assert_int_equal(symlink(top, link), 0);
	snprintf(db, sizeof db, "%s/up/plain", jail);
	assert_int_equal(root_check(jail, db, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "the database must be inside -t"));
	/* inside: the path from DIR's root, through ".." and the link */
	snprintf(db, sizeof db, "%s/up/jail/../jail/x.db", jail);
	if (geteuid() == 0) {
		assert_int_equal(root_check(jail, db, &r, err, sizeof err), 0);
		assert_true(r.on);
		assert_string_equal(r.db_path, "/x.db");
		assert_non_null(strstr(r.dir, "/jail"));
		/* DIR given through the link too */
		assert_int_equal(root_check(link, db, &r, err, sizeof err), 0);
		assert_string_equal(r.db_path, "/jail/x.db");
	} else {
		assert_int_equal(root_check(jail, db, &r, err, sizeof err), -1);
		snprintf(expect, sizeof expect, "-t %s: chroot needs root (CAP_SYS_CHROOT)", jail);
		assert_string_equal(err, expect);
	}
	/* nothing was made by the checks */
	snprintf(db, sizeof db, "%s/x.db", jail);
	assert_int_equal(access(db, F_OK), -1);

	unlink(link);
	unlink(file);
	rmdir(jail);
	rmdir(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed_calls_pass),
		cmocka_unit_test(test_execve_kills),
		cmocka_unit_test(test_network_socket_kills),
		cmocka_unit_test(test_chmod_kills),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_path_inside),
		cmocka_unit_test(test_root_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
