/* SPDX-License-Identifier: ISC */
/*
 * Fuzz entry point for the configuration loader: any file content either
 * loads or is rejected with a "FILE:..." message, never crashes, and no
 * message or warning carries a byte outside printable ASCII.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/rblmon-fuzz-config-XXXXXX";
	char err[1024];
	struct config *c = NULL;
	int fd = mkstemp(path);

	if (fd < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	err[0] = '\0';
	if (config_load(path, &c, err, sizeof(err)) == 0) {
		if (c->nzones == 0 || c->ntargets == 0)
			abort();
		/* Warnings name a file and line, and carry no raw bytes. */
		for (size_t i = 0; i < c->nwarnings; i++) {
			if (strstr(c->warnings[i], ": warning: ") == NULL)
				abort();
			for (const char *s = c->warnings[i]; *s; s++)
				if (*s < 0x20 || *s > 0x7e)
					abort();
		}
		config_free(c);
	} else if (err[0] == '\0' || strchr(err, ':') == NULL) {
		abort(); /* every error names a file */
	} else {
		/* Escaped: nothing raw reaches a terminal. */
		for (const char *s = err; *s; s++)
			if (*s < 0x20 || *s > 0x7e)
				abort();
	}
	unlink(path);
	return 0;
}
