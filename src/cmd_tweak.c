/* cmd_tweak: placeholder until `wattscale tweak` lands (being written in this session). */
#include <stdio.h>

#include "commands.h"

int cmd_tweak(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wattscale tweak: not implemented yet\n");
    return 2;
}
