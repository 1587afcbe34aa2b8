/* SPDX-License-Identifier: ISC */
/*
 * Plain driver for the fuzz entry points: feeds every file named on the
 * command line (a directory: every file in it) to LLVMFuzzerTestOneInput,
 * so each corpus also runs as an ordinary test. Built with
 * -DRBLMON_FUZZ=ON and clang, libFuzzer's own main replaces this file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Corpus files are small; a larger one is a mistake. */
#define FUZZ_MAX_INPUT (1 << 20)

static int
fuzz_run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	buf = malloc(FUZZ_MAX_INPUT);
	if (buf == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, FUZZ_MAX_INPUT, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int
fuzz_run_path(const char *path, unsigned *count)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return fuzz_run_file(path);
	}
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return -1;
	}
	while ((e = readdir(d)) != NULL && rc == 0) {
		char sub[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rc = fuzz_run_path(sub, count);
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;

	for (int i = 1; i < argc; i++)
		if (fuzz_run_path(argv[i], &count) != 0)
			return 1;
	if (count == 0) {
		fprintf(stderr, "no corpus inputs\n");
		return 1;
	}
	printf("%u inputs passed\n", count);
	return 0;
}
