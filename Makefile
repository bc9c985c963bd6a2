# ptlab — build, boot and test a small kernel for x86-64 and s390x.
# `make help` lists the targets.

ARCH ?= x86_64
ARCHES := x86_64 s390x
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error ARCH=$(ARCH) is not supported; use one of: $(ARCHES))
endif

BUILD := build/$(ARCH)
OPT ?= -O2
SMP ?= 4
MEM ?= 256M
EMU ?= qemu
BOOT ?= direct
FILTER ?=
APPEND ?=
TIMEOUT ?= 120
CPU ?=

include arch/$(ARCH)/config.mk

CC := $(CROSS_COMPILE)gcc
LD := $(CROSS_COMPILE)ld
NM := $(CROSS_COMPILE)nm
OBJCOPY := $(CROSS_COMPILE)objcopy

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# The compiler's own headers (stddef.h, ...).  Expanded late, once: on a
# fresh machine the compiler is installed by the `deps` step below.
CC_INCLUDE = $(eval CC_INCLUDE := $$(shell $(CC) -print-file-name=include 2>/dev/null))$(CC_INCLUDE)
CFLAGS = -std=c11 -ffreestanding -nostdlib -nostdinc -isystem $(CC_INCLUDE) \
	-Wall -Wextra -Werror -Wno-unused-parameter $(OPT) -g \
	-fno-stack-protector -fno-pic -fno-pie -fno-common \
	-fno-omit-frame-pointer -fno-shrink-wrap -fno-optimize-sibling-calls -fno-schedule-insns2 --param=min-pagesize=0 \
	-I. -Iarch/$(ARCH)/include -DPTLAB_VERSION='"$(VERSION)"' \
	-MMD -MP $(ARCH_CFLAGS)
ASFLAGS := -I. -Iarch/$(ARCH)/include -D__ASSEMBLY__ -g -MMD -MP $(ARCH_ASFLAGS)
LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments $(ARCH_LDFLAGS)

SRCS := $(wildcard boot/$(ARCH)/*.S arch/$(ARCH)/*.c arch/$(ARCH)/*.S \
	kernel/*.c mm/*.c lib/*.c tests/ktest/*.c tests/ktest/$(ARCH)/*.c)
OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(SRCS)))
LDSCRIPT := linker/$(ARCH).ld

.PHONY: all iso run test bench gdb clean help deps FORCE
all: $(BUILD)/ptlab.elf $(ARCH_IMAGES)

# Rebuild everything when the compiler or its flags change (OPT=-Og, ...).
$(BUILD)/flags: FORCE | deps
	@mkdir -p $(BUILD)
	@echo '$(CC) $(CFLAGS) $(ASFLAGS) $(LDFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(CFLAGS) $(ASFLAGS) $(LDFLAGS)' > $@

$(BUILD)/%.o: %.c $(BUILD)/flags | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S $(BUILD)/flags | deps
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(CFLAGS) $(ASFLAGS) -c $< -o $@

# Two-pass link: the symbol table for backtraces is generated from the first
# pass and placed after all code, so text addresses cannot move (checked).
$(BUILD)/ksyms0.S:
	@mkdir -p $(BUILD)
	@linker/ksyms.sh < /dev/null > $@
$(BUILD)/ksyms0.o: $(BUILD)/ksyms0.S
	@$(CC) $(CFLAGS) $(ASFLAGS) -c $< -o $@
$(BUILD)/ptlab.stage1.elf: $(OBJS) $(BUILD)/ksyms0.o $(LDSCRIPT)
	@$(LD) $(LDFLAGS) -T $(LDSCRIPT) -o $@ $(OBJS) $(BUILD)/ksyms0.o
$(BUILD)/ksyms.S: $(BUILD)/ptlab.stage1.elf linker/ksyms.sh
	@$(NM) -n $< | linker/ksyms.sh > $@
$(BUILD)/ksyms.o: $(BUILD)/ksyms.S
	@$(CC) $(CFLAGS) $(ASFLAGS) -c $< -o $@
$(BUILD)/ptlab.elf: $(OBJS) $(BUILD)/ksyms.o $(LDSCRIPT)
	@echo "  LD      $@"
	@$(LD) $(LDFLAGS) -T $(LDSCRIPT) -o $@ $(OBJS) $(BUILD)/ksyms.o
	@$(NM) -n $(BUILD)/ptlab.stage1.elf | grep -i ' t ' > $(BUILD)/text1.syms
	@$(NM) -n $@ | grep -i ' t ' > $(BUILD)/text2.syms
	@cmp -s $(BUILD)/text1.syms $(BUILD)/text2.syms || \
		{ echo "ksyms: text moved between link passes"; rm -f $@; exit 1; }

-include $(OBJS:.o=.d)

include arch/$(ARCH)/images.mk
include tests/hosted/hosted.mk

RUNNER := python3 tests/runner/ptrun.py
RUN_ARGS = --arch $(ARCH) --emu $(EMU) --boot $(BOOT) --smp $(SMP) --mem $(MEM) \
	--timeout $(TIMEOUT) $(if $(FILTER),--filter '$(FILTER)') $(if $(CPU),--cpu '$(CPU)') \
	$(if $(APPEND),--append '$(APPEND)')

## run: boot in an emulator, console on the terminal (ARCH=, EMU=qemu|hercules, BOOT=direct|iso, SMP=, MEM=, FILTER=, APPEND=, CPU=qemu64,+la57)
run: all $(if $(filter iso,$(BOOT)),iso)
	@$(RUNNER) $(RUN_ARGS) --verbose

## test: build both arches and run the whole test matrix (tests/matrix.txt)
test:
	@tests/tools/deps.sh all clang:clang -:libclang-rt-14-dev
	@$(MAKE) --no-print-directory ARCH=x86_64 all iso
	@$(MAKE) --no-print-directory ARCH=s390x all
	@python3 tests/runner/matrix.py tests/matrix.txt

## bench: the manual bench suite on both arches, figures side by side (SMP=4, BASELINE=old.json: show changes)
bench:
	@$(MAKE) --no-print-directory ARCH=x86_64 all
	@$(MAKE) --no-print-directory ARCH=s390x all
	@python3 tests/runner/bench.py --smp $(SMP) --json build/bench.json $(if $(BASELINE),--baseline '$(BASELINE)')

## gdb: boot halted under QEMU's gdb stub and attach gdb (BREAK=kmain, FILTER=, CPU=)
gdb: all
	@tests/tools/deps.sh none gdb-multiarch:gdb-multiarch
	@QEMU_CPU='$(CPU)' tests/tools/gdb.sh $(ARCH) $(BUILD)/ptlab.elf '$(or $(BREAK),kmain)' '$(FILTER)' '$(APPEND)' $(SMP) $(MEM)

## compile_commands.json: for clangd and other editor tooling
# The commands go through the environment: CFLAGS holds shell quotes.
compile_commands.json: export COMPDB_CC = $(CC) $(CFLAGS)
compile_commands.json: export COMPDB_AS = $(CC) $(CFLAGS) $(ASFLAGS)
compile_commands.json: FORCE
	@python3 tests/tools/compdb.py $(ARCH) $(SRCS) > $@

## deps: check the host tools (installs them when run as root)
deps:
	@tests/tools/deps.sh $(ARCH)

## clean: remove build/
clean:
	rm -rf build compile_commands.json

## help: this list
help:
	@grep -h '^## ' $(MAKEFILE_LIST) | sed 's/^## /  make /'
