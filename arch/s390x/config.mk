CROSS_COMPILE ?= s390x-linux-gnu-
ARCH_CFLAGS := -march=z10 -m64 -msoft-float -mbackchain \
	-fno-asynchronous-unwind-tables -fno-delete-null-pointer-checks
ARCH_ASFLAGS :=
ARCH_LDFLAGS := -m elf64_s390
ARCH_IMAGES := $(BUILD)/ptlab.bin
