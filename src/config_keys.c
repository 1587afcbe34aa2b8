/* SPDX-License-Identifier: ISC */
/*
 * The values of scalar configuration keys: durations, integers, percents,
 * rates, booleans, names, paths, the alert command and URLs, each typed
 * and range-checked against its key's row of the table, and the helpers
 * every part of the loader shares (errors as "file:line: message").
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "incident.h"
#include "loader.h"
#include "metricsout.h"
#include "parse.h"

/* ---- shared helpers ---- */

void
loader_fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->failed)
		return; /* the first error wins */
	l->failed = true;
	n = snprintf(l->err, l->errlen, "%s:%d: ", l->file, l->line);
	if (n < 0 || (size_t)n >= l->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

void
loader_oom(struct loader *l)
{
	loader_fail(l, "out of memory");
}

int
loader_grow(void **array, size_t size, size_t n, size_t *cap)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*array, ncap * size);
	if (p == NULL)
		return -ENOMEM;
	*array = p;
	*cap = ncap;
	return 0;
}

char *
loader_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* ---- numbers ---- */

/* A whole number into a field of 1, 4 or 8 bytes (the table's size). */
static void
loader_store_uint(const struct config_key *k, void *field, uint64_t v)
{
	switch (k->size) {
	case sizeof(uint8_t):
		*(uint8_t *)field = (uint8_t)v;
		break;
	case sizeof(uint32_t):
		*(uint32_t *)field = (uint32_t)v;
		break;
	default:
		assert(k->size == sizeof(uint64_t));
		*(uint64_t *)field = v;
		break;
	}
}

static void
loader_uint(struct loader *l, const struct config_key *k, const char *value,
    void *field)
{
	uint64_t v;
	int rc = parse_uint(value, k->min, k->max, &v);

	if (rc == -EINVAL)
		loader_fail(l, "%s: invalid number \"%s\" (expected a whole "
		    "number from %llu to %llu)", k->name, value,
		    (unsigned long long)k->min, (unsigned long long)k->max);
	else if (rc != 0)
		loader_fail(l, "%s: %s is out of range (%s)", k->name, value,
		    k->range);
	else
		loader_store_uint(k, field, v);
}

/* A duration in min..max ms; LOADER_DURATION_OFF also takes 0. */
static void
loader_duration(struct loader *l, const struct config_key *k,
    const char *value, void *field)
{
	bool off = k->parser == LOADER_DURATION_OFF;
	uint64_t v;
	int rc = parse_duration_ms(value, off ? 0 : k->min, k->max, &v);

	if (rc == 0 && off && v != 0 && v < k->min)
		rc = -ERANGE;
	if (rc == -EINVAL)
		loader_fail(l, "%s: invalid duration \"%s\" (use a number "
		    "with ms, s, m, h or d)", k->name, value);
	else if (rc != 0)
		loader_fail(l, "%s: %s is out of range (%s)", k->name, value,
		    k->range);
	else
		loader_store_uint(k, field, v);
}

/*
 * "10%", "2.5%": a percentage with at most one decimal, in permille, so
 * no rounding is ever involved. -EINVAL or -ERANGE (above max permille).
 */
