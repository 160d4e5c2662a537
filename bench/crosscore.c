/* The time a cache line takes to go from one CPU to another and back, as
 * bench/run prints it next to each case: two threads pinned to CPUs A and B
 * (default 0 and 1) pass a counter back and forth through one cache line.
 *
 * On a virtual machine the host places the virtual CPUs where it likes and
 * moves them: on 1 December the two CPUs of the measuring VM were 110 ns
 * apart at times and 480-950 ns at others, minutes apart, and bilan's COUNTER
 * CSV reader, two threads passing every row from one CPU to the other, went
 * from 1.62x its one-thread floor to 0.97x with it (the logs' figures moved
 * as much with the two CPUs' speeds: docs/bench.md). A figure is only
 * comparable with one measured in the same state.
 *
 *   crosscore [A B]   prints the median round trip of 7 batches, in ns
 *   exit 0, or 1 when the CPUs cannot be pinned (fewer than two) */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TRIPS 20000
#define BATCHES 7

static _Alignas(64) atomic_long flag;
static int cpu_a, cpu_b;

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *echo(void *arg)
{
    (void)arg;
    if (pin(cpu_b) != 0) {
        atomic_store_explicit(&flag, -1, memory_order_release);
        return NULL;
    }
    for (long i = 0; i < (long)TRIPS * BATCHES; i++) {
        while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 1)
            ;
        atomic_store_explicit(&flag, 2 * i + 2, memory_order_release);
    }
    return NULL;
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    cpu_a = argc > 2 ? atoi(argv[1]) : 0;
    cpu_b = argc > 2 ? atoi(argv[2]) : 1;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || cpu_a == cpu_b || cpu_a < 0 ||
        cpu_b < 0 || cpu_a >= CPU_SETSIZE || cpu_b >= CPU_SETSIZE || !CPU_ISSET(cpu_a, &allowed) ||
        !CPU_ISSET(cpu_b, &allowed) || pin(cpu_a) != 0) {
        fprintf(stderr, "crosscore: cannot run on CPUs %d and %d\n", cpu_a, cpu_b);
        return 1;
    }
    pthread_t th;
    if (pthread_create(&th, NULL, echo, NULL) != 0)
        return 1;
    double ns[BATCHES];
    long i = 0;
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (long k = 0; k < TRIPS; k++, i++) {
            long v = 2 * i + 1;
            if (atomic_exchange_explicit(&flag, v, memory_order_acq_rel) < 0)
                return 1; /* the other thread could not be pinned */
            while ((v = atomic_load_explicit(&flag, memory_order_acquire)) != 2 * i + 2)
                if (v < 0)
                    return 1;
        }
        ns[b] = (now_ns() - t0) / TRIPS;
    }
    pthread_join(th, NULL);
    qsort(ns, BATCHES, sizeof *ns, cmp);
    printf("%.0f\n", ns[BATCHES / 2]);
    return 0;
}
