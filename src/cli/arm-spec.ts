// `--arm [NAME:]key=value[,key=value…]` → one arm of `batchline compare`: model, max_tokens, prompt and
// system, a value of `@FILE` read from that file (for prompts, which hold commas and newlines).
import fs from 'node:fs';
import path from 'node:path';
import { CliError, UsageError } from './errors.ts';

export interface ArmFlags {
  name?: string;
  model?: string;
  max_tokens?: number;
  prompt?: string;
  system?: string;
}

const KEYS = ['model', 'max_tokens', 'prompt', 'system'] as const;
const NAME = /^[A-Za-z0-9_.-]{1,40}$/;

function valueOf(raw: string, key: string, cwd: string): string {
  if (!raw.startsWith('@')) return raw;
  const file = path.resolve(cwd, raw.slice(1));
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`--arm ${key}=@${raw.slice(1)}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function parseArm(spec: string, cwd: string, usage: string): ArmFlags {
  const arm: ArmFlags = {};
  let rest = spec.trim();
  const colon = rest.indexOf(':');
  const eq = rest.indexOf('=');
  // "haiku" alone, or "haiku:model=…": a name before the first key.
  if (eq < 0) {
    if (!NAME.test(rest)) throw new UsageError(`--arm "${spec}": a name is 1–40 letters, digits, _ . - (or give key=value pairs)`, usage);
    return { name: rest };
  }
  if (colon > 0 && colon < eq) {
    const name = rest.slice(0, colon);
    if (!NAME.test(name)) throw new UsageError(`--arm "${spec}": a name is 1–40 letters, digits, _ . -`, usage);
    arm.name = name;
    rest = rest.slice(colon + 1);
  }
  for (const pair of rest.split(',')) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at).trim();
    const raw = pair.slice(at + 1).trim();
    if (at <= 0 || raw === '') throw new UsageError(`--arm "${spec}": "${pair}" is not key=value`, usage);
    if (!(KEYS as readonly string[]).includes(key)) throw new UsageError(`--arm "${spec}": unknown key "${key}"; use ${KEYS.join(', ')}`, usage);
    if (key === 'max_tokens') {
      if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--arm "${spec}": max_tokens must be a positive whole number`, usage);
      arm.max_tokens = Number(raw);
    } else {
      arm[key as 'model' | 'prompt' | 'system'] = valueOf(raw, key, cwd);
    }
  }
  return arm;
}
