/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the resolver's query contract, without the network: a
 * query c-ares ends inside ares_query() (a label too long to send) must be
 * answered once, later, from the loop; cancel and free from inside a
 * callback drop what is left; a name too long is refused with no callback.
 */
#include <check.h>

#include "unit.h"
#include <errno.h>
#include <string.h>

#include <event2/event.h>

#include "classify.h"
#include "resolver.h"

/* A 64-byte label: c-ares refuses to build the query. */
#define BAD_LABEL                                                          \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define BAD_NAME BAD_LABEL ".zen.example"

enum in_cb { CB_NOTHING, CB_CANCEL, CB_FREE, CB_SEND };

struct run {
	struct resolver *r;
	enum in_cb action;
	bool in_query; /* inside resolver_query() */
	int calls;
	int early;     /* callbacks from inside resolver_query() */
	const char *last_error;
	int sent;      /* CB_SEND: the query sent from the callback */
};

static void
run_cb(const struct answer *a, void *arg)
{
	struct run *t = arg;

	if (t->in_query)
		t->early++;
	t->calls++;
	t->last_error = a->status == ANSWER_ERROR ? a->error : NULL;
	if (t->calls > 1)
		return;
	switch (t->action) {
	case CB_CANCEL:
		resolver_cancel(t->r);
		break;
	case CB_FREE:
		resolver_free(t->r);
		t->r = NULL;
		break;
	case CB_SEND:
		t->sent = resolver_query(t->r, BAD_NAME, RESOLVER_A, run_cb, t);
		break;
	default:
		break;
	}
}

static const struct resolver_row {
	const char *name;
	int nqueries;
	enum in_cb action;
	bool cancel_first; /* resolver_cancel() before the loop runs */
	int want_calls;
	size_t want_pending; /* after the queries, before the loop */
} resolver_rows[] = {
	{ "ended inside the send: called later", 1, CB_NOTHING, false, 1, 1 },
	{ "three such queries, each once", 3, CB_NOTHING, false, 3, 3 },
	{ "cancel inside the first callback", 3, CB_CANCEL, false, 1, 3 },
	{ "free inside the first callback", 3, CB_FREE, false, 1, 3 },
	{ "a query sent from the callback", 1, CB_SEND, false, 2, 1 },
	{ "cancelled before the loop", 2, CB_NOTHING, true, 0, 2 },
};

START_TEST(test_contract)
{
	const struct resolver_row *row = &resolver_rows[_i];
	struct resolver_options o = {
		.nameservers = "127.0.0.1:9", .timeout_ms = 500, .tries = 1,
	};
	struct event_base *base = event_base_new();
	struct run t = { .action = row->action };
	char err[256];

	ck_assert(base != NULL);
	ck_assert_msg(resolver_new(base, &o, &t.r, err, sizeof(err)) == 0,
	    "%s", err);
	for (int i = 0; i < row->nqueries; i++) {
		t.in_query = true;
		ck_assert_int_eq(resolver_query(t.r, BAD_NAME, RESOLVER_A,
		    run_cb, &t), 0);
		t.in_query = false;
	}
	ck_assert_msg(t.calls == 0, "%s: called inside resolver_query",
	    row->name);
	ck_assert_uint_eq(resolver_pending(t.r), row->want_pending);
	if (row->cancel_first) {
		resolver_cancel(t.r);
		ck_assert_uint_eq(resolver_pending(t.r), 0);
	}
	event_base_dispatch(base);
	ck_assert_msg(t.calls == row->want_calls, "%s: %d calls, want %d",
	    row->name, t.calls, row->want_calls);
	ck_assert_int_eq(t.early, 0);
	if (row->want_calls > 0)
		ck_assert_str_eq(t.last_error, "bad query name");
	if (row->action == CB_SEND)
		ck_assert_int_eq(t.sent, 0);
	if (t.r != NULL)
		ck_assert_uint_eq(resolver_pending(t.r), 0);
	resolver_free(t.r);
	event_base_free(base);
}
END_TEST

/* Too long to be a name: refused, and no callback ever follows. */
START_TEST(test_too_long)
{
	struct resolver_options o = {
		.nameservers = "127.0.0.1:9", .timeout_ms = 500, .tries = 1,
	};
	struct event_base *base = event_base_new();
	struct run t = { .action = CB_NOTHING };
	char name[300], err[256];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert(resolver_new(base, &o, &t.r, err, sizeof(err)) == 0);
	ck_assert_int_eq(resolver_query(t.r, name, RESOLVER_TXT, run_cb, &t),
	    -ENAMETOOLONG);
	ck_assert_uint_eq(resolver_pending(t.r), 0);
	event_base_dispatch(base);
	ck_assert_int_eq(t.calls, 0);
	resolver_free(t.r);
	event_base_free(base);
}
END_TEST

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
resolver_suite(void)
{
	Suite *s = suite_create("resolver");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_contract, 0, NROWS(resolver_rows));
	tcase_add_test(tc, test_too_long);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(resolver_suite());
}
