/**
 * The project's own protocol definitions: the subset of Terraform's plugin protocol 6
 * (`tfplugin6`), go-plugin's controller and gRPC health check that this provider speaks.
 * Message and field names and numbers are the published ones; messages the provider never uses
 * are left out (protobuf skips unknown fields, so a newer Terraform still decodes).
 */
import protobuf from 'protobufjs';
import type * as grpc from '@grpc/grpc-js';

export const TFPLUGIN6_PROTO = `
syntax = "proto3";
package tfplugin6;

message DynamicValue { bytes msgpack = 1; bytes json = 2; }

message Diagnostic {
  enum Severity { INVALID = 0; ERROR = 1; WARNING = 2; }
  Severity severity = 1;
  string summary = 2;
  string detail = 3;
  AttributePath attribute = 4;
}

message AttributePath {
  message Step {
    oneof selector {
      string attribute_name = 1;
      string element_key_string = 2;
      int64 element_key_int = 3;
    }
  }
  repeated Step steps = 1;
}

message StopProvider {
  message Request {}
  message Response { string Error = 1; }
}

message RawState { bytes json = 1; map<string, string> flatmap = 2; }

enum StringKind { PLAIN = 0; MARKDOWN = 1; }

message Schema {
  message Block {
    int64 version = 1;
    repeated Attribute attributes = 2;
    repeated NestedBlock block_types = 3;
    string description = 4;
    StringKind description_kind = 5;
    bool deprecated = 6;
  }
  message Attribute {
    string name = 1;
    bytes type = 2;
    string description = 3;
    bool required = 4;
    bool optional = 5;
    bool computed = 6;
    bool sensitive = 7;
    StringKind description_kind = 8;
    bool deprecated = 9;
  }
  message NestedBlock {
    enum NestingMode { INVALID = 0; SINGLE = 1; LIST = 2; SET = 3; MAP = 4; GROUP = 5; }
    string type_name = 1;
    Block block = 2;
    NestingMode nesting = 3;
    int64 min_items = 4;
    int64 max_items = 5;
  }
  int64 version = 1;
  Block block = 2;
}

message ServerCapabilities {
  bool plan_destroy = 1;
  bool get_provider_schema_optional = 2;
  bool move_resource_state = 3;
}

message ClientCapabilities {
  bool deferral_allowed = 1;
  bool write_only_attributes_allowed = 2;
}

message GetMetadata {
  message Request {}
  message Response {
    ServerCapabilities server_capabilities = 1;
    repeated Diagnostic diagnostics = 2;
    repeated DataSourceMetadata data_sources = 3;
    repeated ResourceMetadata resources = 4;
  }
  message DataSourceMetadata { string type_name = 1; }
  message ResourceMetadata { string type_name = 1; }
}

message GetProviderSchema {
  message Request {}
  message Response {
    Schema provider = 1;
    map<string, Schema> resource_schemas = 2;
    map<string, Schema> data_source_schemas = 3;
    repeated Diagnostic diagnostics = 4;
    Schema provider_meta = 5;
    ServerCapabilities server_capabilities = 6;
  }
}

message ValidateProviderConfig {
  message Request { DynamicValue config = 1; }
  message Response { repeated Diagnostic diagnostics = 2; }
}

message UpgradeResourceState {
  message Request { string type_name = 1; int64 version = 2; RawState raw_state = 3; }
  message Response { DynamicValue upgraded_state = 1; repeated Diagnostic diagnostics = 2; }
}

message ValidateResourceConfig {
  message Request { string type_name = 1; DynamicValue config = 2; ClientCapabilities client_capabilities = 3; }
  message Response { repeated Diagnostic diagnostics = 1; }
}

message ValidateDataResourceConfig {
  message Request { string type_name = 1; DynamicValue config = 2; }
  message Response { repeated Diagnostic diagnostics = 1; }
}

message ConfigureProvider {
  message Request { string terraform_version = 1; DynamicValue config = 2; ClientCapabilities client_capabilities = 3; }
  message Response { repeated Diagnostic diagnostics = 1; }
}

message ReadResource {
  message Request {
    string type_name = 1;
    DynamicValue current_state = 2;
    bytes private = 3;
    DynamicValue provider_meta = 4;
    ClientCapabilities client_capabilities = 5;
  }
  message Response { DynamicValue new_state = 1; repeated Diagnostic diagnostics = 2; bytes private = 3; }
}

message PlanResourceChange {
  message Request {
    string type_name = 1;
    DynamicValue prior_state = 2;
    DynamicValue proposed_new_state = 3;
    DynamicValue config = 4;
    bytes prior_private = 5;
    DynamicValue provider_meta = 6;
    ClientCapabilities client_capabilities = 7;
  }
  message Response {
    DynamicValue planned_state = 1;
    repeated AttributePath requires_replace = 2;
    bytes planned_private = 3;
    repeated Diagnostic diagnostics = 4;
  }
}

message ApplyResourceChange {
  message Request {
    string type_name = 1;
    DynamicValue prior_state = 2;
    DynamicValue planned_state = 3;
    DynamicValue config = 4;
    bytes planned_private = 5;
    DynamicValue provider_meta = 6;
  }
  message Response { DynamicValue new_state = 1; bytes private = 2; repeated Diagnostic diagnostics = 3; }
}

message ImportResourceState {
  message Request { string type_name = 1; string id = 2; ClientCapabilities client_capabilities = 3; }
  message ImportedResource { string type_name = 1; DynamicValue state = 2; bytes private = 3; }
  message Response { repeated ImportedResource imported_resources = 1; repeated Diagnostic diagnostics = 2; }
}

message GetFunctions {
  message Request {}
  message Response { repeated Diagnostic diagnostics = 2; }
}
`;

