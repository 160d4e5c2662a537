/* Attribution helpers internal to the aggregate layer: IP addresses and CIDR
 * ranges, COUNTER metric names. The name maps are public (bilan/aggregate.h). */
#ifndef BILAN_ATTRIB_H
#define BILAN_ATTRIB_H

#include "bilan/aggregate.h"
#include "strmap.h"

typedef struct bl_cidr {
    int family;       /* 4 or 6 */
    uint8_t addr[16]; /* network address, IPv4 in the first 4 bytes */
    int prefix;
} bl_cidr;

/* Parses "192.0.2.0/24", "2001:db8::/32" or a single address. */
bool bl__cidr_parse(const char *s, bl_cidr *out);
/* Parses an address (IPv4 or IPv6) as written in a log. */
bool bl__ip_parse(bl_sv s, int *family, uint8_t addr[16]);
bool bl__cidr_contains(const bl_cidr *c, int family, const uint8_t addr[16]);

/* True when name is a COUNTER R5 metric bilan knows. */
bool bl__metric_known(const char *name);

#endif
