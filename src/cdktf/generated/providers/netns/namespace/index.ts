// https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/namespace
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../../../cdk.js';

// Configuration

export interface NamespaceConfig extends cdktf.TerraformMetaArguments {
  /**
  * Whether the loopback device `lo` is up. Default: true.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/namespace#loopback_up Namespace#loopback_up}
  */
  readonly loopbackUp?: boolean | cdktf.IResolvable;
  /**
  * The namespace name.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/namespace#name Namespace#name}
  */
  readonly name: string;
  /**
  * Per-namespace sysctls (`net.*`) set inside the namespace, e.g. `{ "net.ipv4.ip_forward" = "1" }`. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/namespace#sysctls Namespace#sysctls}
  */
  readonly sysctls?: { [key: string]: string };
}

/**
* Represents a {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/namespace netns_namespace}
*/
export class Namespace extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "netns_namespace";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Namespace resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Namespace to import
  * @param importFromId The id of the existing Namespace that should be imported. Refer to the {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/namespace#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Namespace to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "netns_namespace", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/namespace netns_namespace} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options NamespaceConfig
  */
  public constructor(scope: Construct, id: string, config: NamespaceConfig) {
    super(scope, id, {
      terraformResourceType: 'netns_namespace',
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
    this._loopbackUp = config.loopbackUp;
    this._name = config.name;
    this._sysctls = config.sysctls;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // loopback_up - computed: true, optional: true, required: false
  private _loopbackUp?: boolean | cdktf.IResolvable; 
  public get loopbackUp() {
    return this.getBooleanAttribute('loopback_up');
  }
  public set loopbackUp(value: boolean | cdktf.IResolvable) {
    this._loopbackUp = value;
  }
  public resetLoopbackUp() {
    this._loopbackUp = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get loopbackUpInput() {
    return this._loopbackUp;
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

  // sysctls - computed: false, optional: true, required: false
  private _sysctls?: { [key: string]: string }; 
  public get sysctls() {
    return this.getStringMapAttribute('sysctls');
  }
  public set sysctls(value: { [key: string]: string }) {
    this._sysctls = value;
  }
  public resetSysctls() {
    this._sysctls = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get sysctlsInput() {
    return this._sysctls;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      loopback_up: cdktf.booleanToTerraform(this._loopbackUp),
      name: cdktf.stringToTerraform(this._name),
      sysctls: cdktf.hashMapper(cdktf.stringToTerraform)(this._sysctls),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      loopback_up: {
        value: cdktf.booleanToHclTerraform(this._loopbackUp),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      name: {
        value: cdktf.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      sysctls: {
        value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._sysctls),
        isBlock: false,
        type: "map",
        storageClassType: "stringMap",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