/** go-plugin's controller service (`plugin.GRPCController`) and gRPC's health check. */
export const PLUGIN_PROTO = `
syntax = "proto3";
package plugin;
message Empty {}
`;

export const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
`;

const root = new protobuf.Root();
for (const text of [TFPLUGIN6_PROTO, PLUGIN_PROTO, HEALTH_PROTO]) protobuf.parse(text, root, { keepCase: true });
root.resolveAll();

/** A plain JS message: field names as in the .proto (snake_case), bytes as Uint8Array. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = Record<string, any>;

const codec = (name: string) => {
  const type = root.lookupType(name);
  return {
    encode: (m: Msg): Buffer => Buffer.from(type.encode(type.fromObject(m)).finish()),
    decode: (b: Buffer): Msg => type.toObject(type.decode(b), { longs: Number, enums: String, arrays: true, objects: true }) as Msg,
  };
};

/** `[Request type, Response type]` of each method of a service. */
type Methods = Record<string, readonly [string, string]>;

/** A grpc-js service definition whose messages are encoded with the definitions above. */
export function serviceDefinition(service: string, methods: Methods): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<Msg, Msg>> = {};
  for (const [name, [req, res]] of Object.entries(methods)) {
    const rq = codec(req);
    const rs = codec(res);
    def[name] = {
      path: `/${service}/${name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: rq.encode,
      requestDeserialize: rq.decode,
      responseSerialize: rs.encode,
      responseDeserialize: rs.decode,
      originalName: name,
    };
  }
  return def as grpc.ServiceDefinition;
}

const rpc = (name: string) => [`tfplugin6.${name}.Request`, `tfplugin6.${name}.Response`] as const;

/** The methods of `tfplugin6.Provider` this provider answers; others get UNIMPLEMENTED. */
export const PROVIDER_METHODS = {
  GetMetadata: rpc('GetMetadata'),
  GetProviderSchema: rpc('GetProviderSchema'),
  ValidateProviderConfig: rpc('ValidateProviderConfig'),
  ValidateResourceConfig: rpc('ValidateResourceConfig'),
  ValidateDataResourceConfig: rpc('ValidateDataResourceConfig'),
  UpgradeResourceState: rpc('UpgradeResourceState'),
  ConfigureProvider: rpc('ConfigureProvider'),
  ReadResource: rpc('ReadResource'),
  PlanResourceChange: rpc('PlanResourceChange'),
  ApplyResourceChange: rpc('ApplyResourceChange'),
  ImportResourceState: rpc('ImportResourceState'),
  GetFunctions: rpc('GetFunctions'),
  StopProvider: rpc('StopProvider'),
} as const;

export type ProviderMethod = keyof typeof PROVIDER_METHODS;

export const providerService = (): grpc.ServiceDefinition => serviceDefinition('tfplugin6.Provider', PROVIDER_METHODS);
export const controllerService = (): grpc.ServiceDefinition =>
  serviceDefinition('plugin.GRPCController', { Shutdown: ['plugin.Empty', 'plugin.Empty'] });
export const healthService = (): grpc.ServiceDefinition =>
  serviceDefinition('grpc.health.v1.Health', { Check: ['grpc.health.v1.HealthCheckRequest', 'grpc.health.v1.HealthCheckResponse'] });
