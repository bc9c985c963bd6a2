/*
 * SCLP (service-call logical processor): console output and the machine's
 * memory size and CPU list.
 *
 * A request is SERVC with a command word and a control block (SCCB); it
 * is done when the service-signal external interruption (0x2401) arrives.
 * We wait for it in an enabled wait with *only* that subclass enabled in
 * CR0, so no other interruption runs meanwhile, and no other CPU ever has
 * the subclass enabled: the floating interruption can only come to the
 * CPU that asked.  Hercules answers busy (cc 2) while a service signal is
 * pending, so every request is waited for before the next one.
 *
 * Callers serialise requests: sclp_init runs alone at boot, console
 * writes run under printk's console lock.
 */
#include "arch/s390x/sclp.h"
#include "arch/s390x/s390x.h"
#include "lib/string.h"
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/ptrace.h>

#define SCLP_CMD_READ_SCP_INFO        0x00020001u
#define SCLP_CMD_READ_SCP_INFO_FORCED 0x00120001u
#define SCLP_CMD_WRITE_EVENT_DATA     0x00760005u
#define SCLP_CMD_WRITE_EVENT_MASK     0x00780005u

#define SCCB_SIZE 4096

struct sccb_header {
	uint16_t length;
	uint8_t function_code;
	uint8_t control_mask[3];
	uint16_t response_code;
} __packed;

struct evbuf_header {
	uint16_t length;
	uint8_t type;
	uint8_t flags;
	uint16_t reserved;
} __packed;

#define EVTYP_MSG    0x02
#define EVTYP_ASCII  0x1a

/* write event mask, 4-byte masks */
struct wem_sccb {
	struct sccb_header h;
	uint16_t reserved;
	uint16_t mask_length;
	uint32_t cp_receive_mask;
	uint32_t cp_send_mask;
	uint32_t sclp_receive_mask;
	uint32_t sclp_send_mask;
} __packed;

/* read SCP info: only the fields we use */
struct read_info_sccb {
	struct sccb_header h;      /* 0 */
	uint16_t rnmax;            /* 8 */
	uint8_t rnsize;            /* 10: MiB */
	uint8_t pad_11[5];
	uint16_t ncpus;            /* 16 */
	uint16_t cpu_offset;       /* 18 */
	uint8_t pad_20[80];
	uint32_t rnsize2;          /* 100 */
	uint64_t rnmax2;           /* 104 */
} __packed;

/* line mode: message data block with a general object and text objects */
struct mdb_header {
	uint16_t length;
	uint16_t type;             /* 1 */
	uint32_t tag;              /* "MDB " in EBCDIC */
	uint32_t revision;         /* 1 */
} __packed;

struct mdb_go {
	uint16_t length;
	uint16_t type;             /* 1: general object */
	uint8_t fields[52];        /* time, date, names: zero is fine */
} __packed;

struct mdb_mto {
	uint16_t length;
	uint16_t type;             /* 4: message text object */
	uint16_t line_type_flags;
	uint8_t alarm_control;
	uint8_t reserved[3];
	/* text follows */
} __packed;

#define MDB_TAG          0xd4c4c240u
#define LNTPFLGS_ENDTEXT 0x1000

BUILD_BUG_ON(sizeof(struct read_info_sccb) != 112);
BUILD_BUG_ON(sizeof(struct mdb_go) != 56);
BUILD_BUG_ON(sizeof(struct mdb_mto) != 10);

struct sclp_info sclp;

/* Below 2 GiB (the kernel is), 8-aligned, not crossing a page. */
static uint8_t sccb_buf[SCCB_SIZE] __aligned(SCCB_SIZE);
static volatile unsigned long service_signals;

void sclp_handle_irq(uint32_t param)
{
	(void)param;
	sclp.irqs++;
	service_signals++;
}

