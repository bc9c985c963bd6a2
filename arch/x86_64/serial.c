/* 16550 UART on COM1: the x86-64 console. */
#include "arch/x86_64/serial.h"
#include <asm/cpu.h>

#define COM1 0x3f8
enum { THR = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5, SCR = 7 };
#define LSR_THRE 0x20

bool serial_present;

void serial_init(void)
{
	/* A real 16550 keeps what we write to its scratch register. */
	outb(COM1 + SCR, 0x5a);
	serial_present = inb(COM1 + SCR) == 0x5a;
	outb(COM1 + IER, 0x00);
	outb(COM1 + LCR, 0x80);      /* DLAB: divisor follows */
	outb(COM1 + THR, 0x01);      /* 115200 baud */
	outb(COM1 + IER, 0x00);
	outb(COM1 + LCR, 0x03);      /* 8N1 */
	outb(COM1 + FCR, 0xc7);      /* FIFO on, cleared */
	outb(COM1 + MCR, 0x03);
}

static void serial_putc(char c)
{
	/* bounded: a missing UART must not hang the kernel */
	for (int i = 0; i < 100000 && !(inb(COM1 + LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(COM1 + THR, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

int serial_getc(void)
{
	if (!(inb(COM1 + LSR) & 0x01))   /* data ready */
		return -1;
	return inb(COM1 + THR);          /* the receive buffer, same port */
}

bool serial_scratch_test(uint8_t pattern)
{
	outb(COM1 + SCR, pattern);
	return inb(COM1 + SCR) == pattern;
}
