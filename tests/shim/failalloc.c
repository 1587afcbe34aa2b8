/* SPDX-License-Identifier: ISC */
/*
 * LD_PRELOAD shim for the out-of-memory tests: fails the Nth call of
 * malloc/calloc/realloc (RBLMON_FAIL_ALLOC=N) or of libevent's event_new
 * (RBLMON_FAIL_EVENT_NEW=N), and with RBLMON_FAIL_COUNT=FILE writes how
 * many calls the run made, and who made them, so a test can try every N.
 */
#define _GNU_SOURCE /* RTLD_NEXT, dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

/*
 * dlsym() may itself call calloc (for its error state) before the real
 * calloc is known: such calls are served from this arena and never freed.
 */
#define SHIM_ARENA_SIZE (64 * 1024)
/* Distinct call sites remembered for the count report. */
#define SHIM_SITES 4096
/* One line of the count report. */
#define SHIM_LINE 512

struct shim_site {
	void *pc;
	unsigned long calls;
};

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static struct event *(*real_event_new)(struct event_base *, evutil_socket_t,
    short, event_callback_fn, void *);

static _Alignas(16) unsigned char shim_arena[SHIM_ARENA_SIZE];
static size_t shim_arena_used;
static int shim_resolving;

/*
 * Set by the constructor: only calls made after it are counted. Earlier
 * ones belong to the loader and libc's start-up, not to the program.
 */
static int shim_active;
static int shim_report_fd = -1;
static unsigned long shim_alloc_calls, shim_alloc_fail_at;
static unsigned long shim_event_calls, shim_event_fail_at;
static struct shim_site shim_sites[SHIM_SITES];
static unsigned long shim_sites_lost;
/* Calls per function, for the count report. */
static const char *const shim_kinds[] = { "malloc", "calloc", "realloc",
	"strdup", "strndup", "event_new" };
#define SHIM_NKINDS (sizeof(shim_kinds) / sizeof(shim_kinds[0]))
static unsigned long shim_kind_calls[SHIM_NKINDS];

static void *
shim_arena_alloc(size_t size)
{
	/* A 16-byte header keeps the size, for realloc. */
	size_t need = ((size + 15) & ~(size_t)15) + 16;
	unsigned char *p;

	if (size > SHIM_ARENA_SIZE || need > SHIM_ARENA_SIZE - shim_arena_used)
		return NULL;
	p = shim_arena + shim_arena_used;
	shim_arena_used += need;
	memcpy(p, &size, sizeof(size));
	return p + 16;
}

static int
shim_in_arena(const void *p)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)shim_arena;

	return a >= lo && a < lo + SHIM_ARENA_SIZE;
}

/*
 * The next definition of name into *fn, a function pointer. ISO C has no
 * cast from void * to a function pointer; POSIX guarantees the copy works.
 */
static void
shim_next(const char *name, void *fn)
{
	void *sym = dlsym(RTLD_NEXT, name);

	memcpy(fn, &sym, sizeof(sym));
}

static void
shim_resolve(void)
{
	shim_resolving = 1;
	shim_next("malloc", &real_malloc);
	shim_next("calloc", &real_calloc);
	shim_next("realloc", &real_realloc);
	shim_next("free", &real_free);
	shim_resolving = 0;
	if (real_malloc == NULL || real_calloc == NULL ||
	    real_realloc == NULL || real_free == NULL) {
		static const char msg[] = "failalloc: no real malloc\n";

		(void)write(STDERR_FILENO, msg, sizeof(msg) - 1);
		_exit(127);
	}
}

/* Name of the object (and symbol) holding pc, without allocating. */
static void
shim_where(void *pc, char *buf, size_t len)
{
	Dl_info info;
	const char *obj, *slash;

	if (dladdr(pc, &info) == 0 || info.dli_fname == NULL) {
		snprintf(buf, len, "? %p", pc);
		return;
	}
	obj = info.dli_fname;
	slash = strrchr(obj, '/');
	if (slash != NULL)
		obj = slash + 1;
	if (*obj == '\0')
		obj = "main-program";
	if (info.dli_sname != NULL)
		snprintf(buf, len, "%s %s+0x%lx", obj, info.dli_sname,
		    (unsigned long)((uintptr_t)pc - (uintptr_t)info.dli_saddr));
	else
		snprintf(buf, len, "%s +0x%lx", obj,
		    (unsigned long)((uintptr_t)pc - (uintptr_t)info.dli_fbase));
}

static void
shim_write(const char *line, int len)
{
	if (shim_report_fd < 0 || len <= 0)
		return;
	if (len >= SHIM_LINE)
		len = SHIM_LINE - 1; /* snprintf cut it short */
	(void)write(shim_report_fd, line, (size_t)len);
}

static void
shim_note_site(void *pc)
{
	size_t h = ((uintptr_t)pc >> 2) % SHIM_SITES;

	for (size_t i = 0; i < SHIM_SITES; i++) {
		struct shim_site *s = &shim_sites[(h + i) % SHIM_SITES];

		if (s->pc == pc || s->pc == NULL) {
			s->pc = pc;
			s->calls++;
			return;
		}
	}
	shim_sites_lost++;
}

static void
shim_note_kind(const char *what)
{
	for (size_t i = 0; i < SHIM_NKINDS; i++)
		if (strcmp(shim_kinds[i], what) == 0)
			__atomic_add_fetch(&shim_kind_calls[i], 1,
			    __ATOMIC_RELAXED);
}

/*
 * Counts one call from pc; true when this is the one to fail. The failing
 * call site is written at once: the run may not live to exit.
 */
