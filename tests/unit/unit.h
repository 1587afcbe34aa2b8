/* SPDX-License-Identifier: ISC */
/*
 * What every unit suite shares: running a Check suite and turning its
 * result into the exit status CTest reads.
 */
#ifndef RBLMON_TESTS_UNIT_H
#define RBLMON_TESTS_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <check.h>

#include "config.h"

/* Run s (and free it); EXIT_SUCCESS when every test passed. */
static inline int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * A configuration loaded from text (written to a temporary file, since
 * the loader reads files): head, then body. Aborts the test on error.
 */
static inline struct config *
unit_config(const char *head, const char *body)
{
	char path[] = "/tmp/rblmon-unit-XXXXXX", err[512];
	struct config *c = NULL;
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(head, f);
	fputs(body, f);
	fclose(f);
	if (config_load(path, &c, err, sizeof(err)) != 0) {
		unlink(path);
		ck_abort_msg("config: %s", err);
	}
	unlink(path);
	return c;
}

#endif
