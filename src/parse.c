/* SPDX-License-Identifier: ISC */
/*
 * Typed, range-checked parsers for configuration values. Pure: they say
 * what was wrong through their return value; the caller words the message.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

int
parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
parse_duration_ms(const char *s, uint64_t min_ms, uint64_t max_ms,
    uint64_t *ret_ms)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	char *end;
	unsigned long long v;
	int overflow;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	overflow = errno == ERANGE;
	/* A malformed value is reported as such, however large its number. */
	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (overflow || v > UINT64_MAX / units[i].ms)
			return -ERANGE;
		v *= units[i].ms;
		if (v < min_ms || v > max_ms)
			return -ERANGE;
		*ret_ms = v;
		return 0;
	}
	return -EINVAL;
}

int
parse_rate(const char *s, double max, double *ret)
{
	char *end;
	double v;

	/* Plain decimals only: strtod would also take "1e3" and "0x10". */
	if (s[0] == '\0' || strspn(s, "0123456789.") != strlen(s) ||
	    strchr(s, '.') != strrchr(s, '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || end == s || !isfinite(v))
		return -EINVAL;
	if (errno == ERANGE || v < 0 || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}
