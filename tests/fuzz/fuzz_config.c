/* SPDX-License-Identifier: ISC */
/*
 * Fuzz entry point for the configuration loader: any file content either
 * loads or is rejected with a "FILE:..." message, and never crashes.
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
		config_free(c);
	} else if (err[0] == '\0' || strchr(err, ':') == NULL) {
		abort(); /* every error names a file */
	}
	unlink(path);
	return 0;
}
