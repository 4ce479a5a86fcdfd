/**
 * Bounded TCP traffic between a lab's own namespaces: a tiny node server that answers each
 * connection with the peer address it sees (or swallows N bytes), and bash /dev/tcp clients.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const SERVER = `
const net = require('node:net');
const [port, mode] = process.argv.slice(1);
net.createServer((s) => {
  if (mode === 'sink') { let n = 0; s.on('data', (d) => { n += d.length; }); s.on('end', () => s.end(String(n))); }
  else s.end(s.remoteAddress.replace(/^::ffff:/, '') + '\\n');
}).listen(Number(port), () => console.log('listening'));
`;

/** A server in namespace `ns` on `port`: `peer` answers with the peer's address, `sink` counts bytes. */
export async function startServer(ns: string, port: number, mode: 'peer' | 'sink' = 'peer'): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER, String(port), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server in ${ns} did not start`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`server in ${ns} exited with ${code}`)));
  });
  return child;
}

/** Connects from `ns` to ADDR:PORT and returns what the server said, or undefined when it cannot connect within 3 s. */
export function ask(ns: string, address: string, port: number): string | undefined {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${address}/${port} && cat <&3`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Sends `bytes` zero bytes from `ns` to a sink server and returns the seconds it took (the server's count must match). */
export function timedSend(ns: string, address: string, port: number, bytes: number): { seconds: number; received: number } {
  const client = `
const net = require('node:net');
const t0 = process.hrtime.bigint();
const s = net.connect(${port}, '${address}', () => { s.end(Buffer.alloc(${bytes})); });
let out = '';
s.on('data', (d) => { out += d; });
s.on('end', () => { console.log(JSON.stringify({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, received: Number(out) })); });
`;
  const r = spawnSync('ip', ['netns', 'exec', ns, 'timeout', '30', process.execPath, '-e', client], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`transfer from ${ns} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { seconds: number; received: number };
}
