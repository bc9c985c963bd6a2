#include "mm/fault_inject.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "lib/string.h"

struct fault_attr fail_page_alloc = { .name = "fail_page_alloc" };
struct fault_attr fail_kmalloc = { .name = "fail_kmalloc" };

bool should_fail(struct fault_attr *a)
{
	unsigned long flags;
	bool fail;

	if (!READ_ONCE(a->enabled))
		return false;
	flags = spin_lock_irqsave(&a->lock);
	a->calls++;
	if (a->every)
		fail = a->calls % a->every == 0;
	else
		fail = rand_below(&a->rng, 100) < a->percent;
	a->injected += fail;
	spin_unlock_irqrestore(&a->lock, flags);
	return fail;
}

void fault_attr_set(struct fault_attr *a, uint32_t every, uint32_t percent,
		    uint64_t seed)
{
	unsigned long flags = spin_lock_irqsave(&a->lock);

	a->every = every;
	a->percent = percent > 100 ? 100 : percent;
	rand_seed(&a->rng, seed);
	a->calls = 0;
	a->injected = 0;
	WRITE_ONCE(a->enabled, every > 0 || percent > 0);
	spin_unlock_irqrestore(&a->lock, flags);
}

void fault_attr_save(struct fault_attr *a, struct fault_attr_saved *s)
{
	unsigned long flags = spin_lock_irqsave(&a->lock);

	s->enabled = a->enabled;
	s->every = a->every;
	s->percent = a->percent;
	s->rng = a->rng;
	s->calls = a->calls;
	s->injected = a->injected;
	spin_unlock_irqrestore(&a->lock, flags);
}

void fault_attr_restore(struct fault_attr *a, const struct fault_attr_saved *s)
{
	unsigned long flags = spin_lock_irqsave(&a->lock);

	a->every = s->every;
	a->percent = s->percent;
	a->rng = s->rng;
	a->calls = s->calls;
	a->injected = s->injected;
	WRITE_ONCE(a->enabled, s->enabled);
	spin_unlock_irqrestore(&a->lock, flags);
}

int fault_attr_parse(struct fault_attr *a, const char *s, size_t len)
{
	uint64_t n, seed = 1;
	size_t num_len = len;
	bool percent = false;

	for (size_t i = 0; i < len; i++)
		if (s[i] == ',') {
			num_len = i;
			if (parse_u64(s + i + 1, len - i - 1, 0, &seed))
				return -EINVAL;
			break;
		}
	if (num_len && s[num_len - 1] == '%') {
		percent = true;
		num_len--;
	}
	if (parse_u64(s, num_len, 10, &n) || n == 0 ||
	    (percent && n > 100) || n > UINT32_MAX)
		return -EINVAL;
	fault_attr_set(a, percent ? 0 : (uint32_t)n, percent ? (uint32_t)n : 0,
		       seed);
	return 0;
}

static int set_fail_page_alloc(const char *v, size_t len)
{
	return fault_attr_parse(&fail_page_alloc, v, len);
}
KERNEL_PARAM("fail_page_alloc", set_fail_page_alloc,
	     "<N>|<P>%[,<seed>]: fail every Nth / P% of page allocations");

static int set_fail_kmalloc(const char *v, size_t len)
{
	return fault_attr_parse(&fail_kmalloc, v, len);
}
KERNEL_PARAM("fail_kmalloc", set_fail_kmalloc,
	     "<N>|<P>%[,<seed>]: fail every Nth / P% of kmalloc calls");