static int
shim_should_fail(unsigned long *calls, unsigned long fail_at, void *pc,
    const char *what)
{
	char where[400], line[SHIM_LINE];
	unsigned long n;

	if (!shim_active)
		return 0;
	n = __atomic_add_fetch(calls, 1, __ATOMIC_RELAXED);
	shim_note_kind(what);
	if (shim_report_fd >= 0 && fail_at == 0 && calls == &shim_alloc_calls)
		shim_note_site(pc);
	if (n != fail_at)
		return 0;
	shim_where(pc, where, sizeof(where));
	shim_write(line, snprintf(line, sizeof(line), "failed %s %lu %s\n",
	    what, n, where));
	return 1;
}

/* malloc on behalf of the code at pc. */
static void *
shim_malloc(size_t size, void *pc, const char *what)
{
	if (real_malloc == NULL) {
		if (shim_resolving)
			return shim_arena_alloc(size);
		shim_resolve();
	}
	if (shim_should_fail(&shim_alloc_calls, shim_alloc_fail_at, pc,
	    what)) {
		errno = ENOMEM;
		return NULL;
	}
	return real_malloc(size);
}

void *
malloc(size_t size)
{
	return shim_malloc(size, __builtin_return_address(0), "malloc");
}

void *
calloc(size_t n, size_t size)
{
	if (real_calloc == NULL) {
		if (shim_resolving) {
			if (size != 0 && n > SIZE_MAX / size)
				return NULL;
			/* The arena is static, hence zeroed, and never reused. */
			return shim_arena_alloc(n * size);
		}
		shim_resolve();
	}
	if (shim_should_fail(&shim_alloc_calls, shim_alloc_fail_at,
	    __builtin_return_address(0), "calloc")) {
		errno = ENOMEM;
		return NULL;
	}
	return real_calloc(n, size);
}

void *
realloc(void *p, size_t size)
{
	if (real_realloc == NULL) {
		if (shim_resolving)
			return NULL;
		shim_resolve();
	}
	if (shim_should_fail(&shim_alloc_calls, shim_alloc_fail_at,
	    __builtin_return_address(0), "realloc")) {
		errno = ENOMEM;
		return NULL;
	}
	if (shim_in_arena(p)) {
		/* Moved out of the arena into real memory. */
		size_t old;
		void *q = real_malloc(size);

		memcpy(&old, (unsigned char *)p - 16, sizeof(old));
		if (q != NULL)
			memcpy(q, p, old < size ? old : size);
		return q;
	}
	return real_realloc(p, size);
}

void
free(void *p)
{
	if (p == NULL || shim_in_arena(p))
		return;
	if (real_free == NULL)
		shim_resolve();
	real_free(p);
}

/*
 * AddressSanitizer implements these itself without calling malloc; going
 * through our malloc counts them in every build alike.
 */
char *
strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = shim_malloc(len, __builtin_return_address(0), "strdup");

	if (p != NULL)
		memcpy(p, s, len);
	return p;
}

char *
strndup(const char *s, size_t max)
{
	size_t len = strnlen(s, max);
	char *p = shim_malloc(len + 1, __builtin_return_address(0),
	    "strndup");

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

struct event *
event_new(struct event_base *base, evutil_socket_t fd, short what,
    event_callback_fn cb, void *arg)
{
	if (real_event_new == NULL) {
		shim_next("event_new", &real_event_new);
		if (real_event_new == NULL)
			return NULL;
	}
	if (shim_should_fail(&shim_event_calls, shim_event_fail_at,
	    __builtin_return_address(0), "event_new"))
		return NULL;
	return real_event_new(base, fd, what, cb, arg);
}

static unsigned long
shim_env_number(const char *name)
{
	const char *s = getenv(name);
	char *end;
	unsigned long n;

	if (s == NULL || *s == '\0')
		return 0;
	n = strtoul(s, &end, 10);
	return *end == '\0' ? n : 0;
}

__attribute__((constructor)) static void
shim_init(void)
{
	const char *path = getenv("RBLMON_FAIL_COUNT");

	if (real_malloc == NULL)
		shim_resolve();
	shim_alloc_fail_at = shim_env_number("RBLMON_FAIL_ALLOC");
	shim_event_fail_at = shim_env_number("RBLMON_FAIL_EVENT_NEW");
	if (path != NULL && *path != '\0')
		shim_report_fd = open(path,
		    O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	shim_active = 1;
}

/* Calls per object (the library that called malloc), for the test. */
static void
shim_report_sites(void)
{
	char where[400], line[SHIM_LINE], *sp;

	for (size_t i = 0; i < SHIM_SITES; i++) {
		if (shim_sites[i].pc == NULL)
			continue;
		shim_where(shim_sites[i].pc, where, sizeof(where));
		sp = strchr(where, ' ');
		if (sp != NULL)
			*sp = '\0';
		shim_write(line, snprintf(line, sizeof(line), "by %s %lu\n",
		    where, shim_sites[i].calls));
	}
	if (shim_sites_lost > 0)
		shim_write(line, snprintf(line, sizeof(line), "by ? %lu\n",
		    shim_sites_lost));
}

__attribute__((destructor)) static void
shim_fini(void)
{
	char line[SHIM_LINE];

	if (shim_report_fd < 0)
		return;
	shim_active = 0;
	shim_write(line, snprintf(line, sizeof(line), "alloc %lu\n",
	    shim_alloc_calls));
	shim_write(line, snprintf(line, sizeof(line), "event_new %lu\n",
	    shim_event_calls));
	for (size_t i = 0; i < SHIM_NKINDS; i++)
		shim_write(line, snprintf(line, sizeof(line), "kind %s %lu\n",
		    shim_kinds[i], shim_kind_calls[i]));
	shim_report_sites();
	close(shim_report_fd);
	shim_report_fd = -1;
}
