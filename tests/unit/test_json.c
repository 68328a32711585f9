/* test_json.c - the streaming JSON writer. */
#include <criterion/criterion.h>

#include <winnow/json.h>

Test(json, nested_compact_output)
{
	wn_buf b;
	wn_json j;

	wn_buf_init(&b);
	wn_json_init(&j, &b, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "a");
	wn_json_int(&j, -3);
	wn_json_key(&j, "b");
	wn_json_arr_begin(&j);
	wn_json_bool(&j, true);
	wn_json_null(&j);
	wn_json_str(&j, "x");
	wn_json_arr_end(&j);
	wn_json_key(&j, "c");
	wn_json_obj_begin(&j);
	wn_json_obj_end(&j);
	wn_json_obj_end(&j);
	cr_assert_str_eq(b.data, "{\"a\":-3,\"b\":[true,null,\"x\"],\"c\":{}}");
	wn_buf_fini(&b);
}

Test(json, strings_are_escaped_and_invalid_utf8_replaced)
{
	wn_buf b;

	wn_buf_init(&b);
	wn_json_escape(&b, "q\"\\\n\t\x01\xff\xc3\xa9", 9);
	cr_assert_str_eq(b.data,
	    "\"q\\\"\\\\\\n\\t\\u0001\xef\xbf\xbd\xc3\xa9\"");
	wn_buf_fini(&b);
}

Test(json, indented_output)
{
	wn_buf b;
	wn_json j;

	wn_buf_init(&b);
	wn_json_init(&j, &b, 2);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "k");
	wn_json_arr_begin(&j);
	wn_json_uint(&j, 1);
	wn_json_arr_end(&j);
	wn_json_obj_end(&j);
	cr_assert_str_eq(b.data, "{\n  \"k\": [\n    1\n  ]\n}");
	wn_buf_fini(&b);
}
