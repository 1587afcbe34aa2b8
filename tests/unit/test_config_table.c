/* SPDX-License-Identifier: ISC */
/*
 * The configuration key table: its rows are whole, each default written
 * out reads (with the key's own parser) as the compiled-in value, and
 * the man page, the sample and the catalogue name every key of it and no
 * other. The man page also renders without a warning.
 */
#include "config_test.h"

/* ---- the table ---- */

START_TEST(test_table_shape)
{
	size_t n, limit;
	const struct config_key *keys = config_keys(&n);

	ck_assert_msg(n >= 30, "%zu keys", n);
	for (size_t i = 0; i < n; i++) {
		const struct config_key *k = &keys[i];

		ck_assert_msg(k->name && k->type && k->range && k->unit &&
		    k->help && k->help[0] != '\0', "key %zu: texts", i);
		ck_assert_msg(k->section >= CONFIG_SECTION_RBLMOND &&
		    k->section <= CONFIG_SECTION_ZONE, "%s: section", k->name);
		ck_assert_msg(k->def == NULL || k->def[0] != '\0',
		    "%s: an empty default", k->name);
		ck_assert_msg(!k->repeatable || k->def == NULL,
		    "%s: a list with a default", k->name);
		ck_assert_msg(i == 0 || keys[i - 1].section <= k->section,
		    "%s: out of section order", k->name);
		limit = k->store == CONFIG_STORE_CONFIG ? sizeof(struct config)
		    : k->store == CONFIG_STORE_ZONE ? sizeof(struct zone) : 0;
		ck_assert_msg(k->offset + k->size <= limit ||
		    k->store == CONFIG_STORE_NONE, "%s: field", k->name);
		ck_assert_msg(k->min <= k->max, "%s: range", k->name);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(keys[j].section != k->section ||
			    strcmp(keys[j].name, k->name) != 0,
			    "%s: twice in [%s]", k->name,
			    config_section_name(k->section));
	}
}
END_TEST

/* The key's own section with key = value, and one target and one zone. */
static void
key_file(const struct config_key *k, const char *value, char *buf,
    size_t len)
{
	if (k->section == CONFIG_SECTION_ZONE)
		snprintf(buf, len, TARGET ZONE "%s = %s\n", k->name, value);
	else
		snprintf(buf, len, "[%s]\n%s = %s\n" TARGET ZONE,
		    config_section_name(k->section), k->name, value);
}

static const void *
key_field(const struct config_key *k, const struct config *c)
{
	if (k->store == CONFIG_STORE_ZONE)
		return (const char *)&c->zones[0] + k->offset;
	return (const char *)c + k->offset;
}

/*
 * Written out, each default reads (with the key's own parser) as the
 * value the loader starts from when the key is absent.
 */
START_TEST(test_table_defaults)
{
	size_t n, tested = 0;
	const struct config_key *keys = config_keys(&n);
	struct config *absent = unit_config(TARGET ZONE, "");
	char text[512];

	for (size_t i = 0; i < n; i++) {
		const struct config_key *k = &keys[i];
		struct config *c;

		if (k->def == NULL)
			continue;
		ck_assert_msg(k->store != CONFIG_STORE_NONE, "%s", k->name);
		key_file(k, k->def, text, sizeof(text));
		c = unit_config(text, "");
		ck_assert_msg(memcmp(key_field(k, c), key_field(k, absent),
		    k->size) == 0, "%s = %s is not the compiled-in default",
		    k->name, k->def);
		config_free(c);
		tested++;
	}
	ck_assert_msg(tested >= 19, "only %zu defaults", tested);
	config_free(absent);
}
END_TEST

/* ---- drift: the man page and the sample name every key ---- */

#define MAX_NAMES 1024

struct names {
	char name[MAX_NAMES][40];
	uint8_t section[MAX_NAMES];
	size_t n;
};

static void
names_add(struct names *ns, enum config_section sec, const char *name,
    size_t len)
{
	ck_assert_msg(ns->n < MAX_NAMES && len < sizeof(ns->name[0]),
	    "too many names");
	memcpy(ns->name[ns->n], name, len);
	ns->name[ns->n][len] = '\0';
	ns->section[ns->n++] = (uint8_t)sec;
}

