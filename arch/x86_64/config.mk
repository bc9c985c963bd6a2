CROSS_COMPILE ?=
ARCH_CFLAGS := -m64 -march=x86-64 -mno-red-zone -mgeneral-regs-only \
	-mcmodel=kernel -fno-asynchronous-unwind-tables
ARCH_ASFLAGS :=
ARCH_LDFLAGS := -m elf_x86_64
