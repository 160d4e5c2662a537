/* TEMPORARY: 'bilan rejects' is not built yet; this file is replaced when it lands. */
#include "cli.h"

#include <stdio.h>

int cmd_rejects(bl_cli *cli, int argc, char **argv)
{
    (void)cli, (void)argc, (void)argv;
    cli_error("'rejects' is not implemented yet");
    return BL_EX_SOFTWARE;
}