static bool
names_have(const struct names *ns, enum config_section sec, const char *name)
{
	for (size_t i = 0; i < ns->n; i++)
		if (ns->section[i] == sec && strcmp(ns->name[i], name) == 0)
			return true;
	return false;
}

static FILE *
open_source(const char *rel)
{
	char path[1024];
	FILE *f;

	source_path(rel, path, sizeof(path));
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	return f;
}

/* [rblmond], [targets ...], [zone ...] -> the section; anything else NONE. */
static enum config_section
section_of(const char *header)
{
	static const enum config_section all[] = { CONFIG_SECTION_RBLMOND,
		CONFIG_SECTION_TARGETS, CONFIG_SECTION_ZONE };

	for (size_t i = 0; i < 3; i++) {
		const char *name = config_section_name(all[i]);
		size_t len = strlen(name);

		if (strncmp(header, name, len) == 0 &&
		    strchr(" ]", header[len]) != NULL)
			return all[i];
	}
	return CONFIG_SECTION_NONE;
}

/*
 * The keys of the man page: ".TP" then ".B NAME" under a ".SH" naming
 * "[rblmond]", "[targets" or "[zone". The text of each entry (its
 * first 511 characters, lines joined) is kept to check what it says.
 */
static void
man_keys(struct names *ns, char text[][512])
{
	enum config_section sec = CONFIG_SECTION_NONE;
	char line[1024], prev[1024] = "";
	const char *open;
	FILE *f = open_source("man/rblmond.conf.5");
	size_t len;

	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, ".SH", 3) == 0)
			sec = (open = strchr(line, '[')) != NULL ?
			    section_of(open + 1) : CONFIG_SECTION_NONE;
		else if (sec != CONFIG_SECTION_NONE &&
		    strcmp(prev, ".TP") == 0 && strncmp(line, ".B ", 3) == 0) {
			len = strspn(line + 3, "abcdefghijklmnopqrstuvwxyz_");
			ck_assert_msg(line[3 + len] == '\0', "man: %s", line);
			names_add(ns, sec, line + 3, len);
			text[ns->n - 1][0] = '\0';
		} else if (ns->n > 0 && line[0] != '.') {
			len = strlen(text[ns->n - 1]);
			snprintf(text[ns->n - 1] + len, 512 - len, "%s ",
			    line);
		}
		snprintf(prev, sizeof(prev), "%s", line);
	}
	fclose(f);
}

START_TEST(test_drift_man)
{
	static char text[MAX_NAMES][512];
	static struct names man;
	size_t n;
	const struct config_key *keys = config_keys(&n);
	char want[512];

	man_keys(&man, text);
	for (size_t i = 0; i < n; i++) {
		const struct config_key *k = &keys[i];
		size_t at;

		ck_assert_msg(names_have(&man, k->section, k->name),
		    "man page lacks [%s] %s", config_section_name(k->section),
		    k->name);
		for (at = 0; man.section[at] != k->section ||
		    strcmp(man.name[at], k->name) != 0; at++)
			;
		snprintf(want, sizeof(want), "Type: %s. Default: %s. %s%s%s"
		    "%s%s%s%s", k->type, k->def ? k->def : "none",
		    k->range[0] ? "Range: " : "", k->range,
		    k->range[0] ? ". " : "", k->unit[0] ? "Unit: " : "",
		    k->unit, k->unit[0] ? ". " : "", k->repeatable ?
		    "Repeatable." : "Given once.");
		ck_assert_msg(strstr(text[at], want) != NULL,
		    "man page on [%s] %s:\n has  \"%s\"\n want \"%s\"",
		    config_section_name(k->section), k->name, text[at], want);
	}
	for (size_t i = 0; i < man.n; i++) {
		bool found = false;

		for (size_t j = 0; j < n && !found; j++)
			found = keys[j].section == man.section[i] &&
			    strcmp(keys[j].name, man.name[i]) == 0;
		ck_assert_msg(found, "man page names [%s] %s, the table does "
		    "not", config_section_name(man.section[i]), man.name[i]);
	}
}
END_TEST

/*
 * The keys a sample file names, by section: "key = value" lines and
 * commented ones ("; key = value", ";key = value"), under "[section]"
 * headers, commented or not. A key-like line before any header counts
 * for every section.
 */
