/* Helpers shared by the devices of this part; not part of its face (dev.h). */
#ifndef RINGSIDE_DEV_DEV_INTERNAL_H
#define RINGSIDE_DEV_DEV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "machine/machine.h"

/* dev_input_poll results other than a byte (0..255). */
#define DEV_INPUT_NONE (-1) /* nothing waiting now: ask again later */
#define DEV_INPUT_EOF  (-2) /* end of input or a read error: stop asking */

/* One byte of guest input from host fd, without ever blocking (poll() with timeout 0, then a
 * 1-byte read()). Callers turn DEV_INPUT_EOF into "no input" for good (they set their fd to -1),
 * so a closed descriptor is never polled in a loop. */
int dev_input_poll(int fd);

/* Places a device on the bus (memory space, or the I/O-port space if port_io) and hands it to the
 * machine, which frees it with destroy. Either both happen or neither: on -1 (message in err) the
 * bus does not refer to the device and the caller still owns it. The machine's room for one more
 * owned object is checked before the bus is touched, since a region cannot be taken back. */
int dev_register(struct machine *m, bool port_io, const struct bus_region *region,
                 void (*destroy)(void *object), char *err, size_t errlen);

#endif
