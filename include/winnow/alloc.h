/*
 * alloc.h - the allocator every winnow module goes through.
 *
 * wn_malloc/wn_realloc/wn_free wrap the C library by default. A test may
 * replace them once, before any other winnow call, to fail the Nth
 * allocation and exercise out-of-memory paths. The replacement is the only
 * process-wide setting of this module and is not meant to change at run time.
 */
#ifndef WINNOW_ALLOC_H
#define WINNOW_ALLOC_H

#include <stddef.h>

typedef struct wn_allocator {
	void *(*malloc_fn)(size_t size);
	void *(*realloc_fn)(void *ptr, size_t size);
	void (*free_fn)(void *ptr);
} wn_allocator;

void *wn_malloc(size_t size);
void *wn_calloc(size_t n, size_t size);
void *wn_realloc(void *ptr, size_t size);
void wn_free(void *ptr);

/* wn_alloc_replace - install an allocator; NULL restores the C library's */
void wn_alloc_replace(const wn_allocator *a);

#endif
