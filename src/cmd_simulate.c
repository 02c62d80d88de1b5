/* cmd_simulate: placeholder until `wattscale simulate` lands (being written in this session). */
#include <stdio.h>

#include "commands.h"

int cmd_simulate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wattscale simulate: not implemented yet\n");
    return 2;
}
