/**
 * Serves the provider the way go-plugin does: check the magic cookie, make a fresh certificate,
 * listen on a unix socket with mutual TLS (client certificates must be signed by
 * PLUGIN_CLIENT_CERT), print the handshake line, serve gRPC until Shutdown or the parent is gone.
 */
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCert } from './cert.js';
import { controllerService, healthService, providerService, PROVIDER_METHODS, type Msg, type ProviderMethod } from './proto.js';
import { ProviderService } from './provider.js';

/** go-plugin's handshake for Terraform providers. */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
export const CORE_PROTOCOL_VERSION = 1;
export const APP_PROTOCOL_VERSION = 6;

export class PluginStartError extends Error {
  override name = 'PluginStartError';
}

export interface ServeOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly provider?: ProviderService;
  /** Where the handshake line goes. Default: stdout. */
  readonly writeHandshake?: (line: string) => void;
  /** Log lines (stderr: Terraform shows them with TF_LOG). */
  readonly log?: (line: string) => void;
}

export interface RunningPlugin {
  readonly socket: string;
  /** Resolves when the server has stopped (Shutdown, the parent gone, or stop()). */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the plugin server and writes the handshake line
 * `1|6|unix|SOCKET|grpc|CERT` (CERT: the server certificate, DER, base64 without padding).
 * @throws PluginStartError when not started by Terraform (no cookie) or without protocol 6 / a client certificate
 */
export async function servePlugin(opts: ServeOptions = {}): Promise<RunningPlugin> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new PluginStartError('This binary is a plugin: terraform-provider-netns is run by Terraform, not directly.\n'
      + 'Install it with `npx nslab provider install` and use the provider `nslab/netns` in a Terraform or cdktf configuration.');
  }
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? '').split(',').map((v) => v.trim());
  if (!versions.includes(String(APP_PROTOCOL_VERSION))) {
    throw new PluginStartError(`Terraform asked for plugin protocol versions ${versions.join(',') || '(none)'}; this provider speaks ${APP_PROTOCOL_VERSION}`);
  }
  const clientCert = env.PLUGIN_CLIENT_CERT;
  if (!clientCert) throw new PluginStartError('PLUGIN_CLIENT_CERT is not set: this provider serves only with mutual TLS (AutoMTLS)');

  const provider = opts.provider ?? new ProviderService();
  const cert = selfSignedCert();
  const dir = mkdtempSync(join(env.PLUGIN_UNIX_SOCKET_DIR || tmpdir(), 'tf-netns-'));
  const socket = join(dir, 'plugin.sock');
  const server = new grpc.Server();

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping = false;
  const stop = async () => {
    if (stopping) return stopped;
    stopping = true;
    await new Promise<void>((r) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        r();
      }, 2000);
      server.tryShutdown(() => {
        clearTimeout(force);
        r();
      });
    });
    rmSync(dir, { recursive: true, force: true });
    resolveStopped();
    return stopped;
  };

  const handlers: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(PROVIDER_METHODS) as ProviderMethod[]) {
    handlers[name] = (call: grpc.ServerUnaryCall<Msg, Msg>, callback: grpc.sendUnaryData<Msg>) => {
      const started = Date.now();
      Promise.resolve()
        .then(() => (provider[name] as (req: Msg) => Msg | Promise<Msg>).call(provider, call.request))
        .then((res) => {
          if (env.TF_NETNS_DEBUG) log(`[netns] ${name} ${String(call.request?.type_name ?? '')} ${Date.now() - started} ms`);
          callback(null, res);
        })
        .catch((e: unknown) => {
          log(`[netns] ${name} failed: ${(e as Error)?.stack ?? String(e)}`);
          callback({ code: grpc.status.INTERNAL, details: (e as Error)?.message ?? String(e) });
        });
    };
  }
  server.addService(providerService(), handlers);
  server.addService(controllerService(), {
    Shutdown: (_call: grpc.ServerUnaryCall<Msg, Msg>, callback: grpc.sendUnaryData<Msg>) => {
      callback(null, {});
      setImmediate(() => void stop());
    },
  });
  server.addService(healthService(), {
    Check: (_call: grpc.ServerUnaryCall<Msg, Msg>, callback: grpc.sendUnaryData<Msg>) => callback(null, { status: 'SERVING' }),
  });

  const creds = grpc.ServerCredentials.createSsl(
    Buffer.from(clientCert),
    [{ cert_chain: Buffer.from(cert.certPem), private_key: Buffer.from(cert.keyPem) }],
    true,
  );
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${socket}`, creds, (err) => (err ? reject(err) : resolve())));

  const line = `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|unix|${socket}|grpc|${cert.der.toString('base64').replace(/=+$/u, '')}\n`;
  (opts.writeHandshake ?? ((l: string) => process.stdout.write(l)))(line);
  return { socket, stopped, stop };
}

/**
 * The provider executable's main: serve, and exit when Terraform says Shutdown, when the parent
 * process is gone, or on SIGTERM. SIGINT is ignored, as go-plugin plugins do: Terraform stops
 * providers through StopProvider and Shutdown.
 */
export async function main(): Promise<number> {
  let plugin: RunningPlugin;
  try {
    plugin = await servePlugin();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  const parent = process.ppid;
  const watchdog = setInterval(() => {
    if (process.ppid !== parent) void plugin.stop();
  }, 500);
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => void plugin.stop());
  process.on('SIGHUP', () => void plugin.stop());
  await plugin.stopped;
  clearInterval(watchdog);
  return 0;
}
