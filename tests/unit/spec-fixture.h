/* Unit-test fixture shared by the cgroup tests: a parsed spec whose "linux"
 * object is the given JSON text (ociVersion 1.2.0, root "rootfs"). A parse
 * error fails the test with the parser's message. Include after <cmocka.h>
 * and husk/husk.h; the caller frees the spec. */
#ifndef HUSK_TESTS_SPEC_FIXTURE_H
#define HUSK_TESTS_SPEC_FIXTURE_H

static struct husk_spec *spec_with(const char *linux_json)
{
	char *doc = NULL;
	struct husk_spec *s = NULL;
	struct husk_error err = {0};

	if (asprintf(&doc, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":%s}", linux_json) < 0)
		abort();
	if (husk_spec_parse(doc, strlen(doc), "config.json", &s, &err) < 0)
		fail_msg("parse: %s", err.msg);
	free(doc);
	return s;
}

#endif