static int
loader_parse_permille(const char *s, uint64_t max, uint64_t *ret)
{
	size_t whole = strspn(s, "0123456789");
	uint64_t v = 0;
	const char *p = s + whole;

	if (whole == 0)
		return -EINVAL;
	/* Past a million the figure only needs to stay above any max. */
	for (size_t i = 0; i < whole; i++)
		if (v < 1000000)
			v = v * 10 + (uint64_t)(s[i] - '0');
	v *= 10;
	if (p[0] == '.') {
		if (!isdigit((unsigned char)p[1]))
			return -EINVAL;
		v += (uint64_t)(p[1] - '0');
		p += 2;
	}
	if (strcmp(p, "%") != 0)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static void
loader_percent(struct loader *l, const struct config_key *k,
    const char *value, void *field)
{
	uint64_t v;
	int rc = loader_parse_permille(value, k->max, &v);

	if (rc == 0 && v < k->min)
		rc = -ERANGE;
	if (rc == -EINVAL)
		loader_fail(l, "%s: invalid percentage \"%s\" (expected a "
		    "number with at most one decimal and %%, e.g. 10%% or "
		    "2.5%%)", k->name, value);
	else if (rc != 0)
		loader_fail(l, "%s: %s is out of range (%s)", k->name, value,
		    k->range);
	else
		loader_store_uint(k, field, v);
}

/* 0 (no limit), or min..max thousandths of a query a second. */
static void
loader_rate(struct loader *l, const struct config_key *k, const char *value,
    void *field)
{
	double v;
	int rc = parse_rate(value, (double)k->max / 1000.0, &v);

	/* Slower than the floor, a sweep would never end; 0 is no limit. */
	if (rc == 0 && v > 0 && v < (double)k->min / 1000.0)
		rc = -ERANGE;
	if (rc == -EINVAL)
		loader_fail(l, "%s: invalid rate \"%s\" (expected queries a "
		    "second such as 20 or 0.5; 0 means unlimited)", k->name,
		    value);
	else if (rc != 0)
		loader_fail(l, "%s: %s is out of range (%s)", k->name, value,
		    k->range);
	else
		*(double *)field = v;
}

/* ---- names ---- */

static const struct {
	const char *name;
	int facility;
} loader_facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER }, { "mail", LOG_MAIL },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static void
loader_name(struct loader *l, const struct config_key *k, const char *value,
    void *field)
{
	enum zone_type type;
	enum severity sev;
	bool b;

	switch (k->parser) {
	case LOADER_BOOL:
		if (parse_bool(value, &b) != 0)
			loader_fail(l, "%s: expected yes or no, not \"%s\"",
			    k->name, value);
		else
			*(bool *)field = b;
		return;
	case LOADER_ZONE_TYPE:
		if (zone_type_parse(value, &type) != 0)
			loader_fail(l, "%s: expected ip, ip4, ip6 or domain, "
			    "not \"%s\"", k->name, value);
		else
			*(uint8_t *)field = (uint8_t)type;
		return;
	case LOADER_SEVERITY:
		if (severity_parse(value, &sev) != 0)
			loader_fail(l, "%s: expected critical, warning or "
			    "info, not \"%s\"", k->name, value);
		else
			*(uint8_t *)field = (uint8_t)sev;
		return;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof(loader_facilities) /
	    sizeof(*loader_facilities); i++) {
		if (strcmp(value, loader_facilities[i].name) == 0) {
			*(int *)field = loader_facilities[i].facility;
			return;
		}
	}
	loader_fail(l, "%s: expected daemon, user, mail or local0 to local7, "
	    "not \"%s\"", k->name, value);
}

/* ---- paths, commands, URLs ---- */

/*
 * An absolute path, or one relative to the folder of the file that names
 * it (as `include` is): the sample configuration keeps its state beside
 * itself in a source tree, whatever the working directory.
 */
static void
loader_path(struct loader *l, const struct config_key *k, const char *value,
    void *field)
{
	size_t n = strlen(value);
	const char *slash;
	char *path;

	if (n == 0) {
		loader_fail(l, "%s: empty path (expected a file name)", k->name);
		return;
	}
	if (value[n - 1] == '/') {
		loader_fail(l, "%s: \"%s\" names a folder (expected a file "
		    "name)", k->name, value);
		return;
	}
	slash = strrchr(l->file, '/');
	if (value[0] == '/' || slash == NULL) {
		path = value[0] == '/' ? strdup(value) : NULL;
		if (value[0] != '/' && (path = malloc(n + 3)) != NULL)
			snprintf(path, n + 3, "./%s", value);
	} else if ((path = malloc((size_t)(slash - l->file) + n + 2)) != NULL) {
		memcpy(path, l->file, (size_t)(slash - l->file) + 1);
		memcpy(path + (slash - l->file) + 1, value, n + 1);
	}
	if (path == NULL)
		loader_oom(l);
	else
		*(char **)field = path;
}

