# Hosted builds of mm/ and lib/: unit tests under ASan+UBSan and a
# libFuzzer target.  Included by the top-level Makefile.

HOSTED_CC ?= clang
HOSTED_BUILD := build/hosted
HOSTED_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
# kernel names that would clash with the C library's
HOSTED_RENAME := $(foreach f,memset memcpy memmove memcmp strlen strnlen \
	strcmp strncmp strchr strstr strlcpy snprintf vsnprintf parse_u64 parse_size \
	glob_match,-D$(f)=pt_$(f))
HOSTED_CFLAGS := -std=c11 -g -O1 -Wno-format-nonliteral -fno-omit-frame-pointer -Wall -Wextra \
	-Werror -Wno-unused-parameter -Itests/hosted/include -I. -DPTLAB_HOSTED \
	-D_GNU_SOURCE
HOSTED_KSRCS := lib/string.c lib/vsnprintf.c kernel/boot.c kernel/percpu.c \
	kernel/cmdline.c mm/memblock.c mm/memmap.c mm/page_alloc.c mm/slab.c \
	mm/fault_inject.c mm/init.c
FUZZ_TIME ?= 600

$(HOSTED_BUILD)/san/%.o: %.c | deps-hosted
	@mkdir -p $(dir $@)
	@$(HOSTED_CC) $(HOSTED_CFLAGS) $(HOSTED_SAN) $(HOSTED_RENAME) -c $< -o $@
$(HOSTED_BUILD)/fuzz/%.o: %.c | deps-hosted
	@mkdir -p $(dir $@)
	@$(HOSTED_CC) $(HOSTED_CFLAGS) $(HOSTED_SAN) -fsanitize=fuzzer-no-link $(HOSTED_RENAME) -c $< -o $@

HOSTED_SAN_OBJS := $(patsubst %.c,$(HOSTED_BUILD)/san/%.o,$(HOSTED_KSRCS) tests/hosted/shim.c)
HOSTED_FUZZ_OBJS := $(patsubst %.c,$(HOSTED_BUILD)/fuzz/%.o,$(HOSTED_KSRCS) tests/hosted/shim.c)

$(HOSTED_BUILD)/test_mm: tests/hosted/test_mm.c $(HOSTED_SAN_OBJS)
	@echo "  HOSTCC  $@"
	@$(HOSTED_CC) $(HOSTED_CFLAGS) $(HOSTED_SAN) -pthread $^ -o $@
$(HOSTED_BUILD)/test_lib: tests/hosted/test_lib.c $(HOSTED_SAN_OBJS)
	@echo "  HOSTCC  $@"
	@$(HOSTED_CC) $(HOSTED_CFLAGS) $(HOSTED_SAN) $^ -o $@
$(HOSTED_BUILD)/fuzz_page_alloc: tests/hosted/fuzz_page_alloc.c $(HOSTED_FUZZ_OBJS)
	@echo "  HOSTCC  $@"
	@$(HOSTED_CC) $(HOSTED_CFLAGS) $(HOSTED_SAN) -fsanitize=fuzzer $^ -o $@

.PHONY: hosted fuzz fuzz-short deps-hosted
deps-hosted:
	@tests/tools/deps.sh none clang:clang clang:libclang-rt-14-dev

## hosted: mm/ and lib/ as a Linux program under ASan+UBSan
hosted: $(HOSTED_BUILD)/test_mm $(HOSTED_BUILD)/test_lib
	@$(HOSTED_BUILD)/test_lib
	@$(HOSTED_BUILD)/test_mm

## fuzz: run the page-allocator fuzzer for FUZZ_TIME seconds (default 600)
fuzz: $(HOSTED_BUILD)/fuzz_page_alloc
	@mkdir -p $(HOSTED_BUILD)/corpus
	@$(HOSTED_BUILD)/fuzz_page_alloc -max_total_time=$(FUZZ_TIME) -print_final_stats=1 $(HOSTED_BUILD)/corpus

# make test: a bounded run
fuzz-short: $(HOSTED_BUILD)/fuzz_page_alloc
	@mkdir -p $(HOSTED_BUILD)/corpus
	@$(HOSTED_BUILD)/fuzz_page_alloc -max_total_time=$(or $(FUZZ_SHORT),20) $(HOSTED_BUILD)/corpus 2>$(HOSTED_BUILD)/fuzz.log \
		&& echo "fuzz: $$(grep -c '^#' $(HOSTED_BUILD)/fuzz.log) status lines, no finding ($$(grep -o 'Done [0-9]* runs' $(HOSTED_BUILD)/fuzz.log))" \
		|| { tail -40 $(HOSTED_BUILD)/fuzz.log; exit 1; }
