// https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../../../cdk.js';

// Configuration

export interface FirewallConfig extends cdktf.TerraformMetaArguments {
  /**
  * `ct state established,related accept` first in every hook (replies pass). Default: true. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall#allow_established Firewall#allow_established}
  */
  readonly allowEstablished?: boolean | cdktf.IResolvable;
  /**
  * Accept what comes in by `lo`. Default: true. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall#allow_loopback Firewall#allow_loopback}
  */
  readonly allowLoopback?: boolean | cdktf.IResolvable;
  /**
  * Let connections to published ports through the forward hook (`ct status dnat accept`). Default: true. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall#allow_port_forwards Firewall#allow_port_forwards}
  */
  readonly allowPortForwards?: boolean | cdktf.IResolvable;
  /**
  * Policy of the forward hook: `accept` or `drop`. Default: accept. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall#forward Firewall#forward}
  */
  readonly forward?: string;
  /**
  * Policy of the input hook: `accept` or `drop`. Default: accept. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall#input Firewall#input}
  */
  readonly input?: string;
  /**
  * The firewall's name: it tags its rules (nftables comment) in the lab's table `inet nslab_<lab>` of the namespace.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall#name Firewall#name}
  */
  readonly name: string;
  /**
  * Name of the network namespace the firewall lives in. Unset: the host (root) namespace.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall#namespace Firewall#namespace}
  */
  readonly namespace?: string;
  /**
  * Policy of the output hook: `accept` or `drop`. Default: accept. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall#output Firewall#output}
  */
  readonly output?: string;
  /**
  * Ordered rules, each a map: `hook` (input, forward, output) and `action` (accept, drop, reject) required; `source`, `destination` (prefixes), `in_interface`, `out_interface`, `protocol` (tcp, udp, icmp, icmpv6), `port` (`22` or `8000-8100`). Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall#rules Firewall#rules}
  */
  readonly rules?: { [key: string]: string }[] | cdktf.IResolvable;
}

/**
* Represents a {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall netns_firewall}
*/
export class Firewall extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "netns_firewall";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Firewall resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Firewall to import
  * @param importFromId The id of the existing Firewall that should be imported. Refer to the {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Firewall to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "netns_firewall", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/firewall netns_firewall} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options FirewallConfig
  */
  public constructor(scope: Construct, id: string, config: FirewallConfig) {
    super(scope, id, {
      terraformResourceType: 'netns_firewall',
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
    this._allowEstablished = config.allowEstablished;
    this._allowLoopback = config.allowLoopback;
    this._allowPortForwards = config.allowPortForwards;
    this._forward = config.forward;
    this._input = config.input;
    this._name = config.name;
    this._namespace = config.namespace;
    this._output = config.output;
    this._rules = config.rules;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // allow_established - computed: true, optional: true, required: false
  private _allowEstablished?: boolean | cdktf.IResolvable; 
  public get allowEstablished() {
    return this.getBooleanAttribute('allow_established');
  }
  public set allowEstablished(value: boolean | cdktf.IResolvable) {
    this._allowEstablished = value;
  }
  public resetAllowEstablished() {
    this._allowEstablished = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get allowEstablishedInput() {
    return this._allowEstablished;
  }

  // allow_loopback - computed: true, optional: true, required: false
  private _allowLoopback?: boolean | cdktf.IResolvable; 
  public get allowLoopback() {
    return this.getBooleanAttribute('allow_loopback');
  }
  public set allowLoopback(value: boolean | cdktf.IResolvable) {
    this._allowLoopback = value;
  }
  public resetAllowLoopback() {
    this._allowLoopback = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get allowLoopbackInput() {
    return this._allowLoopback;
  }

  // allow_port_forwards - computed: true, optional: true, required: false
  private _allowPortForwards?: boolean | cdktf.IResolvable; 
  public get allowPortForwards() {
    return this.getBooleanAttribute('allow_port_forwards');
  }
  public set allowPortForwards(value: boolean | cdktf.IResolvable) {
    this._allowPortForwards = value;
  }
  public resetAllowPortForwards() {
    this._allowPortForwards = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get allowPortForwardsInput() {
    return this._allowPortForwards;
  }

  // forward - computed: true, optional: true, required: false
  private _forward?: string; 
  public get forward() {
    return this.getStringAttribute('forward');
  }
  public set forward(value: string) {
    this._forward = value;
  }
  public resetForward() {
    this._forward = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get forwardInput() {
    return this._forward;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // input - computed: true, optional: true, required: false
  private _input?: string; 
  public get input() {
    return this.getStringAttribute('input');
  }
  public set input(value: string) {
    this._input = value;
  }
  public resetInput() {
    this._input = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get inputInput() {
    return this._input;
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

  // output - computed: true, optional: true, required: false
  private _output?: string; 
  public get output() {
    return this.getStringAttribute('output');
  }
  public set output(value: string) {
    this._output = value;
  }
  public resetOutput() {
    this._output = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get outputInput() {
    return this._output;
  }

  // rules - computed: false, optional: true, required: false
  private _rules?: { [key: string]: string }[] | cdktf.IResolvable; 
  public get rules() {
    return this.interpolationForAttribute('rules');
  }
  public set rules(value: { [key: string]: string }[] | cdktf.IResolvable) {
    this._rules = value;
  }
  public resetRules() {
    this._rules = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get rulesInput() {
    return this._rules;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      allow_established: cdktf.booleanToTerraform(this._allowEstablished),
      allow_loopback: cdktf.booleanToTerraform(this._allowLoopback),
      allow_port_forwards: cdktf.booleanToTerraform(this._allowPortForwards),
      forward: cdktf.stringToTerraform(this._forward),
      input: cdktf.stringToTerraform(this._input),
      name: cdktf.stringToTerraform(this._name),
      namespace: cdktf.stringToTerraform(this._namespace),
      output: cdktf.stringToTerraform(this._output),
      rules: cdktf.listMapper(cdktf.hashMapper(cdktf.stringToTerraform), false)(this._rules),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      allow_established: {
        value: cdktf.booleanToHclTerraform(this._allowEstablished),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      allow_loopback: {
        value: cdktf.booleanToHclTerraform(this._allowLoopback),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      allow_port_forwards: {
        value: cdktf.booleanToHclTerraform(this._allowPortForwards),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      forward: {
        value: cdktf.stringToHclTerraform(this._forward),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      input: {
        value: cdktf.stringToHclTerraform(this._input),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
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
      output: {
        value: cdktf.stringToHclTerraform(this._output),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      rules: {
        value: cdktf.listMapperHcl(cdktf.hashMapperHcl(cdktf.stringToHclTerraform), false)(this._rules),
        isBlock: false,
        type: "list",
        storageClassType: "stringMapList",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
