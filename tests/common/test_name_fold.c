/* The one rule for comparing names (bl_name_fold): case, accents of Latin
 * letters and spacing do not count; everything else does. */
#include <criterion/criterion.h>
#include <string.h>

#include "bilan/common.h"

static const char *key(const char *name)
{
    static char out[256];
    size_t n = bl_name_fold(bl_sv_from(name), out, sizeof out);
    cr_assert_eq(n, strlen(out), "%s", name);
    cr_assert_leq(n, strlen(name), "a key is never longer than its name: %s", name);
    return out;
}

Test(name_fold, accented_capitals_fold_to_their_base_letter)
{
    cr_assert_str_eq(key("Médiathèque Élise Deroche"), "mediatheque elise deroche");
    cr_assert_str_eq(key("MÉDIATHÈQUE ÉLISE DEROCHE"), "mediatheque elise deroche");
    cr_assert_str_eq(key("MéDIATHèQUE éLISE DEROCHE"), "mediatheque elise deroche");
    cr_assert_str_eq(key("BIBLIOTHÈQUE DES ÎLES"), "bibliotheque des iles");
    cr_assert_str_eq(key("ÇÀÂÄÉÈÊËÎÏÔÖÙÛÜÑÝ"), "caaaeeeeiioouuuny");
    cr_assert_str_eq(key("çàâäéèêëîïôöùûüñý"), "caaaeeeeiioouuuny");
    cr_assert_str_eq(key("L'HAŸ-LES-ROSES"), "l'hay-les-roses");
    cr_assert_str_eq(key("ÿ"), "y");
}

Test(name_fold, ligatures_are_two_letters)
{
    cr_assert_str_eq(key("Œuvres"), "oeuvres");
    cr_assert_str_eq(key("cœur"), "coeur");
    cr_assert_str_eq(key("ÆSOPE æsope"), "aesope aesope");
}

Test(name_fold, white_space_trimmed_and_collapsed)
{
    cr_assert_str_eq(key("  Médiathèque \t Élise\tDeroche  "), "mediatheque elise deroche");
    /* No-break spaces, as spreadsheets leave them, are spaces. */
    cr_assert_str_eq(key(BL_NBSP "Médiathèque" BL_NBSP "Élise" BL_NNBSP " Deroche" BL_NNBSP),
                     "mediatheque elise deroche");
    cr_assert_str_eq(key(" \t" BL_NBSP), "");
    cr_assert_str_eq(key(""), "");
}

Test(name_fold, digits_punctuation_and_other_text_kept)
{
    cr_assert_str_eq(key("PNB:BM-04 (Saint-Étienne, 2e)"), "pnb:bm-04 (saint-etienne, 2e)");
    cr_assert_str_eq(key("Straße × 3"), "straße × 3");
    cr_assert_str_eq(key("Ελληνικά"), "Ελληνικά"); /* not Latin: as written */
    cr_assert_str_eq(key("Ł€"), "Ł€");
}

Test(name_fold, invalid_utf8_kept_as_bytes)
{
    /* A lone lead byte, a lead byte before ASCII, a stray continuation byte,
     * a cut no-break space: each byte as it is, nothing read past the end. */
    cr_assert_str_eq(key("A\xC3"), "a\xC3");
    cr_assert_str_eq(key("\xC3"
                         "A"),
                     "\xC3"
                     "a");
    cr_assert_str_eq(key("\x80\xBF"
                         "B"),
                     "\x80\xBF"
                     "b");
    cr_assert_str_eq(key("x\xC2"), "x\xC2");
    cr_assert_str_eq(key("x\xE2\x80"), "x\xE2\x80");
    cr_assert_str_eq(key("\xC5"), "\xC5");
    char buf[4];
    const char s[] = {'\xC3', '\x89'}; /* É, not NUL-terminated */
    cr_assert_eq(bl_name_fold((bl_sv){s, 1}, buf, sizeof buf), 1);
    cr_assert_eq(buf[0], '\xC3');
}

Test(name_fold, truncated_at_a_whole_letter)
{
    char out[4];
    cr_assert_eq(bl_name_fold(bl_sv_from("ABCDE"), out, sizeof out), 3);
    cr_assert_str_eq(out, "abc");
    cr_assert_eq(bl_name_fold(bl_sv_from("ABŒ"), out, sizeof out), 2);
    cr_assert_str_eq(out, "ab", "oe whole or not at all");
    cr_assert_eq(bl_name_fold(bl_sv_from("AB"), out, 1), 0);
    cr_assert_str_eq(out, "");
}

Test(name_fold, letter_step)
{
    char f[2];
    size_t fn = 0;
    cr_assert_eq(bl_fold_letter("É", 2, f, &fn), 2);
    cr_assert_eq(fn, 1);
    cr_assert_eq(f[0], 'e');
    cr_assert_eq(bl_fold_letter("œ", 2, f, &fn), 2);
    cr_assert_eq(fn, 2);
    cr_assert(f[0] == 'o' && f[1] == 'e');
    cr_assert_eq(bl_fold_letter("É", 1, f, &fn), 0, "a cut letter is no letter");
    cr_assert_eq(bl_fold_letter("7", 1, f, &fn), 0);
    cr_assert_eq(bl_fold_letter("ß", 2, f, &fn), 0);
    cr_assert_eq(bl_fold_letter("", 0, f, &fn), 0);
}
