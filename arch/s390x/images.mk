# Flat image: one file both QEMU (-kernel) and Hercules (.ins at 0) load.
$(BUILD)/ptlab.bin: $(BUILD)/ptlab.elf
	@echo "  OBJCOPY $@"
	@$(OBJCOPY) -O binary $< $@

iso:
	@echo "make iso: GRUB ISOs exist for ARCH=x86_64 only" >&2; exit 1
