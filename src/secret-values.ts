// Which configured secrets are not secrets: placeholders copied from an example (REPLACE_ME in
// deploy/k8s/secret.yaml, "change-me" defaults) and values published in this repository or its history.
// A replica given one refuses to start: a placeholder that works is a key everyone knows (issue #29).

/** An API key shorter than this is refused: 32 characters of a random token are 128+ bits. */
export const MIN_API_KEY_LENGTH = 32;

const PLACEHOLDER = /replace[_-]?me|change[_-]?me|your[_-]?(api[_-]?)?(key|token|secret)|^x{3,}$|^<.*>$|^\.\.\.$/i;

/**
 * Values that were defaults in deploy/docker-compose.yml before issue #29: anyone who cloned the
 * repository knows them. Kept here, not in the compose file, so they stay refused.
 */
const PUBLISHED = new Set([
  'dev-key-change-me',
  'YmF0Y2hsaW5lLWNvbXBvc2UtZGV2LWtleS0wMDAwMDA=',
  'whsec_Y29tcG9zZS1kZXYtd2ViaG9vay1zZWNyZXQ=',
]);

/** Why `value` is no secret, or undefined when it may be one. Never says the value itself. */
export function notASecret(value: string): string | undefined {
  if (PUBLISHED.has(value)) return 'is a development default published in this repository; generate your own (e.g. openssl rand -hex 32)';
  if (PLACEHOLDER.test(value)) return 'is a placeholder from an example; replace it with a real value';
  return undefined;
}

/** Why an API key may not be used, or undefined. */
export function weakApiKey(key: string): string | undefined {
  const placeholder = notASecret(key);
  if (placeholder) return placeholder;
  if (key.length < MIN_API_KEY_LENGTH) return `is ${key.length} characters; a key needs at least ${MIN_API_KEY_LENGTH} (generate one with openssl rand -hex 32)`;
  return undefined;
}
