/* SPDX-License-Identifier: ISC */
/*
 * rblmonctl: the control socket's client. One request from the command
 * line, one answer line read back and printed (as the daemon wrote it, or
 * as text from ctlfmt); exit 0 ok, 1 an error answer, 2 usage, 3 no
 * daemon. `nagios` judges a status answer as a monitoring plugin.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctlfmt.h"
#include "ctlproto.h"
#include "escape.h"
#include "parse.h"

/* Seconds to wait for an answer; check, explain and reload do DNS. */
#define RBLMONCTL_TIMEOUT 30
#define RBLMONCTL_TIMEOUT_LONG 120
#define RBLMONCTL_TIMEOUT_MAX 86400
/* Standard input read for explain -, far more than one request holds. */
#define RBLMONCTL_STDIN_MAX 65536
/* First size of the answer buffer; it doubles up to CTLFMT_ANSWER_MAX. */
#define RBLMONCTL_READ_CHUNK 65536

enum {
	RBLMONCTL_EXIT_OK = 0,
	RBLMONCTL_EXIT_ERROR = 1,
	RBLMONCTL_EXIT_USAGE = 2,
	RBLMONCTL_EXIT_UNREACHABLE = 3,
};

/* One connection to the daemon and the bytes read from it. */
struct conn {
	const char *path;
	int fd;
	int timeout_s;
	char *buf;
	size_t len, cap, taken; /* taken: bytes of lines handed out */
};

