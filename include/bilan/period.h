/* bilan — report periods (DESIGN §5: YYYY-MM, YYYY-S1, YYYY-S2, YYYY) and
 * "today" as the read side sees it. The one period type of every layer:
 * reports, mail and their command lines all use it.
 *
 * Ownership: arguments are borrowed; results are written into the caller's
 * structs and buffers.
 */
#ifndef BILAN_PERIOD_H
#define BILAN_PERIOD_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef enum bl_period_kind { BL_PERIOD_MONTH, BL_PERIOD_SEMESTER, BL_PERIOD_YEAR } bl_period_kind;

typedef struct bl_period {
    bl_period_kind kind;
    int first, last; /* month indexes (bl_month_index), inclusive */
    char id[16];     /* as written in file names: "2026-05", "2026-S1", "2026" */
} bl_period;

/* Parses a period; false when malformed. */
bool bl_period_parse(const char *s, bl_period *p);
/* French label: "mai 2026", "1er semestre 2026", "année 2026". Returns out. */
char *bl_period_label(char *out, size_t n, const bl_period *p);
/* The period of the same length just before p. */
bl_period bl_period_previous(const bl_period *p);

/* Where a period stands on a given day (days since 1970): not begun (its
 * first month is after today's month: reports and mail refuse it), running
 * (today's month is inside it: its figures are « provisoires »), or over. */
typedef enum bl_period_state {
    BL_PERIOD_NOT_BEGUN,
    BL_PERIOD_RUNNING,
    BL_PERIOD_OVER
} bl_period_state;
bl_period_state bl_period_state_at(const bl_period *p, int64_t today_days);

/* Parses a number of seconds since 1970 as SOURCE_DATE_EPOCH writes it
 * (decimal digits only, at least one): the pinned "today" of reports and
 * mail, which gives the same bytes from the same data. False when s is
 * anything else or does not fit 64 bits. Only cli/ reads the variable; it
 * passes the day down. */
bool bl_epoch_parse(const char *s, int64_t *out);

#endif
