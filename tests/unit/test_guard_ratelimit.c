/*
 * test_guard_ratelimit.c — token buckets (src/guard/ratelimit.c) on a fake
 * clock: every time is passed in, so nothing here sleeps or depends on
 * how fast the machine is.
 */
#include "slsec/guard.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define SEC 1000000000ull
#define T0 (1000 * SEC)

static void burst_then_refill(void **state)
{
    (void)state;
    slsec_ratelimit *rl = slsec_ratelimit_new(1024);
    slsec_rate r = {.per_second = 1, .burst = 3};
    unsigned retry = 0;
    for (int i = 0; i < 3; i++)
        assert_true(slsec_ratelimit_take(rl, "route", "10.0.0.1", &r, T0, &retry));
    assert_false(slsec_ratelimit_take(rl, "route", "10.0.0.1", &r, T0, &retry));
    assert_int_equal(retry, 1);
    /* half a token is not a token */
    assert_false(slsec_ratelimit_take(rl, "route", "10.0.0.1", &r, T0 + SEC / 2, &retry));
    assert_int_equal(retry, 1);
    assert_true(slsec_ratelimit_take(rl, "route", "10.0.0.1", &r, T0 + SEC, &retry));
    assert_false(slsec_ratelimit_take(rl, "route", "10.0.0.1", &r, T0 + SEC, &retry));
    /* a long pause refills up to the burst, not beyond */
    for (int i = 0; i < 3; i++)
        assert_true(slsec_ratelimit_take(rl, "route", "10.0.0.1", &r, T0 + 100 * SEC, &retry));
    assert_false(slsec_ratelimit_take(rl, "route", "10.0.0.1", &r, T0 + 100 * SEC, &retry));
    slsec_ratelimit_free(rl);
}

static void keys_and_scopes_are_separate(void **state)
{
    (void)state;
    slsec_ratelimit *rl = slsec_ratelimit_new(1024);
    slsec_rate r = {.per_second = 1, .burst = 1};
    assert_true(slsec_ratelimit_take(rl, "a", "k1", &r, T0, NULL));
    assert_false(slsec_ratelimit_take(rl, "a", "k1", &r, T0, NULL));
    assert_true(slsec_ratelimit_take(rl, "a", "k2", &r, T0, NULL));
    assert_true(slsec_ratelimit_take(rl, "b", "k1", &r, T0, NULL));
    /* "a"+"bk" and "ab"+"k" are different buckets */
    assert_true(slsec_ratelimit_take(rl, "x", "yk", &r, T0, NULL));
    assert_true(slsec_ratelimit_take(rl, "xy", "k", &r, T0, NULL));
    /* long keys (hashed) stay distinct */
    char k1[300], k2[300];
    memset(k1, 'q', sizeof k1 - 1), k1[sizeof k1 - 1] = '\0';
    memcpy(k2, k1, sizeof k2);
    k2[150] = 'r';
    assert_true(slsec_ratelimit_take(rl, "a", k1, &r, T0, NULL));
    assert_false(slsec_ratelimit_take(rl, "a", k1, &r, T0, NULL));
    assert_true(slsec_ratelimit_take(rl, "a", k2, &r, T0, NULL));
    slsec_ratelimit_free(rl);
}

static void slow_rates_and_retry_after(void **state)
{
    (void)state;
    slsec_ratelimit *rl = slsec_ratelimit_new(1024);
    slsec_rate r = {.per_second = 0.1, .burst = 1}; /* one every 10 s */
    unsigned retry = 0;
    assert_true(slsec_ratelimit_take(rl, "s", "k", &r, T0, &retry));
    assert_false(slsec_ratelimit_take(rl, "s", "k", &r, T0, &retry));
    assert_int_equal(retry, 10);
    assert_false(slsec_ratelimit_take(rl, "s", "k", &r, T0 + 4 * SEC, &retry));
    assert_int_equal(retry, 6);
    assert_true(slsec_ratelimit_take(rl, "s", "k", &r, T0 + 10 * SEC, &retry));
    slsec_ratelimit_free(rl);
}

static void clock_going_back_refills_nothing(void **state)
{
    (void)state;
    slsec_ratelimit *rl = slsec_ratelimit_new(1024);
    slsec_rate r = {.per_second = 1, .burst = 1};
    assert_true(slsec_ratelimit_take(rl, "s", "k", &r, T0 + 50 * SEC, NULL));
    assert_false(slsec_ratelimit_take(rl, "s", "k", &r, T0, NULL));
    assert_false(slsec_ratelimit_take(rl, "s", "k", &r, T0 + 50 * SEC, NULL));
    assert_true(slsec_ratelimit_take(rl, "s", "k", &r, T0 + 51 * SEC, NULL));
    slsec_ratelimit_free(rl);
}

static void table_is_bounded_and_evicts(void **state)
{
    (void)state;
    slsec_ratelimit *rl = slsec_ratelimit_new(256);
    slsec_rate r = {.per_second = 1, .burst = 1};
    char key[32];
    /* a flood of distinct keys: every newcomer gets its first token */
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        assert_true(slsec_ratelimit_take(rl, "s", key, &r, T0 + (uint64_t)i, NULL));
    }
    assert_true(slsec_ratelimit_size(rl) <= 256);
    assert_true(slsec_ratelimit_size(rl) >= 128);
    assert_true(slsec_ratelimit_evictions(rl) >= 20000 - 256);
    /* a recently used key survives a little churn in its set */
    assert_false(slsec_ratelimit_take(rl, "s", key, &r, T0 + 20000, NULL));
    slsec_ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_then_refill),
        cmocka_unit_test(keys_and_scopes_are_separate),
        cmocka_unit_test(slow_rates_and_retry_after),
        cmocka_unit_test(clock_going_back_refills_nothing),
        cmocka_unit_test(table_is_bounded_and_evicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
