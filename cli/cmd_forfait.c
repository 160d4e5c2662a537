/* TEMPORARY: 'bilan forfait' is not built yet; this file is replaced when it lands. */
#include "cli.h"

#include <stdio.h>

int cmd_forfait(bl_cli *cli, int argc, char **argv)
{
    (void)cli, (void)argc, (void)argv;
    cli_error("'forfait' is not implemented yet");
    return BL_EX_SOFTWARE;
}
