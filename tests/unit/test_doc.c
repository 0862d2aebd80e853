/*
 * test_doc.c — the YAML/JSON reader (src/doc) where it departs from
 * libfyaml: ill-formed UTF-8 is refused with its position, and
 * single-quoted scalars with '' escapes are decoded by slsec itself
 * (libfyaml 0.7.12 mis-decodes and leaks on runs of them).
 */
#include "slsec/doc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Parses text and returns the scalar under key "a" of the root mapping. */
static const char *value_of_a(slsec_arena *a, const char *text)
{
    slsec_doc doc;
    slsec_diag d = {0};
    assert_int_equal(slsec_doc_parse(a, "t.yaml", text, strlen(text), &doc, &d), SLSEC_OK);
    const slsec_node *v = slsec_node_get(doc.root, "a");
    assert_non_null(v);
    return slsec_node_str(v);
}

static void single_quoted_escapes(void **state)
{
    (void)state;
    slsec_arena *a = slsec_arena_new();
    assert_string_equal(value_of_a(a, "a: 'it''s'\n"), "it's");
    assert_string_equal(value_of_a(a, "a: ''''''''''''''\n"), "''''''");
    assert_string_equal(value_of_a(a, "a: 'q''''''''''''1'\n"), "q''''''1");
    assert_string_equal(value_of_a(a, "a: 'no escapes here'\n"), "no escapes here");
    slsec_arena_free(a);
}

static void single_quoted_folding(void **state)
{
    (void)state;
    slsec_arena *a = slsec_arena_new();
    /* a break folds to a space, a blank line to a newline, and the white
     * space around breaks goes */
    assert_string_equal(value_of_a(a, "a: 'x''y  \n   z'\n"), "x'y z");
    assert_string_equal(value_of_a(a, "a: 'x''y\n\n   z'\n"), "x'y\nz");
    assert_string_equal(value_of_a(a, "a: 'x''y\r\n\r\n\r\n  z'\n"), "x'y\n\nz");
    slsec_arena_free(a);
}

static void invalid_utf8_has_a_position(void **state)
{
    (void)state;
    slsec_arena *a = slsec_arena_new();
    slsec_doc doc;
    slsec_diag d = {0};
    /* the directive case once made libfyaml loop forever */
    const char directive[] = "%\xc4\n";
    assert_int_equal(slsec_doc_parse(a, "t.yaml", directive, strlen(directive), &doc, &d),
                     SLSEC_EPARSE);
    assert_int_equal(d.line, 1);
    assert_int_equal(d.col, 2);
    const char later[] = "a: 1\nb: 'caf\xc3\xa9 \xff'\n";
    assert_int_equal(slsec_doc_parse(a, "t.yaml", later, strlen(later), &doc, &d), SLSEC_EPARSE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 10);
    assert_non_null(strstr(d.message, "UTF-8"));
    slsec_arena_free(a);
}

/* The ASCII fast path reads eight bytes at a time: an invalid byte, or a
 * valid multi-byte character, at every position of a longer text. */
static void invalid_utf8_offset_at_every_position(void **state)
{
    (void)state;
    char text[40];
    for (size_t at = 0; at < sizeof text; at++) {
        memset(text, 'a', sizeof text);
        text[at] = (char)0xff;
        assert_int_equal(slsec_utf8_invalid_offset(text, sizeof text), at);
        if (at + 2 <= sizeof text) {
            memset(text, 'a', sizeof text);
            text[at] = (char)0xc3, text[at + 1] = (char)0xa9;
            assert_int_equal(slsec_utf8_invalid_offset(text, sizeof text), sizeof text);
            assert_int_equal(slsec_utf8_invalid_offset(text, at + 1), at); /* cut inside the character */
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_quoted_escapes),
        cmocka_unit_test(single_quoted_folding),
        cmocka_unit_test(invalid_utf8_has_a_position),
        cmocka_unit_test(invalid_utf8_offset_at_every_position),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
