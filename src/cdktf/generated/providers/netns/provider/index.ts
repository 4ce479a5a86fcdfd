// https://registry.terraform.io/providers/nslab/netns/0.1.0/docs
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../../../cdk.js';

// Configuration

export interface NetnsProviderConfig {
  /**
  * The machine whose kernel the provider changes: `ssh://user@address[:port]` (an IPv6 address in brackets), reached with the ssh command over one multiplexed connection; it needs iproute2 (and nftables where used). Default: the local machine.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs#host NetnsProvider#host}
  */
  readonly host?: string;
  /**
  * The private key ssh uses for `host`. Default: ssh's own choice (its configuration, agent and default keys).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs#identity_file NetnsProvider#identity_file}
  */
  readonly identityFile?: string;
  /**
  * The ownership key: every link the provider creates carries the kernel marker `nslab:<lab>` (ifalias), and objects marked for another key, or unmarked objects it did not create, are never changed. Default: `terraform`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs#lab NetnsProvider#lab}
  */
  readonly lab?: string;
  /**
  * Where the provider records what it owns, on the machine it changes. Default: env NSLAB_STATE_DIR (for the local machine), else /var/lib/nslab.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs#state_dir NetnsProvider#state_dir}
  */
  readonly stateDir?: string;
  /**
  * Alias name
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs#alias NetnsProvider#alias}
  */
  readonly alias?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs netns}
*/
export class NetnsProvider extends cdktf.TerraformProvider {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "netns";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a NetnsProvider resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the NetnsProvider to import
  * @param importFromId The id of the existing NetnsProvider that should be imported. Refer to the {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the NetnsProvider to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "netns", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs netns} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options NetnsProviderConfig = {}
  */
  public constructor(scope: Construct, id: string, config: NetnsProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'netns',
      terraformGeneratorMetadata: {
        providerName: 'netns',
        providerVersion: '0.1.0'
      },
      terraformProviderSource: 'registry.terraform.io/nslab/netns'
    });
    this._host = config.host;
    this._identityFile = config.identityFile;
    this._lab = config.lab;
    this._stateDir = config.stateDir;
    this._alias = config.alias;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // host - computed: false, optional: true, required: false
  private _host?: string; 
  public get host() {
    return this._host;
  }
  public set host(value: string | undefined) {
    this._host = value;
  }
  public resetHost() {
    this._host = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get hostInput() {
    return this._host;
  }

  // identity_file - computed: false, optional: true, required: false
  private _identityFile?: string; 
  public get identityFile() {
    return this._identityFile;
  }
  public set identityFile(value: string | undefined) {
    this._identityFile = value;
  }
  public resetIdentityFile() {
    this._identityFile = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get identityFileInput() {
    return this._identityFile;
  }

  // lab - computed: false, optional: true, required: false
  private _lab?: string; 
  public get lab() {
    return this._lab;
  }
  public set lab(value: string | undefined) {
    this._lab = value;
  }
  public resetLab() {
    this._lab = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get labInput() {
    return this._lab;
  }

  // state_dir - computed: false, optional: true, required: false
  private _stateDir?: string; 
  public get stateDir() {
    return this._stateDir;
  }
  public set stateDir(value: string | undefined) {
    this._stateDir = value;
  }
  public resetStateDir() {
    this._stateDir = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get stateDirInput() {
    return this._stateDir;
  }

  // alias - computed: false, optional: true, required: false
  private _alias?: string; 
  public override get alias() {
    return this._alias;
  }
  public override set alias(value: string | undefined) {
    this._alias = value;
  }
  public resetAlias() {
    this._alias = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get aliasInput() {
    return this._alias;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      host: cdktf.stringToTerraform(this._host),
      identity_file: cdktf.stringToTerraform(this._identityFile),
      lab: cdktf.stringToTerraform(this._lab),
      state_dir: cdktf.stringToTerraform(this._stateDir),
      alias: cdktf.stringToTerraform(this._alias),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      host: {
        value: cdktf.stringToHclTerraform(this._host),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      identity_file: {
        value: cdktf.stringToHclTerraform(this._identityFile),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      lab: {
        value: cdktf.stringToHclTerraform(this._lab),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      state_dir: {
        value: cdktf.stringToHclTerraform(this._stateDir),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      alias: {
        value: cdktf.stringToHclTerraform(this._alias),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
