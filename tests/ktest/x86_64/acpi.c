/*
 * The MADT parser against tables built here: good ones give their CPUs,
 * every kind of damage is refused (the kernel then runs on one CPU).
 */
#include "arch/x86_64/acpi.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "mm/slab.h"
#include "lib/string.h"

/* RSDP (v2) | XSDT | MADT, laid out in one buffer below 4 GiB. */
struct fake_acpi {
	uint8_t rsdp[36];
	uint8_t pad0[12];
	uint8_t xsdt[36 + 8];
	uint8_t pad1[4];
	uint8_t madt[44 + 4 * 8 + 16];
};

static void fix_sum(uint8_t *p, size_t n, size_t at)
{
	uint8_t s = 0;

	p[at] = 0;
	for (size_t i = 0; i < n; i++)
		s += p[i];
	p[at] = (uint8_t)-s;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* A well-formed set listing @n enabled CPUs (APIC IDs 0, 2, 4...) and one
 * disabled one. */
static void build(struct fake_acpi *a, unsigned n)
{
	uint32_t madt_len = 44 + (n + 1) * 8;

	memset(a, 0, sizeof(*a));
	memcpy(a->rsdp, "RSD PTR ", 8);
	a->rsdp[15] = 2;                                  /* revision */
	put32(a->rsdp + 20, 36);                          /* length */
	put64(a->rsdp + 24, virt_to_phys(a->xsdt));
	fix_sum(a->rsdp, 20, 8);
	fix_sum(a->rsdp, 36, 32);

	memcpy(a->xsdt, "XSDT", 4);
	put32(a->xsdt + 4, 44);
	put64(a->xsdt + 36, virt_to_phys(a->madt));
	fix_sum(a->xsdt, 44, 9);

	memcpy(a->madt, "APIC", 4);
	put32(a->madt + 4, madt_len);
	put32(a->madt + 36, 0xfee00000);                  /* LAPIC address */
	for (unsigned i = 0; i <= n; i++) {
		uint8_t *e = a->madt + 44 + i * 8;

		e[0] = 0;                                 /* processor LAPIC */
		e[1] = 8;
		e[2] = (uint8_t)i;                        /* ACPI id */
		e[3] = (uint8_t)(2 * i);                  /* APIC id */
		e[4] = i < n ? 1 : 0;                     /* last: disabled */
	}
	fix_sum(a->madt, madt_len, 9);
}

static int parse(struct fake_acpi *a, unsigned *ids)
{
	uint64_t lapic = 0;

	return acpi_madt_cpus(a->rsdp, ids, 8, &lapic);
}

static void good_tables(struct ktest *t)
{
	struct fake_acpi *a = kzalloc(sizeof(*a), GFP_NOFAULT);
	unsigned ids[8];

	KT_ASSERT(t, a != NULL);
	build(a, 3);
	KT_EXPECT_EQ(t, parse(a, ids), 3);     /* the disabled one is left out */
	KT_EXPECT_EQ(t, ids[0], 0u);
	KT_EXPECT_EQ(t, ids[1], 2u);           /* ids need not be contiguous */
	KT_EXPECT_EQ(t, ids[2], 4u);
	kfree(a);
}

static void damage_refused(struct ktest *t)
{
	struct fake_acpi *a = kzalloc(sizeof(*a), GFP_NOFAULT);
	unsigned ids[8];

	KT_ASSERT(t, a != NULL);
	build(a, 2);
	a->rsdp[0] = 'X';                      /* signature */
	KT_EXPECT_EQ(t, parse(a, ids), -EINVAL);
	build(a, 2);
	a->rsdp[9] ^= 1;                       /* RSDP checksum */
	KT_EXPECT_EQ(t, parse(a, ids), -EINVAL);
	build(a, 2);
	a->xsdt[40] ^= 1;                      /* XSDT checksum */
	KT_EXPECT_EQ(t, parse(a, ids), -EINVAL);
	build(a, 2);
	a->madt[50] ^= 1;                      /* MADT checksum */
	KT_EXPECT_EQ(t, parse(a, ids), -EINVAL);
	build(a, 2);
	put32(a->madt + 4, 0x7fffffff);        /* absurd length */
	fix_sum(a->madt, 44 + 3 * 8, 9);
	KT_EXPECT_EQ(t, parse(a, ids), -EINVAL);
	build(a, 2);
	a->madt[44 + 8 + 1] = 60;              /* an entry runs off the end */
	fix_sum(a->madt, 44 + 3 * 8, 9);
	KT_EXPECT_EQ(t, parse(a, ids), -EINVAL);
	build(a, 2);
	a->madt[44 + 1] = 0;                   /* zero-length entry: no loop */
	fix_sum(a->madt, 44 + 3 * 8, 9);
	KT_EXPECT_EQ(t, parse(a, ids), -EINVAL);
	build(a, 0);                           /* no enabled CPU at all */
	KT_EXPECT_EQ(t, parse(a, ids), -EINVAL);
	kfree(a);
}

static const struct ktest_case acpi_cases[] = {
	KTEST_CASE(good_tables),
	KTEST_CASE(damage_refused),
	{ 0 },
};
KTEST_SUITE(x86_acpi, acpi_cases);