static void
loader_argv_free(char **argv)
{
	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/*
 * The command runs without a shell: words split on blanks, nothing else.
 * Quotes would not group words as a shell's do, so they are refused
 * rather than passed on as part of a word.
 */
static void
loader_command(struct loader *l, const struct config_key *k,
    const char *value, void *field)
{
	size_t n = 0, len;
	char **argv;

	if (value[0] == '\0') {
		loader_fail(l, "%s: empty command (expected an absolute path, "
		    "then arguments)", k->name);
		return;
	}
	if (strpbrk(value, "\"'") != NULL) {
		loader_fail(l, "%s: quotes are not supported (the command runs "
		    "without a shell, its words split on blanks; put a command "
		    "that needs quoting in a script)", k->name);
		return;
	}
	if (value[0] != '/') {
		len = strcspn(value, " \t");
		loader_fail(l, "%s: \"%.*s\" is not an absolute path (the "
		    "command runs without a shell or a PATH search)", k->name,
		    (int)len, value);
		return;
	}
	/* Room for every word, and the final NULL. */
	if ((argv = calloc(strlen(value) / 2 + 2, sizeof(*argv))) == NULL) {
		loader_oom(l);
		return;
	}
	for (const char *s = value; *s != '\0'; s += len) {
		s += strspn(s, " \t");
		if ((len = strcspn(s, " \t")) == 0)
			break;
		if ((argv[n++] = strndup(s, len)) == NULL) {
			loader_argv_free(argv);
			loader_oom(l);
			return;
		}
	}
	*(char ***)field = argv;
}

/* Only "{target}" may stand between braces. */
static bool
loader_url_placeholders_ok(const char *url)
{
	for (const char *s = url; *s != '\0'; s++) {
		if (*s == '}')
			return false;
		if (*s != '{')
			continue;
		if (strncmp(s, "{target}", 8) != 0)
			return false;
		s += 7;
	}
	return true;
}

/*
 * The URL reaches syslog lines, JSON and a hook's environment: printable
 * ASCII without blanks, quotes or backslashes, http or https only.
 */
static void
loader_url(struct loader *l, const struct config_key *k, const char *value,
    void *field)
{
	size_t n = strlen(value), scheme;

	if (strncasecmp(value, "https://", 8) == 0)
		scheme = 8;
	else if (strncasecmp(value, "http://", 7) == 0)
		scheme = 7;
	else
		scheme = 0;
	if (n > CONFIG_URL_MAX) {
		loader_fail(l, "%s: longer than %d characters", k->name,
		    CONFIG_URL_MAX);
		return;
	}
	if (scheme == 0 || strchr("/?#{", value[scheme]) != NULL) {
		loader_fail(l, "%s: \"%s\" is not an http:// or https:// URL "
		    "with a host", k->name, value);
		return;
	}
	for (const char *s = value; *s != '\0'; s++) {
		if (*s <= ' ' || *s > '~' || *s == '"' || *s == '\\') {
			loader_fail(l, "%s: \"%s\" may hold printable "
			    "characters only, no blanks, quotes or "
			    "backslashes", k->name, value);
			return;
		}
	}
	if (!loader_url_placeholders_ok(value)) {
		loader_fail(l, "%s: unknown placeholder in \"%s\" (only "
		    "{target} is filled in)", k->name, value);
		return;
	}
	if ((*(char **)field = strdup(value)) == NULL)
		loader_oom(l);
}

/* socket_mode: octal permission bits, "0660" or "660". */
static void
loader_mode(struct loader *l, const struct config_key *k, const char *value,
    void *field)
{
	unsigned long v = 0;
	size_t n = strlen(value);

	if (n == 0 || n > 4 || strspn(value, "01234567") != n) {
		loader_fail(l, "%s: \"%s\" is not an octal mode such as 0660",
		    k->name, value);
		return;
	}
	v = strtoul(value, NULL, 8);
	if (v > 0777) {
		loader_fail(l, "%s: %s has bits beyond 0777", k->name, value);
		return;
	}
	*(uint32_t *)field = (uint32_t)v;
}

/* socket_group: a group name or number (looked up when the socket is
 * made, so a config can be checked on another host). */
static void
loader_group(struct loader *l, const struct config_key *k, const char *value,
    void *field)
{
	size_t n = strlen(value);

	if (n == 0 || n > 32 || strspn(value, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n ||
	    value[0] == '-') {
		loader_fail(l, "%s: \"%s\" is not a group name or number",
		    k->name, value);
		return;
	}
	free(*(char **)field);
	if ((*(char **)field = strdup(value)) == NULL)
		loader_oom(l);
}

/* metrics_listen: "IPv4:PORT" or "[IPv6]:PORT", numeric only. */
static void
loader_listen(struct loader *l, const struct config_key *k, const char *value,
    void *field)
{
	char host[METRICSOUT_HOST_MAX], err[256];
	uint16_t port;

	if (metricsout_listen_parse(value, host, sizeof(host), &port, err,
	    sizeof(err)) != 0) {
		loader_fail(l, "%s: %s", k->name, err);
		return;
	}
	free(*(char **)field);
	if ((*(char **)field = strdup(value)) == NULL)
		loader_oom(l);
}

void
loader_value(struct loader *l, const struct config_key *k, const char *value,
    void *field)
{
	switch (k->parser) {
	case LOADER_DURATION:
	case LOADER_DURATION_OFF:
		loader_duration(l, k, value, field);
		break;
	case LOADER_UINT:
		loader_uint(l, k, value, field);
		break;
	case LOADER_PERCENT:
		loader_percent(l, k, value, field);
		break;
	case LOADER_RATE:
		loader_rate(l, k, value, field);
		break;
	case LOADER_BOOL:
	case LOADER_ZONE_TYPE:
	case LOADER_SEVERITY:
	case LOADER_FACILITY:
		loader_name(l, k, value, field);
		break;
	case LOADER_PATH:
		loader_path(l, k, value, field);
		if (strcmp(k->name, "socket") == 0 && !l->failed &&
		    strlen(*(char **)field) > CONFIG_SOCKET_MAX)
			loader_fail(l, "socket: \"%s\" is longer than %d "
			    "bytes (a Unix socket's limit)", *(char **)field,
			    CONFIG_SOCKET_MAX);
		break;
	case LOADER_MODE:
		loader_mode(l, k, value, field);
		break;
	case LOADER_GROUP:
		loader_group(l, k, value, field);
		break;
	case LOADER_LISTEN:
		loader_listen(l, k, value, field);
		break;
	case LOADER_COMMAND:
		loader_command(l, k, value, field);
		break;
	case LOADER_URL:
		loader_url(l, k, value, field);
		break;
	default:
		assert(!"not a scalar key");
		break;
	}
}
