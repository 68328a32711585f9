/*
 * alloc.c - the replaceable allocator behind wn_malloc and friends.
 *
 * Tests replace it to fail the Nth allocation; production never does.
 */
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>

static const wn_allocator wn_alloc_libc = { malloc, realloc, free };
static wn_allocator wn_alloc_current = { malloc, realloc, free };

void *
wn_malloc(size_t size)
{
	return wn_alloc_current.malloc_fn(size ? size : 1);
}

void *
wn_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return NULL;
	if ((p = wn_malloc(n * size)) != NULL)
		memset(p, 0, n * size);
	return p;
}

void *
wn_realloc(void *ptr, size_t size)
{
	return wn_alloc_current.realloc_fn(ptr, size ? size : 1);
}

void
wn_free(void *ptr)
{
	wn_alloc_current.free_fn(ptr);
}

void
wn_alloc_replace(const wn_allocator *a)
{
	wn_alloc_current = a ? *a : wn_alloc_libc;
}
