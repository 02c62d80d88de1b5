/* cmd_sweep: placeholder until `wattscale sweep` lands (being written in this session). */
#include <stdio.h>

#include "commands.h"

int cmd_sweep(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wattscale sweep: not implemented yet\n");
    return 2;
}