static void
conf_keys(const char *rel, struct names *ns, struct names *values)
{
	enum config_section sec = CONFIG_SECTION_NONE;
	char line[1024], pair[sizeof(values->name[0])];
	FILE *f = open_source(rel);
	size_t len;

	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line + strspn(line, ";#");

		s += strspn(s, " \t");
		s[strcspn(s, "\r\n")] = '\0';
		if (s[0] == ';' || s[0] == '#')
			continue; /* the rest of a comment after a value */
		if (s[0] == '[') {
			sec = section_of(s + 1);
			continue;
		}
		len = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
		if (len == 0 || s[len + strspn(s + len, " \t")] != '=')
			continue;
		names_add(ns, sec, s, len);
		if (values != NULL && sec == CONFIG_SECTION_RBLMOND) {
			/* "key=value", the value up to a comment. */
			char *v = s + len + strspn(s + len, " \t=");
			size_t vlen = strcspn(v, ";");

			while (vlen > 0 && strchr(" \t", v[vlen - 1]) != NULL)
				vlen--;
			snprintf(pair, sizeof(pair), "%.*s=%.*s", (int)len, s,
			    (int)vlen, v);
			names_add(values, sec, pair, strlen(pair));
		}
	}
	fclose(f);
}

START_TEST(test_drift_conf)
{
	static const char *const files[] = { "conf/rblmond.conf",
		"conf/zones.conf" };
	size_t n;
	const struct config_key *keys = config_keys(&n);
	static struct names sample, values, zones;

	conf_keys(files[0], &sample, &values);
	conf_keys(files[1], &zones, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct config_key *k = &keys[i];

		ck_assert_msg(names_have(&sample, k->section, k->name),
		    "conf/rblmond.conf lacks [%s] %s",
		    config_section_name(k->section), k->name);
	}
	/* Each [rblmond] default is shown as ";key = DEFAULT". */
	for (size_t i = 0; i < n; i++) {
		const struct config_key *k = &keys[i];
		char pair[sizeof(values.name[0])];

		if (k->section != CONFIG_SECTION_RBLMOND || k->def == NULL)
			continue;
		snprintf(pair, sizeof(pair), "%s=%s", k->name, k->def);
		ck_assert_msg(names_have(&values, CONFIG_SECTION_RBLMOND, pair),
		    "conf/rblmond.conf lacks \";%s = %s\"", k->name, k->def);
	}
	for (int f = 0; f < 2; f++) {
		const struct names *ns = f ? &zones : &sample;

		for (size_t i = 0; i < ns->n; i++) {
			bool found = false;

			for (size_t j = 0; j < n && !found; j++)
				found = (ns->section[i] == CONFIG_SECTION_NONE
				    || keys[j].section == ns->section[i]) &&
				    strcmp(keys[j].name, ns->name[i]) == 0;
			ck_assert_msg(found, "%s names [%s] %s, the table "
			    "does not", files[f],
			    config_section_name(ns->section[i]), ns->name[i]);
		}
	}
}
END_TEST

/* The man page renders without a single warning from man or groff. */
START_TEST(test_man_renders)
{
	char path[1024], cmd[1400], out[4096];
	size_t n;
	FILE *p;
	int status;

	source_path("man/rblmond.conf.5", path, sizeof(path));
	snprintf(cmd, sizeof(cmd), "LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 "
	    "man --warnings -E UTF-8 -l -Tutf8 '%s' 2>&1 >/dev/null", path);
	p = popen(cmd, "r");
	ck_assert_msg(p != NULL, "popen: %s", strerror(errno));
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);
	ck_assert_msg(status == 0 && n == 0, "man (status %d):\n%s", status,
	    out);
}
END_TEST

static Suite *
config_table_suite(void)
{
	Suite *s = suite_create("config_table");
	TCase *table = tcase_create("table");
	TCase *drift = tcase_create("drift");

	tcase_add_test(table, test_table_shape);
	tcase_add_test(table, test_table_defaults);
	tcase_add_test(drift, test_drift_man);
	tcase_add_test(drift, test_drift_conf);
	tcase_add_test(drift, test_man_renders);
	suite_add_tcase(s, table);
	suite_add_tcase(s, drift);
	return s;
}

int
main(void)
{
	return unit_run(config_table_suite());
}
