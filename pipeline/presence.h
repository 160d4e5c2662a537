/* Whose data the store holds (docs/trust.md, "Whose data is missing"):
 * the resources of the network with, over a 24-month window, the months a
 * source about every library has and each library's own reports have, and
 * the rule that says whether a month has data, or part of it, in a scope
 * (the network, a partner, a library). Shared by the report models
 * (pipeline/model.c), the forfaits' months with data (pipeline/forfait.c)
 * and `bilan gaps`. Internal to the pipeline layer. */
#ifndef BILAN_PIPELINE_PRESENCE_H
#define BILAN_PIPELINE_PRESENCE_H

#include "bilan/model.h"
#include "bilan/store.h"

/* Whose data the store holds for a resource (docs/trust.md, "Whose data is
 * missing"): net[k], a source about every library has rows for month k;
 * own[], the libraries that send their own reports of it, each with the
 * months it has and the first of them in the window. */
typedef struct own_lib {
    char *library_id;
    bool has[BL_WINDOW];
    bool early[BL_WINDOW]; /* only from a report made before the month was over */
    /* named in a report about every library that covers the month (a
     * consortium's report that took over its account): its figure is there */
    bool named[BL_WINDOW];
    bool named_early[BL_WINDOW]; /* named there, the report made before the month was over */
    int from;
    long lib; /* its entry in reslist.names, -1: no longer in the network */
} own_lib;

/* A library whose figure of the resource a rejected row held (whatever
 * kind of report it was in), the months it did. */
typedef struct rejected_lib {
    long lib; /* its entry in reslist.names */
    bool month[BL_WINDOW];
    bool whole[BL_WINDOW]; /* no other row gives part of it: the library's figure is unknown */
} rejected_lib;

/* A library a report about every library names (whatever it sends), the
 * months that report covers, whole or in part: its figure is there. */
typedef struct named_lib {
    long lib; /* its entry in reslist.names */
    bool month[BL_WINDOW];
} named_lib;

typedef struct presence {
    bool any_net; /* a report about every library has data of it in some month of the window */
    bool net[BL_WINDOW];
    bool net_early[BL_WINDOW];        /* only from reports made before the month was over */
    bool net_unattributed[BL_WINDOW]; /* rows about every library, none with a library */
    bool net_has[BL_WINDOW];          /* the network's scope has data (bl__network_has) */
    own_lib *own;
    size_t n_own;
    rejected_lib *rej;
    size_t n_rej;
    named_lib *named;
    size_t n_named;
} presence;

typedef struct libname {
    char *id, *name, *partner_id;
    int member_from, member_until; /* months, both included; -1: open */
} libname;

/* Whether a library whose membership is [from, until] (-1: open) is a
 * member of the network in month mi, and in any month of [first, last]
 * (docs/network.md, "Members who join or leave"). */
static inline bool bl__member(int from, int until, int mi)
{
    return (from < 0 || mi >= from) && (until < 0 || mi <= until);
}
static inline bool bl__member_during(int from, int until, int first, int last)
{
    return (from < 0 || from <= last) && (until < 0 || until >= first);
}

typedef struct reslist {
    bl_model_resource *v;
    size_t n, alloc;
    int wfirst;
    presence *p; /* n entries, once loaded */
    libname *names;
    size_t n_names, names_alloc;
} reslist;

/* Releases what bl__load_resources filled. */
void bl__reslist_release(reslist *l);
/* The resources, sorted by name, with whose data the store holds for the
 * window of BL_WINDOW months from wfirst (presence) and the libraries'
 * names and partners. */
bl_status bl__load_resources(bl_store *st, int wfirst, reslist *l);
/* Month slot k of a resource in a scope: m without a partner and
 * partner_id NULL, the network; m with a partner, its libraries;
 * partner_id, that partner's. *has: a source about every library has rows
 * for it (or a report covers it), or a library of the scope its own;
 * *part: has, but a library of the scope that sends its own reports (since
 * its first month in the window, while a member) lacks that month's, whose
 * names go to gap (one a line) when gap is not NULL. */
bl_status bl__scope_month(const reslist *l, const presence *p, int k, const bl_model *m,
                          const char *partner_id, bool *has, bool *part, bl_buf *gap);
/* One library's figure of p's resource in slot k (bl__scope_month's rule
 * for a scope of one library): has, its own report's when it sends them
 * (from its first month), else a report about every library's, unless a
 * rejected row held it alone; part, has but a part of the month (a report
 * made before its end, once over; a rejected row among others); quiet, no
 * data and none expected (before the first of its own reports, or not a
 * member that month): "—" but not a missing month of its sums. */
typedef struct bl_library_month {
    bool has, part, quiet;
} bl_library_month;
bl_library_month bl__library_month(const reslist *l, const presence *p, const bl_model *m,
                                   const bl_model_library *lib, int k);
/* Whether the network has data of resource ri in month mi (the network's
 * scope_month, judged once when the presence is loaded; false outside the
 * window). */
bool bl__network_has(const reslist *l, size_t ri, int mi);
/* Whether the window's data of a resource is only other libraries' own
 * reports than the scope's (bl_model_resource.elsewhere). */
bool bl__elsewhere(const reslist *l, const presence *p, const bl_model *m, const char *partner_id);
/* The index of resource id in v, or -1. */
long bl__find_resource(const bl_model_resource *v, size_t n, const char *id);

#endif
