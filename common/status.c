/* Status codes: their text and their sysexits.h exit code, from one list. */
#include "bilan/common.h"
#include "bilan/i18n.h"

static const char *const texts[] = {
#define X(name, code, text) text,
    BL_STATUS_MAP(X)
#undef X
};
static const int codes[] = {
#define X(name, code, text) code,
    BL_STATUS_MAP(X)
#undef X
};

const char *bl_status_str(bl_status st)
{
    if ((unsigned)st >= BL__STATUS_COUNT)
        return _("unknown status");
    return _(texts[st]);
}

int bl_status_exit(bl_status st)
{
    if ((unsigned)st >= BL__STATUS_COUNT)
        return BL_EX_SOFTWARE;
    return codes[st];
}
