/** Runs the built nslab command as a user would, capturing its exit code and output. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const execP = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `nslab ARGS…` with `env`; never throws for a non-zero exit. */
export async function runCli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  try {
    const r = await execP('node', [CLI, ...args], { env, maxBuffer: 1 << 24 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}