static void
usage(FILE *f)
{
	const struct ctlproto_command *c;
	size_t n;

	fprintf(f,
	    "usage: rblmonctl [-s SOCKET] [-t SECONDS] [--json] COMMAND "
	    "[ARGS...]\n"
	    "       rblmonctl [-s SOCKET] [-t SECONDS] nagios [-w N] [-c N] "
	    "[--max-age S]\n"
	    "       rblmonctl -V | -h\n"
	    "\n"
	    "  -s, --socket SOCKET   the daemon's socket (default %s)\n"
	    "  -t, --timeout SECONDS wait this long for the answer (default "
	    "%d,\n"
	    "                        %d for check, explain and reload)\n"
	    "      --json            print the answer as the daemon wrote it\n"
	    "  -V, --version         print the version\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "commands:\n",
	    CONFIG_DEFAULT_SOCKET, RBLMONCTL_TIMEOUT, RBLMONCTL_TIMEOUT_LONG);
	c = ctlproto_commands(&n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-30s %s\n", c[i].usage, c[i].help);
	fprintf(f, "  %-30s %s\n", "explain -",
	    "explain the text on standard input");
	fprintf(f, "  nagios [-w N] [-c N] [--max-age S]\n  %-30s %s\n", "",
	    "a Nagios plugin's line and exit code, from status");
}

static int
conn_open(struct conn *c, const char *path, int timeout_s)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd, rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->path = path;
	c->timeout_s = timeout_s;
	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	/*
	 * A daemon whose backlog is full keeps connect waiting; the send
	 * timeout bounds that wait (it fails with EAGAIN), and the writes.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	c->fd = fd;
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
}

/* Send line and its newline. Returns 0 or a negative errno. */
static int
conn_send(struct conn *c, const char *line)
{
	size_t len = strlen(line), off = 0;
	char *msg = malloc(len + 1);
	int rc = 0;

	if (msg == NULL)
		return -ENOMEM;
	memcpy(msg, line, len);
	msg[len++] = '\n';
	while (off < len) {
		ssize_t n = send(c->fd, msg + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
			break;
		}
		off += (size_t)n;
	}
	free(msg);
	return rc;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Room for more bytes: the buffer doubles, up to the answer cap. */
static int
conn_grow(struct conn *c)
{
	size_t cap;
	char *nb;

	if (c->taken > 0) {
		memmove(c->buf, c->buf + c->taken, c->len - c->taken);
		c->len -= c->taken;
		c->taken = 0;
	}
	if (c->len < c->cap)
		return 0;
	if (c->len > CTLFMT_ANSWER_MAX)
		return -EMSGSIZE;
	cap = c->cap != 0 ? c->cap * 2 : RBLMONCTL_READ_CHUNK;
	if (cap > (size_t)CTLFMT_ANSWER_MAX + 2)
		cap = (size_t)CTLFMT_ANSWER_MAX + 2;
	if ((nb = realloc(c->buf, cap)) == NULL)
		return -ENOMEM;
	c->buf = nb;
	c->cap = cap;
	return 0;
}

/*
 * The next answer line (NUL-terminated in place of its newline, valid
 * until the next call), read within the timeout. -ETIMEDOUT, -EPIPE when
 * the daemon closed the connection first, -EMSGSIZE past the cap.
 */
static int
conn_line(struct conn *c, char **ret, size_t *ret_len)
{
	long long deadline = now_ms() + (long long)c->timeout_s * 1000;
	size_t scan = c->taken;

	for (;;) {
		char *nl = c->len > scan ?
		    memchr(c->buf + scan, '\n', c->len - scan) : NULL;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		long long left;
		ssize_t n;
		int rc;

		if (nl != NULL) {
			*nl = '\0';
			*ret = c->buf + c->taken;
			*ret_len = (size_t)(nl - *ret);
			c->taken = (size_t)(nl - c->buf) + 1;
			return 0;
		}
		scan = c->len - c->taken;
		if ((rc = conn_grow(c)) != 0)
			return rc;
		if ((left = deadline - now_ms()) <= 0)
			return -ETIMEDOUT;
		if ((rc = poll(&p, 1, (int)left)) < 0 && errno != EINTR)
			return -errno;
		if (rc <= 0)
			continue;
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (n == 0)
			return -EPIPE;
		c->len += (size_t)n;
	}
}

/*
 * What went wrong talking to the daemon, in msg; returns the exit code:
 * 3 when there is no daemon to talk to, 1 for a bad answer.
 */
static int
conn_error(const struct conn *c, int rc, bool connecting, char *msg,
    size_t len)
{
	char path[256];

	escape_control(c->path, strlen(c->path), path, sizeof(path));
	if (connecting && (rc == -ENOENT || rc == -ECONNREFUSED ||
	    rc == -ENOTDIR))
		snprintf(msg, len, "cannot connect to %s: %s (is rblmond "
		    "running?)", path, strerror(-rc));
	else if (connecting && (rc == -EACCES || rc == -EPERM))
		snprintf(msg, len, "cannot connect to %s: %s (the socket is "
		    "for root and its group: see socket_group)", path,
		    strerror(-rc));
	else if (connecting && rc == -EAGAIN)
		snprintf(msg, len, "cannot connect to %s: the daemon did not "
		    "accept within %d s", path, c->timeout_s);
	else if (connecting)
		snprintf(msg, len, "cannot connect to %s: %s", path,
		    strerror(-rc));
	else if (rc == -ETIMEDOUT)
		snprintf(msg, len, "%s: no answer within %d s (see -t)", path,
		    c->timeout_s);
	else if (rc == -EPIPE)
		snprintf(msg, len, "%s: the daemon closed the connection "
		    "before it answered", path);
	else if (rc == -EMSGSIZE)
		snprintf(msg, len, "%s: the answer is longer than %u MiB",
		    path, CTLFMT_ANSWER_MAX >> 20);
	else
		snprintf(msg, len, "%s: %s", path, strerror(-rc));
	if (rc == -EMSGSIZE || rc == -ENOMEM)
		return RBLMONCTL_EXIT_ERROR;
	return RBLMONCTL_EXIT_UNREACHABLE;
}

/* Send line on c and read its answer; msg says what failed. */
static int
conn_ask(struct conn *c, const char *line, char **ret, size_t *ret_len,
    char *msg, size_t msglen)
{
	int rc;

	if ((rc = conn_send(c, line)) != 0 ||
	    (rc = conn_line(c, ret, ret_len)) != 0)
		return conn_error(c, rc == -ECONNRESET ? -EPIPE : rc, false,
		    msg, msglen);
	return 0;
}

static int
parse_seconds(const char *s, uint64_t max, int *ret)
{
	uint64_t v;

	if (parse_uint(s, 1, max, &v) != 0)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

/* explain -: standard input as one request. */
static int
stdin_request(char *line, size_t linelen, char *err, size_t errlen)
{
	char *text = malloc(RBLMONCTL_STDIN_MAX + 1);
	size_t len;
	int rc = -EINVAL;

	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	len = fread(text, 1, RBLMONCTL_STDIN_MAX + 1, stdin);
	if (ferror(stdin))
		snprintf(err, errlen, "explain: standard input: %s",
		    strerror(errno));
	else if (len > RBLMONCTL_STDIN_MAX)
		snprintf(err, errlen, "explain: standard input holds more "
		    "than one request can (%d bytes)", CTLPROTO_LINE_MAX);
	else
		rc = ctlfmt_explain_request(text, len, line, linelen, err,
		    errlen);
	free(text);
	return rc;
}

/* Print the answer line as it came, or as text. Returns the exit code. */
static int
print_answer(unsigned cmd, const char *line, size_t len, bool json)
{
	struct json_t *a = NULL;
	char err[512], *text = NULL;
	int rc, code = RBLMONCTL_EXIT_ERROR;

	if (json) {
		fwrite(line, 1, len, stdout);
		fputc('\n', stdout);
	}
	if ((rc = ctlfmt_decode(line, len, &a, err, sizeof(err))) != 0) {
		fprintf(stderr, "rblmonctl: invalid answer from the daemon: "
		    "%s\n", rc == -ENOMEM ? "out of memory" : err);
		goto out;
	}
	if (!ctlfmt_ok(a)) {
		if (ctlfmt_error(a, &text) != 0)
			goto nomem;
		fprintf(stderr, "rblmonctl: %s\n", text);
		goto out;
	}
	if (!json) {
		if (ctlfmt_format(cmd, a, (int64_t)time(NULL), &text) != 0)
			goto nomem;
		fputs(text, stdout);
	}
	code = RBLMONCTL_EXIT_OK;
	goto out;
nomem:
	fprintf(stderr, "rblmonctl: out of memory\n");
out:
	free(text);
	ctlfmt_answer_free(a);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "rblmonctl: cannot write the output: %s\n",
		    strerror(errno));
		code = RBLMONCTL_EXIT_ERROR;
	}
	return code;
}

/* Nagios output: one line on stdout, the state as exit code. */
static int
nagios_print(int state, const char *line)
{
	printf("%s\n", line != NULL ? line : "RBLMON UNKNOWN - out of memory");
	fflush(stdout);
	return line != NULL ? state : CTLFMT_NAGIOS_UNKNOWN;
}

static int
nagios_unknown(const char *why)
{
	char *line = NULL;
	int state;

	ctlfmt_nagios_unknown(why, &line);
	state = nagios_print(CTLFMT_NAGIOS_UNKNOWN, line);
	free(line);
	return state;
}

/* The status answer, and the listed one when something is listed. */
static int
nagios_ask(struct conn *c, const struct ctlfmt_nagios_limits *lim)
{
	enum ctlfmt_nagios_state state = CTLFMT_NAGIOS_UNKNOWN;
	struct json_t *status = NULL, *listed = NULL;
	char msg[768], err[512], *line = NULL, *answer;
	size_t len;
	int rc;

	if (conn_ask(c, "status", &answer, &len, msg, sizeof(msg)) != 0)
		return nagios_unknown(msg);
	if ((rc = ctlfmt_decode(answer, len, &status, err, sizeof(err))) !=
	    0) {
		snprintf(msg, sizeof(msg), "invalid answer from the daemon: "
		    "%s", rc == -ENOMEM ? "out of memory" : err);
		return nagios_unknown(msg);
	}
	/* Only to name the first listings; the verdict stands without. */
	if (ctlfmt_nagios_names(status) &&
	    conn_ask(c, "listed", &answer, &len, msg, sizeof(msg)) == 0)
		ctlfmt_decode(answer, len, &listed, err, sizeof(err));
	if (ctlfmt_nagios(status, listed, lim, (int64_t)time(NULL), &state,
	    &line) != 0)
		line = NULL;
	rc = nagios_print(state, line);
	free(line);
	ctlfmt_answer_free(listed);
	ctlfmt_answer_free(status);
	return rc;
}

static int
nagios_main(int argc, char **argv, const char *path, int timeout_s)
{
	enum { OPT_MAX_AGE = 256 };
	static const struct option longopts[] = {
		{ "max-age", required_argument, NULL, OPT_MAX_AGE },
		{ NULL, 0, NULL, 0 },
	};
	struct ctlfmt_nagios_limits lim = { 1, 1, -1 };
	struct conn c;
	char msg[512];
	uint64_t v;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+w:c:t:", longopts, NULL)) !=
	    -1) {
		if ((ch == 'w' || ch == 'c') &&
		    parse_uint(optarg, 1, UINT32_MAX, &v) == 0) {
			*(ch == 'w' ? &lim.warn : &lim.crit) = v;
		} else if (ch == 't' &&
		    parse_seconds(optarg, RBLMONCTL_TIMEOUT_MAX, &timeout_s) ==
		    0) {
			continue;
		} else if (ch == OPT_MAX_AGE &&
		    parse_duration_ms(optarg, 1000, UINT64_C(315360000000),
		    &v) == 0) {
			lim.max_age = (int64_t)((v + 999) / 1000);
		} else {
			goto usage;
		}
	}
	if (optind < argc)
		goto usage;
	if ((rc = conn_open(&c, path, timeout_s)) != 0) {
		conn_error(&c, rc, true, msg, sizeof(msg));
		return nagios_unknown(msg);
	}
	rc = nagios_ask(&c, &lim);
	conn_close(&c);
	return rc;
usage:
	/* The plugin guidelines: bad arguments are UNKNOWN. */
	fprintf(stderr, "rblmonctl: usage: nagios [-w N] [-c N] [-t SECONDS] "
	    "[--max-age S]\n  N: listed pairs, 1 or more; S: seconds, or a "
	    "duration such as 3h\n");
	return nagios_unknown("usage: nagios [-w N] [-c N] [-t SECONDS] "
	    "[--max-age S]");
}

