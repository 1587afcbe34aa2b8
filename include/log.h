/* SPDX-License-Identifier: ISC */
/*
 * Diagnostics: warnings, information and debugging for the operator, on
 * stderr or syslog. Alerts (the product) do not go through here.
 */
#ifndef RBLMON_LOG_H
#define RBLMON_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_FATAL, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Send diagnostics to syslog (ident "rblmond", at facility) instead of
 * stderr. */
void log_use_syslog(bool on, int facility);
/* Show messages up to and including this level (default: info). */
void log_set_level(enum log_level level);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Start-up only: print and exit with the given status. */
void log_fatal(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
