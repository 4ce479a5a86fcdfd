// https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/route
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../../../cdk.js';

// Configuration

export interface RouteConfig extends cdktf.TerraformMetaArguments {
  /**
  * The destination prefix, or `default` (`::/0` for the IPv6 default).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/route#destination Route#destination}
  */
  readonly destination: string;
  /**
  * The outgoing device. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/route#device Route#device}
  */
  readonly device?: string;
  /**
  * The route metric. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/route#metric Route#metric}
  */
  readonly metric?: number;
  /**
  * Name of the network namespace the route lives in. Unset: the host (root) namespace.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/route#namespace Route#namespace}
  */
  readonly namespace?: string;
  /**
  * The gateway address. Changes in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/route#via Route#via}
  */
  readonly via?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/route netns_route}
*/
export class Route extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "netns_route";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Route resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Route to import
  * @param importFromId The id of the existing Route that should be imported. Refer to the {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/route#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Route to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "netns_route", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/nslab/netns/0.1.0/docs/resources/route netns_route} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options RouteConfig
  */
  public constructor(scope: Construct, id: string, config: RouteConfig) {
    super(scope, id, {
      terraformResourceType: 'netns_route',
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
    this._destination = config.destination;
    this._device = config.device;
    this._metric = config.metric;
    this._namespace = config.namespace;
    this._via = config.via;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // destination - computed: false, optional: false, required: true
  private _destination?: string; 
  public get destination() {
    return this.getStringAttribute('destination');
  }
  public set destination(value: string) {
    this._destination = value;
  }
  // Temporarily expose input value. Use with caution.
  public get destinationInput() {
    return this._destination;
  }

  // device - computed: false, optional: true, required: false
  private _device?: string; 
  public get device() {
    return this.getStringAttribute('device');
  }
  public set device(value: string) {
    this._device = value;
  }
  public resetDevice() {
    this._device = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get deviceInput() {
    return this._device;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // metric - computed: false, optional: true, required: false
  private _metric?: number; 
  public get metric() {
    return this.getNumberAttribute('metric');
  }
  public set metric(value: number) {
    this._metric = value;
  }
  public resetMetric() {
    this._metric = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get metricInput() {
    return this._metric;
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

  // via - computed: false, optional: true, required: false
  private _via?: string; 
  public get via() {
    return this.getStringAttribute('via');
  }
  public set via(value: string) {
    this._via = value;
  }
  public resetVia() {
    this._via = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get viaInput() {
    return this._via;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      destination: cdktf.stringToTerraform(this._destination),
      device: cdktf.stringToTerraform(this._device),
      metric: cdktf.numberToTerraform(this._metric),
      namespace: cdktf.stringToTerraform(this._namespace),
      via: cdktf.stringToTerraform(this._via),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      destination: {
        value: cdktf.stringToHclTerraform(this._destination),
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
      metric: {
        value: cdktf.numberToHclTerraform(this._metric),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      namespace: {
        value: cdktf.stringToHclTerraform(this._namespace),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      via: {
        value: cdktf.stringToHclTerraform(this._via),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
