/* TEMPORARY: 'bilan key' is not built yet; this file is replaced when it lands. */
#include "cli.h"

#include <stdio.h>

int cmd_key(bl_cli *cli, int argc, char **argv)
{
    (void)cli, (void)argc, (void)argv;
    cli_error("'key' is not implemented yet");
    return BL_EX_SOFTWARE;
}
