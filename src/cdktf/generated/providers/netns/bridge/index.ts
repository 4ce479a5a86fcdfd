// https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/bridge
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../../../cdk.js';

// Configuration

export interface BridgeConfig extends cdktf.TerraformMetaArguments {
  /**
  * Egress impairment of the bridge device: keys delay, jitter (`20ms`), loss, duplicate, corrupt, reorder (`1%`), rate (`8mbit`), burst (`32kb`), limit (packets). A rate alone is a tbf qdisc; anything else needs the kernel's netem. Unset: the kernel's default qdisc. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/bridge#impair Bridge#impair}
  */
  readonly impair?: { [key: string]: string };
  /**
  * MAC address of the bridge, `aa:bb:cc:dd:ee:ff`. Unset: chosen by the kernel, not managed. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/bridge#mac Bridge#mac}
  */
  readonly mac?: string;
  /**
  * MTU of the bridge (68-65535). Unset: the kernel's default, not managed. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/bridge#mtu Bridge#mtu}
  */
  readonly mtu?: number;
  /**
  * The bridge's interface name (at most 15 bytes).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/bridge#name Bridge#name}
  */
  readonly name: string;
  /**
  * Name of the network namespace the bridge lives in. Unset: the host (root) namespace.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/bridge#namespace Bridge#namespace}
  */
  readonly namespace?: string;
  /**
  * Whether the bridge is up. Default: true.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/bridge#up Bridge#up}
  */
  readonly up?: boolean | cdktf.IResolvable;
}

/**
* Represents a {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/bridge netns_bridge}
*/
export class Bridge extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "netns_bridge";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Bridge resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Bridge to import
  * @param importFromId The id of the existing Bridge that should be imported. Refer to the {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/bridge#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Bridge to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "netns_bridge", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/bridge netns_bridge} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options BridgeConfig
  */
  public constructor(scope: Construct, id: string, config: BridgeConfig) {
    super(scope, id, {
      terraformResourceType: 'netns_bridge',
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
    this._impair = config.impair;
    this._mac = config.mac;
    this._mtu = config.mtu;
    this._name = config.name;
    this._namespace = config.namespace;
    this._up = config.up;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // impair - computed: false, optional: true, required: false
  private _impair?: { [key: string]: string }; 
  public get impair() {
    return this.getStringMapAttribute('impair');
  }
  public set impair(value: { [key: string]: string }) {
    this._impair = value;
  }
  public resetImpair() {
    this._impair = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get impairInput() {
    return this._impair;
  }

  // mac - computed: false, optional: true, required: false
  private _mac?: string; 
  public get mac() {
    return this.getStringAttribute('mac');
  }
  public set mac(value: string) {
    this._mac = value;
  }
  public resetMac() {
    this._mac = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get macInput() {
    return this._mac;
  }

  // mtu - computed: false, optional: true, required: false
  private _mtu?: number; 
  public get mtu() {
    return this.getNumberAttribute('mtu');
  }
  public set mtu(value: number) {
    this._mtu = value;
  }
  public resetMtu() {
    this._mtu = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get mtuInput() {
    return this._mtu;
  }

  // name - computed: false, optional: false, required: true
  private _name?: string; 
  public get name() {
    return this.getStringAttribute('name');
  }
  public set name(value: string) {
    this._name = value;
  }
  // Temporarily expose input value. Use with caution.
  public get nameInput() {
    return this._name;
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

  // up - computed: true, optional: true, required: false
  private _up?: boolean | cdktf.IResolvable; 
  public get up() {
    return this.getBooleanAttribute('up');
  }
  public set up(value: boolean | cdktf.IResolvable) {
    this._up = value;
  }
  public resetUp() {
    this._up = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get upInput() {
    return this._up;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      impair: cdktf.hashMapper(cdktf.stringToTerraform)(this._impair),
      mac: cdktf.stringToTerraform(this._mac),
      mtu: cdktf.numberToTerraform(this._mtu),
      name: cdktf.stringToTerraform(this._name),
      namespace: cdktf.stringToTerraform(this._namespace),
      up: cdktf.booleanToTerraform(this._up),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      impair: {
        value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._impair),
        isBlock: false,
        type: "map",
        storageClassType: "stringMap",
      },
      mac: {
        value: cdktf.stringToHclTerraform(this._mac),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      mtu: {
        value: cdktf.numberToHclTerraform(this._mtu),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      name: {
        value: cdktf.stringToHclTerraform(this._name),
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
      up: {
        value: cdktf.booleanToHclTerraform(this._up),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
