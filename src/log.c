/* SPDX-License-Identifier: ISC */
/*
 * Diagnostics for the operator: stderr (prefixed with the program name) or
 * syslog. Alerts, the product itself, go through their own module.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "log.h"

static bool use_syslog;
static enum log_level max_level = LOG_LEVEL_INFO;

void
log_use_syslog(bool on, int facility)
{
	if (on && !use_syslog)
		openlog("rblmond", LOG_PID | LOG_NDELAY, facility);
	else if (!on && use_syslog)
		closelog();
	use_syslog = on;
}

void
log_set_level(enum log_level level)
{
	max_level = level;
}

static void __attribute__((format(printf, 2, 0)))
log_vemit(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = {
		[LOG_LEVEL_FATAL] = LOG_ERR,
		[LOG_LEVEL_WARN] = LOG_WARNING,
		[LOG_LEVEL_INFO] = LOG_INFO,
		[LOG_LEVEL_DEBUG] = LOG_DEBUG,
	};

	if (level > max_level)
		return;
	if (use_syslog) {
		vsyslog(prio[level], fmt, ap);
		return;
	}
	fputs("rblmond: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_WARN, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

void
log_fatal(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_FATAL, fmt, ap);
	va_end(ap);
	exit(status);
}
