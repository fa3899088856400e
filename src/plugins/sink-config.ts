// A job's sink as stored: the plugin name, its non-secret config in clear, and its secret fields sealed.
// Secrets never sit in the database in clear and are only opened when a delivery is made.
import { decryptSecret, encryptSecret } from '../secrets/crypto.ts';
import type { SinkPlugin } from './contract.ts';

export interface StoredSink {
  plugin: string;
  config: Record<string, unknown>;
  /** Sealed JSON of the secret fields, or null. */
  secrets: string | null;
}

export function sealSinkConfig(sink: SinkPlugin, config: unknown, key: Buffer): StoredSink {
  const clear: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  const secret: Record<string, unknown> = {};
  for (const field of sink.secretFields ?? []) {
    if (clear[field] !== undefined) {
      secret[field] = clear[field];
      delete clear[field];
    }
  }
  return { plugin: sink.name, config: clear, secrets: Object.keys(secret).length > 0 ? encryptSecret(key, JSON.stringify(secret)) : null };
}

export function openSinkConfig(stored: StoredSink, key: Buffer): Record<string, unknown> {
  if (!stored.secrets) return stored.config;
  return { ...stored.config, ...(JSON.parse(decryptSecret(key, stored.secrets)) as Record<string, unknown>) };
}
