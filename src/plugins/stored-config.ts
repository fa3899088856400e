// A plugin config as stored (in a job or a connection): the plugin name, its non-secret fields in clear,
// and its secret fields sealed. Secrets never sit in the database in clear and are only opened for use.
import { decryptSecret, encryptSecret } from '../secrets/crypto.ts';
import type { SecretKeys } from '../secrets/key.ts';

export interface StoredConfig {
  plugin: string;
  config: Record<string, unknown>;
  /** Sealed JSON of the secret fields, or null. */
  secrets: string | null;
}

/**
 * What a job stores per sink. With `connection`, the credentials follow that connection while the job
 * runs (a rotated token or signing secret is used from the next delivery on), except those the job
 * request set itself (`own_credentials`); everything else stays as the job copied it.
 */
export interface StoredSink extends StoredConfig {
  connection?: string | null;
  own_credentials?: string[];
}

interface HasSecrets {
  name: string;
  secretFields?: readonly string[];
}

export function sealConfig(plugin: HasSecrets, config: unknown, key: SecretKeys): StoredConfig {
  const { clear, secret } = splitSecrets(plugin, config);
  return { plugin: plugin.name, config: clear, secrets: Object.keys(secret).length > 0 ? encryptSecret(key, JSON.stringify(secret)) : null };
}

export function openConfig(stored: Pick<StoredConfig, 'config' | 'secrets'>, key: SecretKeys): Record<string, unknown> {
  if (!stored.secrets) return stored.config;
  return { ...stored.config, ...(JSON.parse(decryptSecret(key, stored.secrets)) as Record<string, unknown>) };
}

/** The config with secret fields taken out, and the secret fields alone. */
export function splitSecrets(plugin: HasSecrets, config: unknown): { clear: Record<string, unknown>; secret: Record<string, unknown> } {
  const clear: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  const secret: Record<string, unknown> = {};
  for (const field of plugin.secretFields ?? []) {
    if (clear[field] !== undefined) {
      secret[field] = clear[field];
      delete clear[field];
    }
  }
  return { clear, secret };
}
