/*
 * fuzz_config.c - libFuzzer harness for the configuration loader
 * (lib/conf.c) through the key tables of the sensor, the analyzer and the
 * reporter: the input is written as a file in the harness's temporary
 * directory and loaded.
 *
 * Input: one byte choosing the program whose keys apply, then the file.
 *
 * Invariants: an error is one terminated line; settings the sensor
 * accepted and wrote back out (sw_config_write) load again to the same
 * text (the written file is the documented round trip).
 */
#include "fuzz_util.h"

#include "analyzer/settings.h"
#include "lib/conf.h"
#include "reporter/settings.h"
#include "sensor/settings.h"

static char *written(const struct sw_settings *s, size_t *len)
{
	const struct sw_cfg_key *keys;
	char *text = NULL;
	size_t n;
	FILE *f = open_memstream(&text, len);

	FUZZ_CHECK(f != NULL, "open_memstream");
	keys = sw_settings_keys(&n);
	FUZZ_CHECK(sw_config_write(f, keys, n, s) == 0, "sw_config_write failed");
	FUZZ_CHECK(fclose(f) == 0, "fclose");
	return text;
}

static void check_err(int rc, const char *err, size_t errlen)
{
	if (rc == 0)
		return;
	FUZZ_CHECK(rc == -1, "returned %d", rc);
	FUZZ_CHECK(memchr(err, '\0', errlen) != NULL, "error not terminated");
	FUZZ_CHECK(err[0] != '\0', "an error without a reason");
	FUZZ_CHECK(strchr(err, '\n') == NULL, "error of more than one line: %s", err);
}

/* The sensor's keys, and the round trip through sw_config_write. */
static void sensor(const char *path)
{
	static struct sw_settings s, again;
	char err[512], path2[300];
	char *t1, *t2;
	size_t n1, n2;
	int rc;

	sw_settings_defaults(&s);
	rc = sw_settings_load(&s, path, err, sizeof err);
	check_err(rc, err, sizeof err);
	if (rc != 0)
		return;
	t1 = written(&s, &n1);
	fuzz_write_file("written.conf", t1, n1, path2, sizeof path2);
	sw_settings_defaults(&again);
	rc = sw_settings_load(&again, path2, err, sizeof err);
	FUZZ_CHECK(rc == 0, "the written settings do not load: %s", err);
	t2 = written(&again, &n2);
	FUZZ_CHECK(n1 == n2 && memcmp(t1, t2, n1) == 0, "the written settings changed:\n%s\n--\n%s",
	           t1, t2);
	free(t1);
	free(t2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_analyzer_conf ac;
	static struct sw_reporter_conf rc;
	char path[300], err[512];

	if (size < 1)
		return 0;
	fuzz_write_file("spanwatch.conf", data + 1, size - 1, path, sizeof path);
	switch (data[0] % 3) {
	case 0:
		sensor(path);
		break;
	case 1:
		sw_analyzer_conf_defaults(&ac);
		check_err(sw_analyzer_conf_load(&ac, path, err, sizeof err), err, sizeof err);
		break;
	default:
		sw_reporter_conf_defaults(&rc);
		check_err(sw_reporter_conf_load(&rc, path, err, sizeof err), err, sizeof err);
		break;
	}
	return 0;
}
