## iso: x86-64 GRUB rescue ISO (build/x86_64/ptlab.iso)
iso: $(BUILD)/ptlab.iso

$(BUILD)/ptlab.iso: $(BUILD)/ptlab.elf boot/x86_64/grub.cfg
	@echo "  ISO     $@"
	@rm -rf $(BUILD)/isodir && mkdir -p $(BUILD)/isodir/boot/grub
	@cp $(BUILD)/ptlab.elf $(BUILD)/isodir/boot/ptlab.elf
	@cp boot/x86_64/grub.cfg $(BUILD)/isodir/boot/grub/grub.cfg
	@grub-mkrescue -o $@ --install-modules="multiboot2 normal iso9660 biosdisk" \
		--locales= --fonts= --themes= --compress=no $(BUILD)/isodir 2>$(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }
