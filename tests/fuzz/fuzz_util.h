/*
 * fuzz_util.h - what the libFuzzer harnesses of tests/fuzz share: an
 * invariant check that stops the run with a message (libFuzzer then keeps
 * the input), string checks, and one private temporary directory per
 * process for the harnesses that must hand the code a file. Nothing is
 * written outside that directory; it is removed at exit.
 */
#ifndef SW_FUZZ_UTIL_H
#define SW_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant the code promised: abort (a crash to libFuzzer) if broken. */
#define FUZZ_CHECK(cond, ...)                                                          \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__,     \
			        __LINE__, #cond);                                      \
			fprintf(stderr, __VA_ARGS__);                                  \
			fputc('\n', stderr);                                           \
			abort();                                                       \
		}                                                                      \
	} while (0)

/* A char array holds a C string (a NUL within its size). */
#define FUZZ_TERMINATED(arr) (memchr((arr), '\0', sizeof(arr)) != NULL)

/* No byte below 0x20 nor DEL: safe to print on a terminal or in a log. */
static inline bool fuzz_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A copy of data[0..size) with a NUL after it (callers free it). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A copy of data[0..size) in a block of exactly that size (at least 1):
 * ASan reports any read past it. Callers free it. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	return s;
}

static char fuzz_dir[256];

static inline void fuzz_dir_remove(void)
{
	char cmd[300];

	if (!fuzz_dir[0])
		return;
	/* the directory is ours (mkdtemp) and its name has no quote */
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", fuzz_dir);
}

/* The process's temporary directory, made on first use under $TMPDIR. */
static inline const char *fuzz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (fuzz_dir[0])
		return fuzz_dir;
	if (!base || !*base || strchr(base, '\''))
		base = "/tmp";
	snprintf(fuzz_dir, sizeof fuzz_dir, "%s/spanwatch-fuzz.XXXXXX", base);
	if (!mkdtemp(fuzz_dir)) {
		perror(fuzz_dir);
		abort();
	}
	atexit(fuzz_dir_remove);
	return fuzz_dir;
}

/* Write data to dir/name (replacing it); the path goes to path. */
static inline void fuzz_write_file(const char *name, const void *data, size_t size,
                                   char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/%s", fuzz_tmpdir(), name);
	f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

#endif
