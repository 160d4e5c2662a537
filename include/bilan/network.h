/* bilan — ingest layer, public side: the network's reference lists
 * (DESIGN §3, docs/network.md). partners.csv, libraries.csv, resources.csv
 * and the optional forfaits.csv, read and validated cell by cell into plain
 * structs; the store writes them (bl_store_network_write in bilan/store.h).
 *
 * The structs are plain values: any layer may read them. A bl_network owns
 * every string it points to; bl_network_release frees them all.
 */
#ifndef BILAN_NETWORK_H
#define BILAN_NETWORK_H

#include "bilan/common.h"

/* Every `line` is the row's physical line in its file (a quoted cell may
 * span lines), for messages. */

typedef struct bl_net_partner {
    unsigned long line;
    const char *id, *name;
    const char *kind;        /* folded: commune, cc, ca, cu, departement or other */
    int64_t population;      /* 0..BL_COUNT_MAX */
    int64_t population_year; /* 0 when not given */
    int64_t rate_e4;         /* euros per inhabitant, in 1/10 000 */
    const char *emails;      /* the cell as written (each item checked), "" when none */
    /* The optional `article` column: "le", "la", "l'", "les", "-" (none),
     * "" when not given (then inferred, bl_render_partner_of). */
    const char *article;
} bl_net_partner;

/* The network's identity (network.csv, optional, one row; docs/network.md):
 * its name (shown instead of any generic wording), a short name, a PNG
 * logo (path relative to the network folder, as written; its bytes read
 * and checked), a contact address and a website; "" when not given. */
typedef struct bl_net_identity {
    unsigned long line;
    const char *name, *short_name, *logo, *contact_email, *website;
    const unsigned char *logo_png; /* NULL when no logo */
    size_t logo_len;
} bl_net_identity;

/* The largest logo accepted: a logo is drawn a few centimetres wide. */
#define BL_LOGO_MAX_BYTES ((size_t)1 << 20)

typedef struct bl_net_library {
    unsigned long line;
    const char *id, *partner_id, *name;
    const char *const *aliases; /* trimmed, non-empty, unique across the network (ASCII case) */
    size_t naliases;
    const char *const *ip_ranges; /* as written, each a valid range (bl_cidr_parse) */
    size_t nranges;
    /* The months it is a member of the network, both included (month
     * indexes, bl_month_index; -1 when the column is absent or empty). */
    int member_from, member_until;
} bl_net_library;

typedef struct bl_net_resource {
    unsigned long line;
    const char *id, *name;
    const char *provider; /* "" when none */
    const char *kind;     /* folded: ebook, press, video, music, training, games, youth, other */
    int64_t annual_cost_cents;
    const char *url_pattern, *request_pattern; /* PCRE2 that compile, "" when none */
    const char *headline_metric;               /* a COUNTER R5 metric */
    const char *const *counter_names;          /* unique across the network (ASCII case) */
    size_t ncounter_names;
} bl_net_resource;

typedef struct bl_net_forfait {
    unsigned long line;
    const char *id, *resource_id;
    int64_t units;
    char start[11], end[11];          /* YYYY-MM-DD, end >= start */
    const char *metric;               /* a COUNTER R5 metric */
    int64_t monthly_cap;              /* -1 when none */
    int64_t per_patron_monthly_quota; /* -1 when none */
    int64_t alert_percent;            /* 1..100, 80 when not given */
} bl_net_forfait;

/* A COUNTER_SUSHI endpoint (sushi.csv, docs/sushi.md). Secrets are never
 * here: requestor_ref and api_key_ref are "" or a reference, "env:NAME" or
 * "file:PATH", resolved only when a request is made. */
typedef struct bl_net_sushi {
    unsigned long line;
    const char *id;
    const char *url; /* base URL, no trailing '/', no query; https, or http to loopback */
    int release;     /* 5 or 51 (R5.1: paths under /r51/) */
    const char *customer_id;
    const char *requestor_ref, *api_key_ref; /* "", "env:NAME" or "file:/PATH" */
    const char *platform;                    /* "" when none */
    const char *const *reports;              /* upper case report ids, at least one (PR) */
    size_t nreports;
    const char *library_id; /* "" when none */
    bool month_dates;       /* date_format yyyy-mm (else yyyy-mm-dd) */
} bl_net_sushi;

struct bl_net_arena;

/* The whole network, each list in file order. Zero-initialise, or let
 * bl_network_read fill it. */
typedef struct bl_network {
    bl_net_partner *partners;
    size_t npartners;
    bl_net_library *libraries;
    size_t nlibraries;
    bl_net_resource *resources;
    size_t nresources;
    bl_net_forfait *forfaits; /* none when forfaits.csv is absent */
    size_t nforfaits;
    bl_net_sushi *sushi; /* none when sushi.csv is absent */
    size_t nsushi;
    bl_net_identity *identity; /* NULL when network.csv is absent */
    char *notes;               /* what was read but not used, a line each ("\n"), or NULL */
    struct bl_net_arena *mem;  /* owns every string and list above */
} bl_network;

/* Reads and validates DIR/partners.csv, DIR/libraries.csv, DIR/resources.csv
 * DIR/forfaits.csv, DIR/sushi.csv and DIR/network.csv (when present), in that order, stopping at
 * the first problem. Ids are unique in their file, every reference names an id of the files before
 * it, aliases and counter names are unique across the network.
 *
 * BL_OK with *net filled (release it); otherwise *net is empty and err holds
 * the reason: "FILE:LINE:COLUMN: reason" for a bad cell, "FILE:LINE: reason"
 * for a bad row, "FILE:1: missing column 'x'" (FILE is DIR/name). BL_DATA for
 * bad data, BL_NOINPUT when a required file is missing, BL_IO, BL_NOMEM.
 * An err of 1024 bytes holds what bilan prints. */
bl_status bl_network_read(const char *dir, bl_network *net, char *err, size_t errlen);
/* Frees everything net owns and zeroes it; NULL and a zeroed net are fine. */
void bl_network_release(bl_network *net);
/* Adds a line to net->notes (what the import tells without refusing). */
bl_status bl_network_note(bl_network *net, const char *line);

#endif
