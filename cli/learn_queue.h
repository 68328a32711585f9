/*
 * learn_queue.h - learning many messages with the parsing in threads.
 *
 * Parsing and tokenizing take most of a message's learning time, and they
 * depend only on the message, so worker threads prepare messages
 * (wn_learn_prepare) while the caller's thread hands each prepared
 * message, in the order pushed, to a done function that writes it to the
 * store. The store is only ever touched from the caller's thread.
 */
#ifndef WINNOW_CLI_LEARN_QUEUE_H
#define WINNOW_CLI_LEARN_QUEUE_H

#include <winnow/scan.h>

typedef struct wn_learn_queue wn_learn_queue;

/*
 * Called in the caller's thread, in push order, with the path and tag
 * pushed: rc is wn_learn_prepare's result, p valid (in an arena reused
 * afterwards) when rc is 0. A non-zero return is handed back by the push
 * or finish that called it.
 */
typedef int (*wn_learn_done_fn)(const char *path, int tag, int rc,
    const wn_learn_prep *p, void *arg);

/* wn_learn_queue_workers - the default thread count: the CPUs, at most 4 */
unsigned wn_learn_queue_workers(void);

/*
 * wn_learn_queue_new - a queue preparing with workers threads (0: every
 * message is prepared and done in wn_learn_queue_push itself). cfg must
 * outlive the queue. 0 or WN_ENOMEM.
 */
int wn_learn_queue_new(const wn_scan_config *cfg, bool keep_sample,
    unsigned workers, wn_learn_done_fn done, void *arg,
    wn_learn_queue **out);

/*
 * wn_learn_queue_push - queue a copy of data[0..len) (path names it, tag
 * is the caller's, say the class); may first wait for, and complete,
 * earlier messages. Returns the first non-zero done result met, or
 * WN_ENOMEM.
 */
int wn_learn_queue_push(wn_learn_queue *q, const char *path, int tag,
    const char *data, size_t len);

/* wn_learn_queue_finish - complete every queued message; as push */
int wn_learn_queue_finish(wn_learn_queue *q);

/* wn_learn_queue_free - stop the workers; queued messages are dropped */
void wn_learn_queue_free(wn_learn_queue **qp);

#endif
