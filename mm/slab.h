/*
 * kmalloc: power-of-two size classes from 32 to 2048 bytes, one page per
 * slab with an allocation bitmap in its struct page (so a double free or a
 * pointer into the middle of an object is detected exactly).  Larger sizes
 * get whole pages.  Empty slabs go straight back to the page allocator, so
 * the free-page count after a test says whether it leaked.
 */
#ifndef PTLAB_MM_SLAB_H
#define PTLAB_MM_SLAB_H

#include "mm/page_alloc.h"

#define KMALLOC_MIN 32
#define KMALLOC_MAX_CACHED 2048

void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void kfree(const void *p);

/* Objects currently allocated (all sizes), for the leak check. */
unsigned long kmalloc_live_objects(void);

/* Problems kfree detected. */
enum kfree_misuse { KFREE_DOUBLE, KFREE_NOT_OBJECT, KFREE_WRONG_PAGE,
		    KFREE_POISON, KFREE_NR };
unsigned long kfree_misuse_count(enum kfree_misuse kind);

#define SLAB_POISON 0x5a

#endif
