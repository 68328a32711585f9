/* test_arena.c - the per-message bump allocator. */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/alloc.h>
#include <winnow/arena.h>

Test(arena, allocations_are_aligned_and_distinct)
{
	wn_arena *a = wn_arena_new(256);
	char *p = wn_arena_alloc(a, 3), *q = wn_arena_alloc(a, 5);

	cr_assert_not_null(p);
	cr_assert_not_null(q);
	cr_assert_eq((uintptr_t)p % sizeof(void *), 0);
	cr_assert_eq((uintptr_t)q % sizeof(void *), 0);
	cr_assert_neq(p, q);
	wn_arena_free(&a);
	cr_assert_null(a);
}

Test(arena, big_allocation_gets_its_own_chunk)
{
	wn_arena *a = wn_arena_new(1024);
	char *small = wn_arena_alloc(a, 16);
	char *big = wn_arena_alloc(a, 100000);
	char *after = wn_arena_alloc(a, 16);

	cr_assert_not_null(big);
	memset(big, 'x', 100000);
	/* The small chunk's tail is still used after a big object. */
	cr_assert_lt((size_t)(after - small), 1024);
	wn_arena_free(&a);
}

Test(arena, memdup_terminates_and_trim_returns_space)
{
	wn_arena *a = wn_arena_new(4096);
	char *s = wn_arena_memdup(a, "hello world", 5);
	size_t before;
	char *p;

	cr_assert_str_eq(s, "hello");
	p = wn_arena_alloc(a, 1000);
	before = wn_arena_used(a);
	wn_arena_trim(a, p, 10);
	cr_assert_lt(wn_arena_used(a), before, "got %zu, want < %zu",
	    wn_arena_used(a), before);
	/* Trimming something that is not the last allocation is a no-op. */
	before = wn_arena_used(a);
	wn_arena_trim(a, s, 1);
	cr_assert_eq(wn_arena_used(a), before);
	wn_arena_free(&a);
}

static int dtor_calls;
static void
count_dtor(void *obj)
{
	dtor_calls += *(int *)obj;
}

Test(arena, destructors_run_on_reset_and_free)
{
	wn_arena *a = wn_arena_new(0);
	int one = 1, ten = 10;

	dtor_calls = 0;
	cr_assert_eq(wn_arena_on_free(a, count_dtor, &one), 0);
	wn_arena_reset(a);
	cr_assert_eq(dtor_calls, 1);
	cr_assert_eq(wn_arena_used(a), 0);
	cr_assert_eq(wn_arena_on_free(a, count_dtor, &ten), 0);
	wn_arena_free(&a);
	cr_assert_eq(dtor_calls, 11);
}

Test(arena, reset_reuses_memory)
{
	wn_arena *a = wn_arena_new(4096);
	void *p = wn_arena_alloc(a, 100);

	wn_arena_reset(a);
	cr_assert_eq(wn_arena_alloc(a, 100), p);
	wn_arena_free(&a);
}

static int fail_after;
static void *
failing_malloc(size_t n)
{
	if (fail_after-- <= 0)
		return NULL;
	return malloc(n);
}

Test(arena, allocation_failure_returns_null)
{
	static const wn_allocator failing = { failing_malloc, realloc, free };
	wn_arena *a;

	fail_after = 1;		/* the arena itself, then nothing */
	wn_alloc_replace(&failing);
	a = wn_arena_new(1024);
	cr_assert_not_null(a);
	cr_assert_null(wn_arena_alloc(a, 10));
	cr_assert_null(wn_arena_memdup(a, "x", 1));
	wn_alloc_replace(NULL);
	cr_assert_not_null(wn_arena_alloc(a, 10));
	wn_arena_free(&a);
}

Test(arena, overflowing_sizes_fail_cleanly)
{
	wn_arena *a = wn_arena_new(0);

	cr_assert_null(wn_arena_alloc(a, SIZE_MAX));
	cr_assert_null(wn_arena_calloc(a, SIZE_MAX / 2, 4));
	wn_arena_free(&a);
}
