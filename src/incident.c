/* SPDX-License-Identifier: ISC */
/*
 * Names of event kinds and severities, as alerts, the store and the hook's
 * environment write them.
 */
#include <errno.h>
#include <string.h>

#include "event.h"

static const char *const kind_names[EVENT_KIND_COUNT] = {
	[EVENT_LISTED] = "listed",
	[EVENT_DELISTED] = "delisted",
	[EVENT_CHANGED] = "changed",
	[EVENT_REMINDER] = "reminder",
	[EVENT_ZONE_DOWN] = "zone-down",
	[EVENT_ZONE_UP] = "zone-up",
	[EVENT_STORAGE_ERROR] = "storage-error",
};

static const char *const severity_names[SEVERITY_COUNT] = {
	[SEVERITY_CRITICAL] = "critical",
	[SEVERITY_WARNING] = "warning",
	[SEVERITY_INFO] = "info",
};

const char *
event_kind_name(enum event_kind k)
{
	return (unsigned)k < EVENT_KIND_COUNT ? kind_names[k] : "unknown";
}

int
event_kind_parse(const char *s, enum event_kind *ret)
{
	for (unsigned i = 0; i < EVENT_KIND_COUNT; i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*ret = (enum event_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
severity_name(enum severity s)
{
	return (unsigned)s < SEVERITY_COUNT ? severity_names[s] : "unknown";
}

int
severity_parse(const char *s, enum severity *ret)
{
	for (unsigned i = 0; i < SEVERITY_COUNT; i++) {
		if (strcmp(s, severity_names[i]) == 0) {
			*ret = (enum severity)i;
			return 0;
		}
	}
	return -EINVAL;
}
