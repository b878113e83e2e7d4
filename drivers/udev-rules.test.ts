import { describe, expect, it } from 'vitest';
import { udevRules } from './udev-rules.ts';

describe('udevRules', () => {
  it('grants hidraw access per device and hides keyboard-emulating ones from the desktop', () => {
    const rules = udevRules([
      { id: 'scanner', kind: 'hid-pos', vendorId: 0x0c2e, productId: 0x0b61 },
      { id: 'wedge', kind: 'hid-keyboard', vendorId: 0x05e0, productId: 0x1200 },
    ]);
    expect(rules).toContain(
      'KERNEL=="hidraw*", SUBSYSTEM=="hidraw", ATTRS{idVendor}=="0c2e", ATTRS{idProduct}=="0b61", MODE="0660", GROUP="plugdev"',
    );
    expect(rules).toContain('SUBSYSTEM=="input", ATTRS{idVendor}=="05e0", ATTRS{idProduct}=="1200", ENV{LIBINPUT_IGNORE_DEVICE}="1"');
    // A HID POS scanner never types, so the desktop may keep it.
    expect(rules).not.toContain('ATTRS{idVendor}=="0c2e", ATTRS{idProduct}=="0b61", ENV{LIBINPUT_IGNORE_DEVICE}');
  });

  it('writes one hidraw rule per vendor/product even when a device has two roles', () => {
    const rules = udevRules([
      { id: 'a', kind: 'msr-hid', vendorId: 0x0801, productId: 0x0002 },
      { id: 'b', kind: 'msr-keyboard', vendorId: 0x0801, productId: 0x0002 },
    ]);
    expect(rules.match(/SUBSYSTEM=="hidraw"/g)).toHaveLength(1);
    expect(rules.match(/LIBINPUT_IGNORE_DEVICE/g)).toHaveLength(1);
  });
});
