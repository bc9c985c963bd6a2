/* SCLP: the console and what the machine tells us about itself. */
#ifndef PTLAB_S390X_SCLP_H
#define PTLAB_S390X_SCLP_H

#include "kernel/compiler.h"

/* event masks (event type n is bit 1 << (32 - n)) */
#define SCLP_EVMASK_MSG    0x40000000u  /* type 0x02: line-mode message */
#define SCLP_EVMASK_ASCII  0x00000040u  /* type 0x1a: ASCII console */

#define SCLP_RC_NORMAL_READ   0x0010
#define SCLP_RC_NORMAL        0x0020
#define SCLP_RC_INVALID_CMD   0x01f0

enum sclp_console { SCLP_CONSOLE_NONE, SCLP_CONSOLE_ASCII, SCLP_CONSOLE_LINE };

#define SCLP_MAX_CPUS 64

struct sclp_info {
	enum sclp_console console;
	uint32_t receive_mask;   /* sclp_receive_mask from write event mask */
	uint32_t send_mask;
	uint16_t mask_resp;      /* response code of write event mask */
	uint16_t info_resp;      /* response code of read SCP info */
	uint64_t ram_size;       /* bytes; 0 if read SCP info failed */
	uint32_t increment_mb;   /* storage increment size */
	uint64_t increments;
	unsigned cpu_count;      /* CPUs the machine has */
	uint16_t cpu_addr[SCLP_MAX_CPUS];  /* their addresses (SIGP) */
	/* console statistics, for the console suite */
	unsigned long writes;    /* write event data requests completed */
	uint16_t last_write_resp;
	unsigned long write_errors;
	unsigned long irqs;      /* service-signal interruptions taken */
};

extern struct sclp_info sclp;

/* Ask for the event masks (console type), then read SCP info. */
void sclp_init(void);

/* Console: buffer bytes, write every complete line (both types). */
void sclp_console_write(const char *s, size_t n);
/* Write a pending partial line too (end of run). */
void sclp_console_flush(void);

/* External interruption 0x2401 (service signal), from traps.c. */
void sclp_handle_irq(uint32_t param);

/* ASCII -> EBCDIC, code page 037 (Hercules' CODEPAGE 819/037). */
uint8_t ascii_to_ebcdic(char c);

#endif
