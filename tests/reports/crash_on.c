/* A renderer that crashes, for tests/reports: preloaded into the real bilan
 * (LD_PRELOAD), it aborts the process that sets the PDF title of a report
 * whose title contains $BILAN_TEST_CRASH_ON, as a Cairo bug would (issue
 * CI: `cairo_scaled_font_destroy: Assertion ... failed`); every other call
 * goes to Cairo's own function. Not linked into bilan, never installed. */
#define _GNU_SOURCE
#include <cairo-pdf.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef void (*set_metadata_fn)(cairo_surface_t *, cairo_pdf_metadata_t, const char *);

void cairo_pdf_surface_set_metadata(cairo_surface_t *surface, cairo_pdf_metadata_t metadata,
                                    const char *utf8)
{
    const char *on = getenv("BILAN_TEST_CRASH_ON");
    if (metadata == CAIRO_PDF_METADATA_TITLE && on && *on && utf8 && strstr(utf8, on)) {
        struct rlimit none = {0, 0}; /* no core file left in the build tree */
        setrlimit(RLIMIT_CORE, &none);
        abort();
    }
    set_metadata_fn real;
    *(void **)&real = dlsym(RTLD_NEXT, "cairo_pdf_surface_set_metadata");
    real(surface, metadata, utf8);
}
