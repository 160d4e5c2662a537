/* Dispatch of a file to its reader (format given or detected by content). */
#include "ingest_internal.h"
#include "profile_internal.h"
#include "sheet.h"

#include "bilan/i18n.h"

#include <stdlib.h>
#include <string.h>

bl_status bl_ingest_file(const char *path, const bl_ingest_opts *opts, const bl_sink *sink,
                         char **errmsg)
{
    bl_ingest_opts o = *opts;
    bl_status st;
    bool set = o.nset > 1; /* --one-source: access logs only */
    if (set)
        o.nprofiles = 0, o.profile = NULL, o.ahead = NULL;
    if (o.profile)
        o.format = BL_FMT_PROFILE;
    char head[16384];
    size_t got = 0;
    st = bl_source_peek(path, head, sizeof head, &got, errmsg);
    if (st != BL_OK)
        return st;
    /* Spreadsheets (xlsx, ods; docs/spreadsheets.md): by their magic
     * number, whatever the format asked, read by ingest/sheet_ingest.c. */
    if (bl__sheet_sniff(head, got) != BL_SHEET_NONE && !set)
        return bl__sheet_ingest(path, &o, sink, errmsg);
    if (o.format == BL_FMT_AUTO) {
        bool unknown;
        st = bl__format_detect(head, got, &o.format, errmsg, &unknown);
        /* A network without profiles: a provider's own export is read
         * through one (with profiles, the refusal below says why none). */
        if (st == BL_DATA && unknown && !o.nprofiles) {
            char *was = *errmsg;
            *errmsg = bl_strdup_printf(_("%s. A provider's own export (its own columns) is read "
                                         "through a profile of the network: profiles/ID.ini, "
                                         "docs/profiles.md"),
                                       was);
            free(was);
        }
        /* ---- profile: a file neither COUNTER nor a log is matched against
         * the network's profiles (docs/profiles.md). */
        if (st == BL_DATA && o.nprofiles && unknown) {
            char *amb = NULL;
            bl_status ms = bl__profile_match(path, &o, &o.profile, &amb);
            if (ms != BL_OK) {
                free(*errmsg);
                *errmsg = amb;
                return ms;
            }
            char *was = *errmsg;
            if (o.profile) {
                *errmsg = NULL;
                st = BL_OK;
                o.format = BL_FMT_PROFILE;
            } else if (o.nprofiles == 1) {
                *errmsg = bl_strdup_printf(_("%s; nor is it an export of the network's profile "
                                             "'%s': its header row is not among the first %d rows "
                                             "(docs/profiles.md)"),
                                           was, o.profiles[0].id, BL_PROF_HEADER_ROWS);
            } else {
                *errmsg = bl_strdup_printf(_("%s; nor is it an export of any of the network's %zu "
                                             "profiles: none has its header row among the first "
                                             "%d rows (docs/profiles.md)"),
                                           was, o.nprofiles, BL_PROF_HEADER_ROWS);
            }
            free(was);
        }
        /* ---- end profile */
        if (st != BL_OK)
            return st;
    }
    if (o.format == BL_FMT_PROFILE && !o.profile) {
        bl_status ms = bl__profile_match(path, &o, &o.profile, errmsg);
        if (ms != BL_OK)
            return ms;
        if (!o.profile) {
            *errmsg = bl_strdup_printf(_("%s: no profile of the network matches this file (%zu "
                                         "tried; see docs/profiles.md)"),
                                       path, o.nprofiles);
            return BL_DATA;
        }
    }
    if (set && (!bl_format_is_log(o.format) || bl__sheet_sniff(head, got) != BL_SHEET_NONE)) {
        *errmsg =
            bl_strdup_printf(_("%s: not an access log: --one-source reads access logs only"), path);
        return BL_DATA;
    }
    /* A log read ahead (the next of a command) goes on where it is. */
    bl_source *src = bl__log_ahead_take(o.ahead, path, o.format);
    bool ahead = src != NULL;
    if (!ahead && set) {
        st = bl_source_open_list(o.set, o.nset, o.set_starts, &src, errmsg);
        if (st != BL_OK)
            return st;
        if (o.progress)
            bl_source_set_progress(src, o.progress, o.progress_ctx);
    } else if (!ahead) {
        st = bl_source_open(path, &src, errmsg);
        if (st != BL_OK)
            return st;
        if (o.progress)
            bl_source_set_progress(src, o.progress, o.progress_ctx);
    }
    switch (o.format) {
    case BL_FMT_COUNTER5:
        st = bl_counter5_read(src, path, &o, sink, errmsg);
        break;
    case BL_FMT_COUNTER4:
        st = bl_counter4_read(src, path, &o, sink, errmsg);
        break;
    case BL_FMT_COUNTER5_JSON:
        st = bl_counter_json_read(src, path, &o, sink, NULL, errmsg);
        break;
    case BL_FMT_PROFILE:
        st = bl_profile_read(src, path, o.profile, &o, sink, errmsg);
        break;
    default:
        st = bl__log_read_with(src, ahead ? o.ahead : NULL, path, &o, sink, errmsg);
        break;
    }
    if (st == BL_OK) {
        /* A reader may stop before the end (a trailer it does not need):
         * the rest is read all the same, so that the content identity is
         * the whole file's and a damaged end refuses the file. */
        bl_file_end e;
        st = bl__source_drain(src);
        if (st != BL_OK) {
            *errmsg = bl__source_error(src, path);
            if (sink->diag) {
                bl_diag d = {BL_DIAG_FILE, path, 0, NULL, *errmsg, NULL};
                sink->diag(sink->ctx, &d);
            }
        } else if (bl__source_end(src, &e) && sink->end) {
            st = sink->end(sink->ctx, &e);
        }
    }
    bl_source_close(src);
    return st;
}
