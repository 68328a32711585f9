/* test_buf.c - growable byte strings. */
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/buf.h>

Test(buf, appends_and_stays_terminated)
{
	wn_buf b;

	wn_buf_init(&b);
	wn_buf_puts(&b, "abc");
	wn_buf_putc(&b, 'd');
	wn_buf_printf(&b, "%d-%s", 42, "x");
	cr_assert_str_eq(b.data, "abcd42-x");
	cr_assert_eq(b.len, 8);
	wn_buf_reset(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.data, "");
	wn_buf_fini(&b);
	cr_assert_null(b.data);
}

Test(buf, printf_grows_past_initial_capacity)
{
	wn_buf b;
	char big[5000];

	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	wn_buf_init(&b);
	wn_buf_puts(&b, "<");
	wn_buf_printf(&b, "%s>", big);
	cr_assert_eq(b.len, sizeof(big) + 1, "got %zu", b.len);
	cr_assert_eq(b.data[b.len - 1], '>');
	cr_assert_eq(b.failed, 0);
	wn_buf_fini(&b);
}
