/* SPDX-License-Identifier: ISC */
/*
 * rblmond: command line; the daemon, the configuration check and the
 * one-shot sweep.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "escape.h"
#include "log.h"
#include "once.h"
#include "report.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rblmond [-c FILE] [-f]\n"
	    "       rblmond [-c FILE] --check-config\n"
	    "       rblmond [-c FILE] --once [--json] [--all]\n"
	    "       rblmond -V | -h\n"
	    "\n"
	    "  -c, --config FILE  configuration (default %s)\n"
	    "  -f, --foreground   run the monitor in the foreground (the\n"
	    "                     default: a service manager supervises it;\n"
	    "                     SIGHUP reloads, SIGTERM stops)\n"
	    "      --check-config validate the configuration and exit\n"
	    "      --once         check every target on every zone once,\n"
	    "                     print what is not clean and exit:\n"
	    "                     1 listed, 3 incomplete, 0 clean, 2 usage;\n"
	    "                     SIGTERM or SIGINT stops the sweep: a\n"
	    "                     summary marked incomplete, exit 3\n"
	    "                     (1 if listed)\n"
	    "      --json         one JSON object per line, then a summary\n"
	    "      --all          print clean results too\n"
	    "  -V, --version      print the version\n"
	    "  -h, --help         this text\n",
	    CONFIG_DEFAULT_PATH);
}

int
main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_ONCE, OPT_JSON, OPT_ALL };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONFIG_DEFAULT_PATH;
	bool check = false, once = false, foreground = false;
	struct once_options oo = { 0 };
	struct config *c = NULL;
	char err[1024];
	int ch;

	/*
	 * A DNS server closing a TCP connection, or a reader of our output
	 * going away (`| head`), must be an error to handle, not a death.
	 */
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "c:fVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_ONCE:
			once = true;
			break;
		case OPT_JSON:
			oo.json = true;
			break;
		case OPT_ALL:
			oo.all = true;
			break;
		case 'V':
			printf("rblmond %s\n", RBLMON_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return REPORT_EXIT_USAGE;
		}
	}
	if (optind < argc || (check && once) || (foreground && (check || once)) ||
	    (!once && (oo.json || oo.all))) {
		if (optind < argc) {
			escape_control(argv[optind], strlen(argv[optind]), err,
			    sizeof(err));
			fprintf(stderr, "rblmond: unexpected argument \"%s\"\n",
			    err);
		} else if (check || once) {
			fprintf(stderr, "rblmond: give at most one of "
			    "--foreground, --check-config and --once\n");
		} else {
			fprintf(stderr, "rblmond: --json and --all go with "
			    "--once\n");
		}
		usage(stderr);
		return REPORT_EXIT_USAGE;
	}

	if (config_load(path, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "rblmond: %s\n", err);
		return REPORT_EXIT_USAGE;
	}
	/* Warnings (a retired list) do not stop a check or a sweep. */
	for (size_t i = 0; i < c->nwarnings; i++)
		fprintf(stderr, "rblmond: %s\n", c->warnings[i]);
	if (check) {
		/* The path as given may hold any byte: not raw to a terminal. */
		escape_control(path, strlen(path), err, sizeof(err));
		printf("%s: OK (targets: %zu, zones: %zu, pairs: %llu)\n", err,
		    c->ntargets, c->nzones,
		    (unsigned long long)config_pairs(c));
		config_free(c);
		return 0;
	}
	if (!once)
		return daemon_run(path, c);
	/* A progress line only helps a person watching a terminal. */
	oo.progress = isatty(STDERR_FILENO) && !(oo.json && isatty(STDOUT_FILENO));
	return once_run(c, &oo);
}
