import { Construct } from 'constructs';
import { RESOURCE_BRAND, brand, hasBrand, type IResourceSource, type ResourceBody } from '../src/synth/contract.js';
import { isDevice, type IDevice } from './device.js';
import { defined, deviceLabel, sameLabProblem } from './private/checks.js';

const ADDRESS_BRAND = Symbol.for('nslab.IpAddress');

export interface IpAddressProps {
  /** The device that carries the address: a veth end, `ns.loopback` or a Bridge. */
  readonly device: IDevice;
  /** The address with its prefix length, IPv4 or IPv6: `10.10.0.1/24`, `fd00::1/64`. */
  readonly address: string;
}

/**
 * An IP address on a device, in the device's namespace.
 *
 * Equivalent to: `ip -n <ns> addr add <address> dev <device>`.
 */
export class IpAddress extends Construct implements IResourceSource {
  /** True when `x` is an IpAddress. */
  static isIpAddress(x: unknown): x is IpAddress {
    return hasBrand(x, ADDRESS_BRAND);
  }

  /** The device that carries the address. */
  readonly device: IDevice;
  /** The address as given (synth canonicalizes it). */
  readonly address: string;

  constructor(scope: Construct, id: string, props: IpAddressProps) {
    super(scope, id);
    this.device = props?.device;
    this.address = props?.address;
    this.node.addValidation({
      validate: () => {
        if (!isDevice(this.device)) return ['"device" must be a device (a veth end, a namespace\'s loopback or a Bridge)'];
        return defined(sameLabProblem(this, this.device.owner, deviceLabel(this.device)));
      },
    });
  }

  /** The address resource of the plan. */
  toResource(): ResourceBody {
    return { type: 'address', namespace: this.device.namespace?.name, device: this.device.deviceName, address: this.address };
  }
}
brand(IpAddress, ADDRESS_BRAND);
brand(IpAddress, RESOURCE_BRAND);
