/* SPDX-License-Identifier: ISC */
/*
 * What every unit suite shares: running a Check suite and turning its
 * result into the exit status CTest reads.
 */
#ifndef RBLMON_TESTS_UNIT_H
#define RBLMON_TESTS_UNIT_H

#include <stdlib.h>

#include <check.h>

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

#endif