static int servc(uint32_t cmd, void *sccb)
{
	int cc;

	__asm__ __volatile__(".insn rre,0xb2200000,%[cmd],%[sccb]\n\t"
			     "ipm %[cc]\n\t"
			     "srl %[cc],28"
			     : [cc] "=d"(cc)
			     : [cmd] "d"((unsigned long)cmd), [sccb] "a"(sccb)
			     : "cc", "memory");
	return cc;
}

/* With interrupts off: let one pending service signal in, if any. */
static void take_pending_service_signal(uint64_t cr0)
{
	lctlg0((cr0 & ~CR0_EXT_SUBCLASSES) | CR0_SERVICE_SIGNAL);
	local_irq_enable();
	local_irq_disable();
	lctlg0(cr0);
}

/*
 * Run one request and wait for its service signal.  Returns 0, or -1 if
 * the SCLP is not operational; the SCCB holds the response code.
 */
static int sclp_request(uint32_t cmd, void *sccb)
{
	unsigned long flags = local_irq_save();
	uint64_t cr0 = stctg(0);
	unsigned long seen;
	int cc;

	for (;;) {
		seen = service_signals;
		cc = servc(cmd, sccb);
		if (cc != 2)    /* 0 accepted, 2 busy, 3 not operational */
			break;
		take_pending_service_signal(cr0);
	}
	if (cc == 0) {
		lctlg0((cr0 & ~CR0_EXT_SUBCLASSES) | CR0_SERVICE_SIGNAL);
		while (service_signals == seen)
			s390_enabled_wait(PSW_MASK_EXT);
		lctlg0(cr0);
	}
	local_irq_restore(flags);
	return cc == 0 ? 0 : -1;
}

static void set_event_mask(void)
{
	struct wem_sccb *s = (struct wem_sccb *)sccb_buf;

	memset(s, 0, sizeof(*s));
	s->h.length = sizeof(*s);
	s->mask_length = 4;
	s->cp_send_mask = SCLP_EVMASK_MSG | SCLP_EVMASK_ASCII;
	if (sclp_request(SCLP_CMD_WRITE_EVENT_MASK, s))
		return;
	sclp.mask_resp = s->h.response_code;
	if (s->h.response_code != SCLP_RC_NORMAL)
		return;
	sclp.receive_mask = s->sclp_receive_mask;
	sclp.send_mask = s->sclp_send_mask;
	/* one console only: both at once would print every line twice */
	if (sclp.receive_mask & SCLP_EVMASK_ASCII)
		sclp.console = SCLP_CONSOLE_ASCII;
	else if (sclp.receive_mask & SCLP_EVMASK_MSG)
		sclp.console = SCLP_CONSOLE_LINE;
}

static void read_scp_info(void)
{
	static const uint32_t cmds[] = { SCLP_CMD_READ_SCP_INFO,
					 SCLP_CMD_READ_SCP_INFO_FORCED };
	struct read_info_sccb *s = (struct read_info_sccb *)sccb_buf;
	uint64_t rnmax, rnsize;

	for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(sccb_buf, 0, SCCB_SIZE);
		s->h.length = SCCB_SIZE;
		if (sclp_request(cmds[i], s))
			return;
		sclp.info_resp = s->h.response_code;
		if (s->h.response_code == SCLP_RC_NORMAL_READ)
			break;
		if (s->h.response_code != SCLP_RC_INVALID_CMD)
			return;
	}
	if (sclp.info_resp != SCLP_RC_NORMAL_READ)
		return;

	rnmax = s->rnmax ? s->rnmax : s->rnmax2;
	rnsize = s->rnsize ? s->rnsize : s->rnsize2;
	sclp.increments = rnmax;
	sclp.increment_mb = (uint32_t)rnsize;
	sclp.ram_size = rnmax * (rnsize << 20);

	sclp.cpu_count = 0;
	for (unsigned i = 0; i < s->ncpus && i < SCLP_MAX_CPUS; i++) {
		unsigned off = s->cpu_offset + i * 16u;

		if (off + 16 > SCCB_SIZE)
			break;
		sclp.cpu_addr[sclp.cpu_count++] = sccb_buf[off];
	}
}