/* The request line for argv[0..argc); exit code 2 on a usage error. */
static int
build_request(int argc, char **argv, char *line, size_t linelen,
    const struct ctlproto_command **ret_cmd)
{
	char err[512];
	int rc;

	if (argc == 2 && strcmp(argv[0], "explain") == 0 &&
	    strcmp(argv[1], "-") == 0) {
		rc = stdin_request(line, linelen, err, sizeof(err));
		*ret_cmd = ctlproto_lookup("explain", 7);
	} else {
		rc = ctlfmt_request((const char *const *)argv, (size_t)argc,
		    line, linelen, ret_cmd, err, sizeof(err));
	}
	if (rc != 0) {
		fprintf(stderr, "rblmonctl: %s\n", err);
		return RBLMONCTL_EXIT_USAGE;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	enum { OPT_JSON = 256 };
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct ctlproto_command *cmd = NULL;
	const char *path = CONFIG_DEFAULT_SOCKET;
	char line[CTLPROTO_LINE_MAX + 1], msg[512], *answer;
	struct conn c;
	bool json = false;
	int ch, rc, timeout_s = 0;
	size_t len;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "+s:t:Vh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 't':
			if (parse_seconds(optarg, RBLMONCTL_TIMEOUT_MAX,
			    &timeout_s) != 0) {
				fprintf(stderr, "rblmonctl: -t takes seconds, "
				    "1 to %d\n", RBLMONCTL_TIMEOUT_MAX);
				return RBLMONCTL_EXIT_USAGE;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'V':
			printf("rblmonctl %s\n", RBLMON_VERSION);
			return RBLMONCTL_EXIT_OK;
		case 'h':
			usage(stdout);
			return RBLMONCTL_EXIT_OK;
		default:
			fprintf(stderr, "rblmonctl: try rblmonctl -h\n");
			return RBLMONCTL_EXIT_USAGE;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "rblmonctl: no command given (try rblmonctl "
		    "-h)\n");
		return RBLMONCTL_EXIT_USAGE;
	}
	if (strcmp(argv[optind], "nagios") == 0) {
		if (json) {
			fprintf(stderr, "rblmonctl: --json does not go with "
			    "nagios\n");
			return RBLMONCTL_EXIT_USAGE;
		}
		return nagios_main(argc - optind, argv + optind, path,
		    timeout_s != 0 ? timeout_s : RBLMONCTL_TIMEOUT);
	}
	if ((rc = build_request(argc - optind, argv + optind, line,
	    sizeof(line), &cmd)) != 0)
		return rc;
	if (timeout_s == 0)
		timeout_s = cmd->cmd == CTLPROTO_CHECK ||
		    cmd->cmd == CTLPROTO_EXPLAIN ||
		    cmd->cmd == CTLPROTO_RELOAD ? RBLMONCTL_TIMEOUT_LONG :
		    RBLMONCTL_TIMEOUT;
	if ((rc = conn_open(&c, path, timeout_s)) != 0) {
		rc = conn_error(&c, rc, true, msg, sizeof(msg));
		fprintf(stderr, "rblmonctl: %s\n", msg);
		return rc;
	}
	if ((rc = conn_ask(&c, line, &answer, &len, msg, sizeof(msg))) != 0)
		fprintf(stderr, "rblmonctl: %s\n", msg);
	else
		rc = print_answer(cmd->cmd, answer, len, json);
	conn_close(&c);
	return rc;
}
