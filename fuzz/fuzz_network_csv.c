/* Fuzz target: the network's lists as bilan network import reads them
 * (bl_network_read: the CSV table reader, then every cell's validation).
 * The input is partners.csv, libraries.csv, resources.csv and forfaits.csv
 * separated by form feeds ('\f'); a file the input does not reach is
 * absent, so a missing required or optional file is fuzzed too. */
#include "fuzz_common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bilan/network.h"

static const char *const files[4] = {"partners.csv", "libraries.csv", "resources.csv",
                                     "forfaits.csv"};

static char work[64];

/* Leaves nothing behind when the fuzzer exits. */
static void remove_workdir(void)
{
    char path[128];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", work, files[i]);
        unlink(path);
    }
    rmdir(work);
}

/* One folder for the whole run (in memory when /dev/shm exists). */
static const char *workdir(void)
{
    if (!work[0]) {
        snprintf(work, sizeof work, "%s", "/dev/shm/fuzz_network.XXXXXX");
        if (!mkdtemp(work)) {
            snprintf(work, sizeof work, "%s", "/tmp/fuzz_network.XXXXXX");
            if (!mkdtemp(work))
                abort();
        }
        atexit(remove_workdir);
    }
    return work;
}

static void put(const char *dir, const char *name, const uint8_t *p, size_t n, bool present)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    if (!present)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            abort();
        p += w, n -= (size_t)w;
    }
    close(fd);
}

static void str(const char *s)
{
    if (!s)
        abort();
    fz_touch(s, strlen(s) + 1);
}

static void id(const char *s)
{
    str(s);
    if (!bl_id_valid(s))
        abort();
}

static void list(const char *const *items, size_t n)
{
    if (n && !items)
        abort();
    for (size_t i = 0; i < n; i++) {
        str(items[i]);
        if (!items[i][0])
            abort();
    }
}

/* What bl_network_read promises of a network it returns. */
static void check(const bl_network *net)
{
    for (size_t i = 0; i < net->npartners; i++) {
        const bl_net_partner *p = &net->partners[i];
        id(p->id);
        str(p->name);
        str(p->kind);
        str(p->emails);
        if (p->population < 0 || p->population > BL_COUNT_MAX || p->rate_e4 < 0)
            abort();
    }
    for (size_t i = 0; i < net->nlibraries; i++) {
        const bl_net_library *l = &net->libraries[i];
        id(l->id);
        id(l->partner_id);
        str(l->name);
        list(l->aliases, l->naliases);
        list(l->ip_ranges, l->nranges);
        bl_cidr c;
        for (size_t k = 0; k < l->nranges; k++)
            if (!bl_cidr_parse(l->ip_ranges[k], &c))
                abort();
        /* Membership: each month absent (-1) or a real one, the end not
         * before the start. */
        if (l->member_from < -1 || l->member_until < -1 ||
            (l->member_from >= 0 && l->member_until >= 0 && l->member_until < l->member_from))
            abort();
    }
    for (size_t i = 0; i < net->nresources; i++) {
        const bl_net_resource *r = &net->resources[i];
        id(r->id);
        str(r->name);
        str(r->provider);
        str(r->kind);
        str(r->url_pattern);
        str(r->request_pattern);
        str(r->headline_metric);
        list(r->counter_names, r->ncounter_names);
    }
    for (size_t i = 0; i < net->nforfaits; i++) {
        const bl_net_forfait *f = &net->forfaits[i];
        id(f->id);
        id(f->resource_id);
        str(f->metric);
        if (f->units < 1 || strlen(f->start) != 10 || strlen(f->end) != 10 ||
            strcmp(f->end, f->start) < 0 || f->alert_percent < 1 || f->alert_percent > 100)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = workdir();
    const uint8_t *p = data, *end = data + size;
    for (int i = 0; i < 4; i++) {
        bool present = p <= end && (i == 0 || p > data);
        const uint8_t *ff = present ? memchr(p, '\f', (size_t)(end - p)) : NULL;
        size_t n = present ? (size_t)((ff ? ff : end) - p) : 0;
        put(dir, files[i], p, n, present);
        p = ff ? ff + 1 : end + 1;
    }
    bl_network net;
    char err[1024];
    err[0] = '\0';
    bl_status rc = bl_network_read(dir, &net, err, sizeof err);
    if (rc == BL_OK) {
        check(&net);
    } else {
        /* Every failure says why, naming its file. */
        if (!err[0] || !strstr(err, ".csv"))
            abort();
        if (net.partners || net.npartners || net.mem)
            abort();
    }
    bl_network_release(&net);
    return 0;
}
