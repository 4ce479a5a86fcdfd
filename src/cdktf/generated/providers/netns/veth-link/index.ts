// https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../../../cdk.js';

// Configuration

export interface VethLinkConfig extends cdktf.TerraformMetaArguments {
  /**
  * Egress impairment of end a: keys delay, jitter (`20ms`), loss, duplicate, corrupt, reorder (`1%`), rate (`8mbit`), burst (`32kb`), limit (packets). A rate alone is a tbf qdisc; anything else needs the kernel's netem. Unset: the kernel's default qdisc. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#a_impair VethLink#a_impair}
  */
  readonly aImpair?: { [key: string]: string };
  /**
  * MAC address of end a, `aa:bb:cc:dd:ee:ff`. Unset: chosen by the kernel, not managed. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#a_mac VethLink#a_mac}
  */
  readonly aMac?: string;
  /**
  * Name of a bridge (in end a's namespace) that end a is a port of. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#a_master VethLink#a_master}
  */
  readonly aMaster?: string;
  /**
  * Interface name of end a (at most 15 bytes).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#a_name VethLink#a_name}
  */
  readonly aName: string;
  /**
  * Name of the network namespace end a lives in. Unset: the host (root) namespace.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#a_namespace VethLink#a_namespace}
  */
  readonly aNamespace?: string;
  /**
  * Egress impairment of end b: keys delay, jitter (`20ms`), loss, duplicate, corrupt, reorder (`1%`), rate (`8mbit`), burst (`32kb`), limit (packets). A rate alone is a tbf qdisc; anything else needs the kernel's netem. Unset: the kernel's default qdisc. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#b_impair VethLink#b_impair}
  */
  readonly bImpair?: { [key: string]: string };
  /**
  * MAC address of end b, `aa:bb:cc:dd:ee:ff`. Unset: chosen by the kernel, not managed. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#b_mac VethLink#b_mac}
  */
  readonly bMac?: string;
  /**
  * Name of a bridge (in end b's namespace) that end b is a port of. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#b_master VethLink#b_master}
  */
  readonly bMaster?: string;
  /**
  * Interface name of end b (at most 15 bytes).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#b_name VethLink#b_name}
  */
  readonly bName: string;
  /**
  * Name of the network namespace end b lives in. Unset: the host (root) namespace.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#b_namespace VethLink#b_namespace}
  */
  readonly bNamespace?: string;
  /**
  * MTU of both ends (68-65535). Unset: the kernel's default, not managed. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#mtu VethLink#mtu}
  */
  readonly mtu?: number;
  /**
  * Whether both ends are up. Default: true.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#up VethLink#up}
  */
  readonly up?: boolean | cdktf.IResolvable;
}

