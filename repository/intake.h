/*
 * intake.h - one POST /api/v1/reports body from bytes to an answer: the
 * envelope's checks in the order docs/repository-api.md lists them, the
 * report's validation, and the store.
 *
 * Lifecycle: wn_intake_init once with the database (borrowed; it must
 * outlive the intake) -> wn_intake_submit from any number of threads.
 * The clock is the caller's (now), so tests choose it. Size and content
 * type are the HTTP layer's checks (413, 415) and come before this.
 * Once a minute a submit also forgets old nonces and bulk keys older
 * than bulk_keep days.
 */
#ifndef WINNOW_REPOSITORY_INTAKE_H
#define WINNOW_REPOSITORY_INTAKE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "report_in.h"

#define WN_INTAKE_DEFAULT_SKEW 900	/* seconds: 15 minutes */
#define WN_INTAKE_PURGE_EVERY 60	/* seconds between nonce purges */
#define WN_INTAKE_BULK_KEEP 3		/* days: the feed's default 2, and 1 */

typedef struct wn_intake {
	wn_repo_db *db;
	int64_t max_skew;		/* seconds */
	_Atomic int64_t next_purge;	/* when nonces are purged next */
	/* bulk keys are kept for the day of now and the bulk_keep - 1
	 * before it, and purged with the nonces; set after init */
	unsigned bulk_keep;
} wn_intake;

typedef struct wn_intake_result {
	int status;			/* the HTTP status */
	char report_id[WN_REPORT_ID_LEN + 1];	/* "" when not known */
	char message[WN_REPORT_ERR_LEN + 64];	/* why, for an error */
} wn_intake_result;

void wn_intake_init(wn_intake *in, wn_repo_db *db, int64_t max_skew);

/*
 * wn_intake_submit - check and store the envelope in body[0..len) as
 * received at now. Always fills out: 201 stored, 200 duplicate, 400, 401,
 * 403, 409 (stale, replay, conflict) with message naming the problem,
 * 500/503 when the database failed. Returns 0, or the WN_E* code of the
 * database failure behind a 5xx (already logged).
 */
int wn_intake_submit(wn_intake *in, const char *body, size_t len,
    int64_t now, wn_intake_result *out);

/* wn_intake_answer - the JSON body for a result into out */
void wn_intake_answer(const wn_intake_result *res, wn_buf *out);

#endif
