// Identifiers the simulator hands out: random ones for batches, requests and webhook messages, derived ones for reproducible results.
import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // Rejecting bytes >= 248 keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62.charAt(byte % 62);
    }
  }
  return out;
}

// Derived ids make a second download of the same results byte-identical.
export function derivedBase62(seed: string, length: number): string {
  let out = '';
  let round = 0;
  while (out.length < length) {
    for (const byte of createHash('sha256').update(`${round}:${seed}`).digest()) {
      if (out.length < length) out += BASE62.charAt(byte % 62);
    }
    round++;
  }
  return out;
}

export function newBatchId(): string {
  return `msgbatch_${randomBase62(24)}`;
}

export function newRequestId(): string {
  return `req_${randomBase62(24)}`;
}

/** Standard Webhooks message id: unique per event, kept across retries so receivers can dedupe on it. */
export function newWebhookId(): string {
  return `msg_${randomBase62(27)}`;
}
