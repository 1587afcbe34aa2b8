/* SPDX-License-Identifier: ISC */
/*
 * Names of event kinds and severities, as alerts, the store and the hook's
 * environment write them.
 */
#include <errno.h>
#include <string.h>

#include "incident.h"

static const char *const kind_names[INCIDENT_KIND_COUNT] = {
	[INCIDENT_LISTED] = "listed",
	[INCIDENT_DELISTED] = "delisted",
	[INCIDENT_CHANGED] = "changed",
	[INCIDENT_REMINDER] = "reminder",
	[INCIDENT_ZONE_DOWN] = "zone-down",
	[INCIDENT_ZONE_UP] = "zone-up",
	[INCIDENT_STORAGE_ERROR] = "storage-error",
};

static const char *const severity_names[SEVERITY_COUNT] = {
	[SEVERITY_CRITICAL] = "critical",
	[SEVERITY_WARNING] = "warning",
	[SEVERITY_INFO] = "info",
};

const char *
incident_kind_name(enum incident_kind k)
{
	return (unsigned)k < INCIDENT_KIND_COUNT ? kind_names[k] : "unknown";
}

int
incident_kind_parse(const char *s, enum incident_kind *ret)
{
	for (unsigned i = 0; i < INCIDENT_KIND_COUNT; i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*ret = (enum incident_kind)i;
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
