/* The u64 map behind the access-log state (aggregate/hits_map.c): a sweep
 * that deletes many elements at once must leave every survivor where a
 * lookup finds it (linear probing breaks when a hole opens inside a probe
 * chain), under the churn of a log's double clicks and sessions: inserts,
 * single deletions and sweeps interleaved, tables growing, chains that wrap
 * around the end of the table. Checked against a plain array. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "hits_internal.h"

typedef struct ent {
    uint64_t key;
    int64_t t;
} ent;

static bool older_than(void *e, void *ctx)
{
    return ((ent *)e)->t < *(int64_t *)ctx;
}

/* xorshift64*: the same sequence on every machine. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

Test(u64map, sweep_keeps_every_survivor_findable)
{
    enum { N = 20000 };
    static uint64_t keys[N];
    static int64_t when[N]; /* -1: not in the map */
    uint64_t seed = 42;
    bl_u64map m;
    bl__u64map_init(&m, sizeof(ent));
    size_t live = 0;
    int64_t now = 0;
    for (int round = 0; round < 60; round++) {
        /* A burst of clicks: new keys and repeats of live ones (three
         * small keys among the random ones). */
        for (int k = 0; k < 700; k++) {
            size_t i = rnd(&seed) % N;
            if (!keys[i])
                keys[i] = i < 3 ? i + 1 : rnd(&seed) | 2; /* 1, 2, 3, then random */
            bool isnew;
            ent *e = bl__u64map_put(&m, keys[i], &isnew);
            cr_assert(e);
            cr_assert_eq(isnew, when[i] <= 0, "key %zu", i);
            if (isnew)
                live++;
            e->t = when[i] = ++now;
        }
        /* An occasional single deletion, as the caps do. */
        for (int k = 0; k < 20; k++) {
            size_t i = rnd(&seed) % N;
            if (when[i] <= 0)
                continue;
            for (size_t s = 0; s < m.cap; s++)
                if (bl__u64map_key_at(&m, s) == keys[i]) {
                    bl__u64map_del_at(&m, s);
                    break;
                }
            when[i] = 0;
            live--;
        }
        /* The sweep: everything older than a cut goes (most of the table
         * in some rounds, a little in others). */
        int64_t cut = now - (int64_t)(rnd(&seed) % 1400);
        bl__u64map_sweep(&m, sizeof(ent), older_than, &cut);
        for (size_t i = 0; i < N; i++)
            if (when[i] > 0 && when[i] < cut) {
                when[i] = 0;
                live--;
            }
        cr_assert_eq(m.count, live, "round %d", round);
        size_t seen = 0;
        for (size_t s = 0; s < m.cap; s++)
            seen += bl__u64map_key_at(&m, s) != 0;
        cr_assert_eq(seen, live);
        for (size_t i = 0; i < N; i++) {
            if (!keys[i])
                continue;
            ent *e = bl__u64map_get(&m, keys[i]);
            if (when[i] > 0) {
                cr_assert(e, "round %d: survivor %zu lost", round, i);
                cr_assert_eq(e->t, when[i]);
            } else {
                cr_assert_null(e, "round %d: %zu swept but found", round, i);
            }
        }
    }
    int64_t all = INT64_MAX;
    bl__u64map_sweep(&m, sizeof(ent), older_than, &all);
    cr_assert_eq(m.count, 0);
    bl__u64map_release(&m);
}

/* A table given its room at once (bl__u64map_reserve: a daily log starts
 * with the room of the one before) holds and finds what a table grown
 * from nothing does, and grows past that room as it must. */
Test(u64map, reserved_table_finds_what_a_grown_one_does)
{
    bl_u64map grown, held;
    bl__u64map_init(&grown, sizeof(ent));
    bl__u64map_init(&held, sizeof(ent));
    cr_assert(bl__u64map_reserve(&held, 4096));
    cr_assert_eq(held.cap, 4096);
    cr_assert_eq(held.count, 0);
    cr_assert_null(bl__u64map_get(&held, 7));
    cr_assert(bl__u64map_reserve(&held, 8192), "a table already allocated is left as it is");
    cr_assert_eq(held.cap, 4096);
    bl_u64map odd;
    bl__u64map_init(&odd, sizeof(ent));
    cr_assert_not(bl__u64map_reserve(&odd, 3000), "not a power of two: refused");
    cr_assert_null(odd.slots);
    uint64_t seed = 7;
    enum { N = 10000 }; /* past the reserved room: it grows */
    static uint64_t keys[N];
    for (int i = 0; i < N; i++) {
        keys[i] = i == 0 ? 1 : rnd(&seed);
        bool n1, n2;
        ent *a = bl__u64map_put(&grown, keys[i], &n1);
        ent *b = bl__u64map_put(&held, keys[i], &n2);
        cr_assert(a && b);
        cr_assert_eq(n1, n2);
        a->t = b->t = i;
    }
    cr_assert_eq(held.count, grown.count);
    cr_assert_eq(held.cap, grown.cap, "held %zu slots, grown %zu", held.cap, grown.cap);
    for (int i = 0; i < N; i++) {
        const ent *a = bl__u64map_get(&grown, keys[i]), *b = bl__u64map_get(&held, keys[i]);
        cr_assert(a && b, "key %d lost", i);
        cr_assert_eq(a->t, b->t);
    }
    bl__u64map_release(&grown);
    bl__u64map_release(&held);
}
