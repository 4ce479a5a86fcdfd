// https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/ip_address
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../../../cdk.js';

// Configuration

export interface IpAddressConfig extends cdktf.TerraformMetaArguments {
  /**
  * The address with its prefix length: `10.0.0.1/24`, `fd00::1/64`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/ip_address#address IpAddress#address}
  */
  readonly address: string;
  /**
  * The device that carries the address.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/ip_address#device IpAddress#device}
  */
  readonly device: string;
  /**
  * Name of the network namespace the device lives in. Unset: the host (root) namespace.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/ip_address#namespace IpAddress#namespace}
  */
  readonly namespace?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/ip_address netns_ip_address}
*/
export class IpAddress extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "netns_ip_address";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a IpAddress resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the IpAddress to import
  * @param importFromId The id of the existing IpAddress that should be imported. Refer to the {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/ip_address#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the IpAddress to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "netns_ip_address", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/ip_address netns_ip_address} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options IpAddressConfig
  */
  public constructor(scope: Construct, id: string, config: IpAddressConfig) {
    super(scope, id, {
      terraformResourceType: 'netns_ip_address',
      terraformGeneratorMetadata: {
        providerName: 'netns',
        providerVersion: '0.1.0'
      },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach
    });
    this._address = config.address;
    this._device = config.device;
    this._namespace = config.namespace;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // address - computed: false, optional: false, required: true
  private _address?: string; 
  public get address() {
    return this.getStringAttribute('address');
  }
  public set address(value: string) {
    this._address = value;
  }
  // Temporarily expose input value. Use with caution.
  public get addressInput() {
    return this._address;
  }

  // device - computed: false, optional: false, required: true
  private _device?: string; 
  public get device() {
    return this.getStringAttribute('device');
  }
  public set device(value: string) {
    this._device = value;
  }
  // Temporarily expose input value. Use with caution.
  public get deviceInput() {
    return this._device;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // namespace - computed: false, optional: true, required: false
  private _namespace?: string; 
  public get namespace() {
    return this.getStringAttribute('namespace');
  }
  public set namespace(value: string) {
    this._namespace = value;
  }
  public resetNamespace() {
    this._namespace = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get namespaceInput() {
    return this._namespace;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      address: cdktf.stringToTerraform(this._address),
      device: cdktf.stringToTerraform(this._device),
      namespace: cdktf.stringToTerraform(this._namespace),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      address: {
        value: cdktf.stringToHclTerraform(this._address),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      device: {
        value: cdktf.stringToHclTerraform(this._device),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      namespace: {
        value: cdktf.stringToHclTerraform(this._namespace),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
