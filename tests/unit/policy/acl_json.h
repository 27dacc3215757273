/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Test helper: an ACL compiled from a port group's "acl" JSON, for the tests of the ACL itself
 * and of the pipelines that run it.  Include after cmocka.h: a bad rule set fails the test. */

#include <jansson.h>
#include <rte_memory.h>

#include "datapath/dp/policy/acl.h"

/* The ACL of 'json' for 'workers' lcores. */
static inline struct acl *
acl_json_n(const char *json, unsigned workers)
{
	json_error_t jerr;
	json_t *j = json_loads(json, 0, &jerr);
	struct acl_ruleset rs = {0};
	struct dvs_err e = {0};
	struct acl *acl;

	if (!j)
		fail_msg("bad test JSON: %s", jerr.text);
	if (acl_ruleset_from_json(j, &rs, &e) < 0)
		fail_msg("ruleset: %s", e.msg);
	acl = acl_create(&rs, workers, SOCKET_ID_ANY, &e);
	if (!acl)
		fail_msg("acl_create: %s", e.msg);
	acl_ruleset_free(&rs);
	json_decref(j);
	return acl;
}

static inline struct acl *
acl_json(const char *json)
{
	return acl_json_n(json, 1);
}
