/**
 * A small stand-in for Terraform's side of the plugin protocol: starts the provider executable
 * with the magic cookie and a fresh client certificate, reads the go-plugin handshake line,
 * connects over mutual TLS to the unix socket it names and calls RPCs with protocol messages.
 *
 * The messages are encoded with the client's own definitions (tfplugin6.proto and
 * grpc_controller.proto next to this file, written from the published protocol), never with the
 * provider's: a wrong field name or number on the provider's side makes the tests fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { selfSignedCert, type SelfSigned } from '../../../src/terraform/cert.js';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../../src/terraform/server.js';

export const PROVIDER_MAIN = new URL('../../../dist/src/terraform/main.js', import.meta.url).pathname;

/** A message as a plain object: field names as in the .proto (snake_case), bytes as Uint8Array. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = Record<string, any>;

const root = new protobuf.Root();
for (const file of ['tfplugin6.proto', 'grpc_controller.proto']) {
  protobuf.parse(readFileSync(new URL(file, import.meta.url), 'utf8'), root, { keepCase: true });
}
root.resolveAll();

const PROVIDER = root.lookupService('tfplugin6.Provider');
const CONTROLLER = root.lookupService('plugin.GRPCController');

/** The tfplugin6.Provider methods the client can call. */
export type ProviderMethod =
  | 'GetMetadata' | 'GetProviderSchema' | 'ValidateProviderConfig' | 'ValidateResourceConfig' | 'ValidateDataResourceConfig'
  | 'UpgradeResourceState' | 'ConfigureProvider' | 'ReadResource' | 'PlanResourceChange' | 'ApplyResourceChange'
  | 'ImportResourceState' | 'GetFunctions' | 'StopProvider';

/** A grpc-js service definition built from a protobufjs service of the client's own .proto files. */
function serviceDefinition(service: protobuf.Service): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<Msg, Msg>> = {};
  for (const m of service.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType!;
    const res = m.resolvedResponseType!;
    const decode = (t: protobuf.Type) => (b: Buffer): Msg => t.toObject(t.decode(b), { longs: Number, enums: String, arrays: true, objects: true }) as Msg;
    const encode = (t: protobuf.Type) => (msg: Msg): Buffer => {
      // A field the published protocol does not have is a mistake in the test, not something to drop.
      const unknown = Object.keys(msg).filter((k) => !t.fields[k]);
      if (unknown.length) throw new Error(`${t.fullName} has no field ${unknown.join(', ')}`);
      const problem = t.verify(msg);
      if (problem) throw new Error(`${t.fullName}: ${problem}`);
      return Buffer.from(t.encode(t.fromObject(msg)).finish());
    };
    def[m.name] = {
      path: `/${service.fullName.replace(/^\./u, '')}/${m.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: encode(req),
      requestDeserialize: decode(req),
      responseSerialize: encode(res),
      responseDeserialize: decode(res),
      originalName: m.name,
    };
  }
  return def as grpc.ServiceDefinition;
}

export interface Handshake {
  readonly core: number;
  readonly app: number;
  readonly network: string;
  readonly address: string;
  readonly protocol: string;
  /** The server certificate (PEM), from the handshake's base64 DER. */
  readonly serverCertPem: string;
}

export function parseHandshake(line: string): Handshake {
  const [core, app, network, address, protocol, cert] = line.trim().split('|');
  if (!cert) throw new Error(`not a go-plugin handshake line: ${JSON.stringify(line)}`);
  return {
    core: Number(core), app: Number(app), network: network!, address: address!, protocol: protocol!,
    serverCertPem: new X509Certificate(Buffer.from(cert, 'base64')).toString(),
  };
}

export interface PluginClient {
  readonly handshake: Handshake;
  readonly process: ChildProcess;
  /** What the provider wrote to stderr so far. */
  stderr(): string;
  call(method: ProviderMethod, request?: Msg): Promise<Msg>;
  /** Calls plugin.GRPCController/Shutdown and waits for the process to exit; returns its exit code. */
  shutdown(): Promise<number | null>;
}

/** Runs `node dist/src/terraform/main.js` (or an installed provider `executable`) as Terraform would. */
export async function startProvider(opts: { env?: NodeJS.ProcessEnv; clientCert?: SelfSigned; trustedCert?: string; executable?: string } = {}): Promise<PluginClient> {
  if (!opts.executable && !existsSync(PROVIDER_MAIN)) throw new Error(`${PROVIDER_MAIN} is missing: run \`npm run build\` first`);
  const clientCert = opts.clientCert ?? selfSignedCert({ organization: 'terraform-test-client' });
  const [command, args] = opts.executable ? [opts.executable, []] : [process.execPath, [PROVIDER_MAIN]];
  const child = spawn(command, args, {
    env: {
      ...process.env,
      [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
      PLUGIN_PROTOCOL_VERSIONS: '5,6',
      PLUGIN_CLIENT_CERT: opts.trustedCert ?? clientCert.certPem,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no handshake within 10 s; stderr: ${err}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`provider exited (${code}) before the handshake; stderr: ${err}`));
    });
  });
  const handshake = parseHandshake(line);
  const creds = grpc.credentials.createSsl(Buffer.from(handshake.serverCertPem), Buffer.from(clientCert.keyPem), Buffer.from(clientCert.certPem));
  const options = { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' };
  const target = `unix://${handshake.address}`;
  const Provider = grpc.makeGenericClientConstructor(serviceDefinition(PROVIDER), 'Provider');
  const Controller = grpc.makeGenericClientConstructor(serviceDefinition(CONTROLLER), 'GRPCController');
  const provider = new Provider(target, creds, options) as unknown as Record<string, (req: Msg, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, res: Msg) => void) => void>;
  const controller = new Controller(target, creds, options) as unknown as typeof provider;
  const unary = (client: typeof provider, method: string, req: Msg) =>
    new Promise<Msg>((resolve, reject) => client[method]!.call(client, req, { deadline: Date.now() + 30_000 }, (e, res) => (e ? reject(e) : resolve(res))));
  return {
    handshake,
    process: child,
    stderr: () => err,
    call: (method, request = {}) => unary(provider, method, request),
    async shutdown() {
      try {
        await unary(controller, 'Shutdown', {});
      } catch {
        child.kill('SIGKILL');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      (provider as unknown as grpc.Client).close?.();
      (controller as unknown as grpc.Client).close?.();
      return code;
    },
  };
}
