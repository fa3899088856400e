// A throwaway PostgreSQL cluster for one test, so the test may stop and restart "the database" without touching the shared one.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';

const PG_ROOT = '/usr/lib/postgresql';
const TOOLS = ['initdb', 'pg_ctl', 'pg_isready'] as const;
const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth, superuser). */
  url: string;
  /** Fast shutdown; the data stays, so `restart` or a later start finds it again. */
  stop(): Promise<void>;
  /** Fast shutdown, `downMs` (default 1500) with nothing listening, start again, wait until pg_isready. */
  restart(opts?: { downMs?: number; whileDown?: () => Promise<unknown> }): Promise<void>;
  /** Stops the server and removes its directory; safe to call twice. */
  destroy(): Promise<void>;
}

interface Host {
  bin: string;
  /** Set when we are root: postgres refuses to run as root, so the server tools run as this user. */
  runAs: { uid: number; gid: number } | undefined;
}

/** The newest installed major version whose server tools are all present. */
function findBinDir(): string | undefined {
  let versions: string[];
  try {
    versions = fs.readdirSync(PG_ROOT);
  } catch {
    return undefined;
  }
  const newestFirst = versions.filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return newestFirst.map((v) => path.join(PG_ROOT, v, 'bin')).find((dir) => TOOLS.every((tool) => fs.existsSync(path.join(dir, tool))));
}

function probeHost(): Host | string {
  const bin = findBinDir();
  if (!bin) return `no PostgreSQL server binaries (${TOOLS.join(', ')}) under ${PG_ROOT}/<version>/bin`;
  // Any unprivileged user may run its own cluster; only root has to hand the work to `postgres`.
  if (process.getuid?.() !== 0) return { bin, runAs: undefined };
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    execFileSync('runuser', ['--help'], { stdio: 'ignore' });
    return { bin, runAs: { uid, gid } };
  } catch {
    return 'running as root, but there is no `postgres` OS user (or no runuser) to run the server as';
  }
}

let probed: Host | string | undefined;
function host(): Host | string {
  probed ??= probeHost();
  return probed;
}

/** Why a private cluster cannot be started here, or undefined when it can (use as a test's `skip`). */
export function privatePostgresUnavailable(): string | undefined {
  const h = host();
  return typeof h === 'string' ? h : undefined;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const h = host();
  if (typeof h === 'string') throw new Error(`private Postgres unavailable: ${h}`);
  const { bin, runAs } = h;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-pg-'));
  if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');

  // cwd is the cluster's own dir: as `postgres` we may not be allowed into the caller's working directory.
  const tool = (name: string, args: string[]) => {
    const [file, argv] = runAs ? ['runuser', ['-u', 'postgres', '--', path.join(bin, name), ...args]] : [path.join(bin, name), args];
    return run(file, argv, { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' }, timeout: 60_000 });
  };
  const logTail = () => {
    try {
      return fs.readFileSync(logFile, 'utf8').slice(-2000);
    } catch {
      return '(no server log)';
    }
  };

  // No fsync anywhere: the cluster lives for one test, and durability across an OS crash is not what it tests.
  await tool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  fs.appendFileSync(
    path.join(data, 'postgresql.conf'),
    [`listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${dir}'`, 'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', ''].join('\n'),
  );

  let port = 0;
  let running = false;
  const ctl = (action: 'start' | 'stop', mode: 'fast' | 'immediate' = 'fast') =>
    action === 'start'
      ? tool('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '30', '-o', `-p ${port}`, 'start'])
      : tool('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);

  async function waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await run(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-t', '1'], { timeout: 5000 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`private Postgres on port ${port} not ready in ${timeoutMs} ms:\n${logTail()}`, { cause: error });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async function start(): Promise<void> {
    try {
      await ctl('start');
    } catch (error) {
      throw new Error(`private Postgres did not start on port ${port}:\n${logTail()}`, { cause: error });
    }
    running = true;
    await waitReady();
  }

  async function stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!running) return;
    await ctl('stop', mode);
    running = false;
  }

  // A test that dies without reaching `destroy` must not leave a postmaster behind.
  const onExit = () => {
    if (running) {
      try {
        const args = ['-D', data, '-m', 'immediate', 'stop'];
        if (runAs) execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...args], { cwd: dir, stdio: 'ignore' });
        else execFileSync(path.join(bin, 'pg_ctl'), args, { cwd: dir, stdio: 'ignore' });
      } catch {
        // Nothing more can be done while the process exits.
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  try {
    // The free port may be taken between probing and binding; another one is tried then.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await start();
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    process.off('exit', onExit);
    onExit();
    throw error;
  }

  let destroyed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => stop('fast'),
    async restart(opts = {}) {
      await stop('fast');
      await Promise.all([new Promise((r) => setTimeout(r, opts.downMs ?? 1500)), opts.whileDown?.()]);
      await start();
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      process.off('exit', onExit);
      try {
        await stop('immediate');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
