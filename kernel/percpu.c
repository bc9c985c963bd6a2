#include "kernel/percpu.h"

struct percpu percpu_areas[MAX_CPUS];
