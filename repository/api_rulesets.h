/*
 * api_rulesets.h - the paths under /api/v1/rulesets (docs/repository-api.md,
 * "Rule-set channels"): publish, promote, list, one set, a channel's
 * latest version, a version's package.
 *
 * Names and versions taken from a path are checked (manifest name
 * characters, dotted numbers) before any database call; a path of
 * another shape is 404. Thread-safe, as routes.c.
 */
#ifndef WINNOW_REPOSITORY_API_RULESETS_H
#define WINNOW_REPOSITORY_API_RULESETS_H

#include <stdbool.h>
#include <stddef.h>

#include <winnow/json.h>

#include "http.h"
#include "routes.h"
#include "rulesets.h"

#define WN_API_RULESETS "/api/v1/rulesets"

/* wn_api_rulesets_path - path is /api/v1/rulesets or below it */
bool wn_api_rulesets_path(const char *path);

/* wn_api_rulesets - answer a request whose path is one of ours */
void wn_api_rulesets(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep);

/* wn_api_rulesets_body_limit - WN_RS_MAX_PACKAGE for a publish, else 0
 * (the server's limit) */
size_t wn_api_rulesets_body_limit(const char *method, const char *path);

/* wn_api_rs_version_json - a version object; with_revoked adds
 * "revoked", as the set listing has it */
void wn_api_rs_version_json(wn_json *j, const wn_rs_version *v,
    bool with_revoked);

#endif