/**
* Represents a {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link netns_veth_link}
*/
export class VethLink extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "netns_veth_link";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a VethLink resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the VethLink to import
  * @param importFromId The id of the existing VethLink that should be imported. Refer to the {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the VethLink to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "netns_veth_link", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/veth_link netns_veth_link} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options VethLinkConfig
  */
  public constructor(scope: Construct, id: string, config: VethLinkConfig) {
    super(scope, id, {
      terraformResourceType: 'netns_veth_link',
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
    this._aImpair = config.aImpair;
    this._aMac = config.aMac;
    this._aMaster = config.aMaster;
    this._aName = config.aName;
    this._aNamespace = config.aNamespace;
    this._bImpair = config.bImpair;
    this._bMac = config.bMac;
    this._bMaster = config.bMaster;
    this._bName = config.bName;
    this._bNamespace = config.bNamespace;
    this._mtu = config.mtu;
    this._up = config.up;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // a_impair - computed: false, optional: true, required: false
  private _aImpair?: { [key: string]: string }; 
  public get aImpair() {
    return this.getStringMapAttribute('a_impair');
  }
  public set aImpair(value: { [key: string]: string }) {
    this._aImpair = value;
  }
  public resetAImpair() {
    this._aImpair = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get aImpairInput() {
    return this._aImpair;
  }

  // a_mac - computed: false, optional: true, required: false
  private _aMac?: string; 
  public get aMac() {
    return this.getStringAttribute('a_mac');
  }
  public set aMac(value: string) {
    this._aMac = value;
  }
  public resetAMac() {
    this._aMac = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get aMacInput() {
    return this._aMac;
  }

  // a_master - computed: false, optional: true, required: false
  private _aMaster?: string; 
  public get aMaster() {
    return this.getStringAttribute('a_master');
  }
  public set aMaster(value: string) {
    this._aMaster = value;
  }
  public resetAMaster() {
    this._aMaster = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get aMasterInput() {
    return this._aMaster;
  }

  // a_name - computed: false, optional: false, required: true
  private _aName?: string; 
  public get aName() {
    return this.getStringAttribute('a_name');
  }
  public set aName(value: string) {
    this._aName = value;
  }
  // Temporarily expose input value. Use with caution.
  public get aNameInput() {
    return this._aName;
  }

  // a_namespace - computed: false, optional: true, required: false
  private _aNamespace?: string; 
  public get aNamespace() {
    return this.getStringAttribute('a_namespace');
  }
  public set aNamespace(value: string) {
    this._aNamespace = value;
  }
  public resetANamespace() {
    this._aNamespace = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get aNamespaceInput() {
    return this._aNamespace;
  }

  // b_impair - computed: false, optional: true, required: false
  private _bImpair?: { [key: string]: string }; 
  public get bImpair() {
    return this.getStringMapAttribute('b_impair');
  }
  public set bImpair(value: { [key: string]: string }) {
    this._bImpair = value;
  }
  public resetBImpair() {
    this._bImpair = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get bImpairInput() {
    return this._bImpair;
  }

  // b_mac - computed: false, optional: true, required: false
  private _bMac?: string; 
  public get bMac() {
    return this.getStringAttribute('b_mac');
  }
  public set bMac(value: string) {
    this._bMac = value;
  }
  public resetBMac() {
    this._bMac = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get bMacInput() {
    return this._bMac;
  }

  // b_master - computed: false, optional: true, required: false
  private _bMaster?: string; 
  public get bMaster() {
    return this.getStringAttribute('b_master');
  }
  public set bMaster(value: string) {
    this._bMaster = value;
  }
  public resetBMaster() {
    this._bMaster = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get bMasterInput() {
    return this._bMaster;
  }

  // b_name - computed: false, optional: false, required: true
  private _bName?: string; 
  public get bName() {
    return this.getStringAttribute('b_name');
  }
  public set bName(value: string) {
    this._bName = value;
  }
  // Temporarily expose input value. Use with caution.
  public get bNameInput() {
    return this._bName;
  }

  // b_namespace - computed: false, optional: true, required: false
  private _bNamespace?: string; 
  public get bNamespace() {
    return this.getStringAttribute('b_namespace');
  }
  public set bNamespace(value: string) {
    this._bNamespace = value;
  }
  public resetBNamespace() {
    this._bNamespace = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get bNamespaceInput() {
    return this._bNamespace;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
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
      a_impair: cdktf.hashMapper(cdktf.stringToTerraform)(this._aImpair),
      a_mac: cdktf.stringToTerraform(this._aMac),
      a_master: cdktf.stringToTerraform(this._aMaster),
      a_name: cdktf.stringToTerraform(this._aName),
      a_namespace: cdktf.stringToTerraform(this._aNamespace),
      b_impair: cdktf.hashMapper(cdktf.stringToTerraform)(this._bImpair),
      b_mac: cdktf.stringToTerraform(this._bMac),
      b_master: cdktf.stringToTerraform(this._bMaster),
      b_name: cdktf.stringToTerraform(this._bName),
      b_namespace: cdktf.stringToTerraform(this._bNamespace),
      mtu: cdktf.numberToTerraform(this._mtu),
      up: cdktf.booleanToTerraform(this._up),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      a_impair: {
        value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._aImpair),
        isBlock: false,
        type: "map",
        storageClassType: "stringMap",
      },
      a_mac: {
        value: cdktf.stringToHclTerraform(this._aMac),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      a_master: {
        value: cdktf.stringToHclTerraform(this._aMaster),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      a_name: {
        value: cdktf.stringToHclTerraform(this._aName),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      a_namespace: {
        value: cdktf.stringToHclTerraform(this._aNamespace),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      b_impair: {
        value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._bImpair),
        isBlock: false,
        type: "map",
        storageClassType: "stringMap",
      },
      b_mac: {
        value: cdktf.stringToHclTerraform(this._bMac),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      b_master: {
        value: cdktf.stringToHclTerraform(this._bMaster),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      b_name: {
        value: cdktf.stringToHclTerraform(this._bName),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      b_namespace: {
        value: cdktf.stringToHclTerraform(this._bNamespace),
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
