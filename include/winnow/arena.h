/*
 * arena.h - bump allocator for everything a message owns.
 *
 * An arena hands out memory from large chunks and frees it all at once:
 * wn_arena_new -> wn_arena_alloc ... -> wn_arena_reset (reuse for the next
 * message) -> wn_arena_free. No individual frees. Objects that need their
 * own destructor (library handles) register it with wn_arena_on_free; it
 * runs at reset and at free, newest first.
 *
 * An arena is used by one thread at a time. Allocation failure returns NULL
 * and never aborts; callers propagate WN_ENOMEM.
 */
#ifndef WINNOW_ARENA_H
#define WINNOW_ARENA_H

#include <stddef.h>

typedef struct wn_arena wn_arena;

/* wn_arena_new - arena whose chunks hold chunk_size bytes (0: default) */
wn_arena *wn_arena_new(size_t chunk_size);

/* wn_arena_free - run destructors, release all memory, set *ap to NULL */
void wn_arena_free(wn_arena **ap);

/* wn_arena_reset - run destructors and forget every allocation, keeping
 * the first chunk for reuse */
void wn_arena_reset(wn_arena *a);

/* wn_arena_alloc - size bytes aligned for any type; NULL on failure */
void *wn_arena_alloc(wn_arena *a, size_t size);

/* wn_arena_calloc - like wn_arena_alloc for n*size zeroed bytes */
void *wn_arena_calloc(wn_arena *a, size_t n, size_t size);

/* wn_arena_memdup - copy of n bytes plus a terminating NUL */
char *wn_arena_memdup(wn_arena *a, const void *p, size_t n);

/* wn_arena_strdup - copy of a NUL-terminated string */
char *wn_arena_strdup(wn_arena *a, const char *s);

/*
 * wn_arena_trim - give back the unused tail of the most recent allocation
 * p, which keeps its first new_size bytes. Does nothing if p is not the
 * most recent allocation. Lets a caller allocate an upper bound and keep
 * what it used.
 */
void wn_arena_trim(wn_arena *a, void *p, size_t new_size);

/* wn_arena_on_free - run fn(obj) when the arena is reset or freed */
int wn_arena_on_free(wn_arena *a, void (*fn)(void *), void *obj);

/* wn_arena_used - bytes handed out since the last reset */
size_t wn_arena_used(const wn_arena *a);

#endif