void sclp_init(void)
{
	set_event_mask();
	read_scp_info();
}

/* --- console --- */

static char line[1024];    /* the line being collected (printk: < 512) */
static size_t line_len;
static size_t sccb_fill;   /* bytes of the write SCCB in use, 0 = empty */

static struct evbuf_header *write_evbuf(void)
{
	return (struct evbuf_header *)(sccb_buf + sizeof(struct sccb_header));
}

static void write_flush(void)
{
	struct sccb_header *h = (struct sccb_header *)sccb_buf;
	struct evbuf_header *ev = write_evbuf();

	if (!sccb_fill)
		return;
	h->length = (uint16_t)sccb_fill;
	ev->length = (uint16_t)(sccb_fill - sizeof(*h));
	if (sclp.console == SCLP_CONSOLE_LINE) {
		struct mdb_header *mdb = (struct mdb_header *)(ev + 1);

		mdb->length = (uint16_t)(ev->length - sizeof(*ev));
	}
	if (sclp_request(SCLP_CMD_WRITE_EVENT_DATA, sccb_buf) == 0) {
		sclp.writes++;
		sclp.last_write_resp = h->response_code;
		if (h->response_code != SCLP_RC_NORMAL)
			sclp.write_errors++;
	} else {
		sclp.write_errors++;
	}
	sccb_fill = 0;
}

/* Start an empty write SCCB for the console type. */
static void write_begin(void)
{
	struct evbuf_header *ev = write_evbuf();

	memset(sccb_buf, 0, sizeof(struct sccb_header) + sizeof(*ev));
	sccb_fill = sizeof(struct sccb_header) + sizeof(*ev);
	if (sclp.console == SCLP_CONSOLE_ASCII) {
		ev->type = EVTYP_ASCII;
	} else {
		struct mdb_header *mdb = (struct mdb_header *)(ev + 1);
		struct mdb_go *go = (struct mdb_go *)(mdb + 1);

		ev->type = EVTYP_MSG;
		memset(mdb, 0, sizeof(*mdb) + sizeof(*go));
		mdb->type = 1;
		mdb->tag = MDB_TAG;
		mdb->revision = 1;
		go->length = sizeof(*go);
		go->type = 1;
		sccb_fill += sizeof(*mdb) + sizeof(*go);
	}
}

/* Append one line (without its newline) to the write SCCB. */
static void write_line(const char *s, size_t n)
{
	size_t need = sclp.console == SCLP_CONSOLE_ASCII ? n + 1 :
		      sizeof(struct mdb_mto) + n;

	if (sccb_fill && sccb_fill + need > SCCB_SIZE)
		write_flush();
	if (!sccb_fill)
		write_begin();
	if (sclp.console == SCLP_CONSOLE_ASCII) {
		memcpy(sccb_buf + sccb_fill, s, n);
		sccb_buf[sccb_fill + n] = '\n';
	} else {
		struct mdb_mto *mto = (struct mdb_mto *)(sccb_buf + sccb_fill);
		uint8_t *text = (uint8_t *)(mto + 1);

		memset(mto, 0, sizeof(*mto));
		mto->length = (uint16_t)need;
		mto->type = 4;
		mto->line_type_flags = LNTPFLGS_ENDTEXT;
		for (size_t i = 0; i < n; i++)
			text[i] = ascii_to_ebcdic(s[i]);
	}
	sccb_fill += need;
}

void sclp_console_write(const char *s, size_t n)
{
	if (sclp.console == SCLP_CONSOLE_NONE)
		return;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\r')
			continue;
		if (c == '\n' || line_len == sizeof(line)) {
			write_line(line, line_len);
			line_len = 0;
			if (c == '\n')
				continue;
		}
		line[line_len++] = c;
	}
	write_flush();
}

void sclp_console_flush(void)
{
	if (sclp.console == SCLP_CONSOLE_NONE)
		return;
	if (line_len) {
		write_line(line, line_len);
		line_len = 0;
	}
	write_flush();
}
