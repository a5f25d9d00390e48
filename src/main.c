/* ringside command line (placeholder while the foundation is assembled). */
#include <stdio.h>
#include "version.h"
int main(void)
{
    printf("ringside %s\n", RINGSIDE_VERSION);
    return 0;
}
