// Validates the create body's envelope (requests, custom_id, params); a problem here fails the whole create with 400.

export interface SubmittedRequest {
  custom_id: string;
  params: Record<string, unknown>;
}

export type EnvelopeCheck = { ok: true; requests: SubmittedRequest[] } | { ok: false; message: string };

// Public docs pattern for custom_id (reference §3).
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkEnvelope(body: unknown, maxRequests: number): EnvelopeCheck {
  if (!isRecord(body)) return { ok: false, message: 'body: Input should be a valid dictionary' };
  const { requests } = body;
  if (requests === undefined) return { ok: false, message: 'requests: Field required' };
  if (!Array.isArray(requests)) return { ok: false, message: 'requests: Input should be a valid list' };
  if (requests.length < 1) return { ok: false, message: 'requests: List should have at least 1 item' };
  if (requests.length > maxRequests) {
    return { ok: false, message: `requests: List should have at most ${maxRequests} items, got ${requests.length}` };
  }
  const firstIndexById = new Map<string, number>();
  const checked: SubmittedRequest[] = [];
  for (const [index, request] of requests.entries()) {
    if (!isRecord(request)) return { ok: false, message: `requests.${index}: Input should be a valid dictionary` };
    const { custom_id: customId, params } = request;
    if (customId === undefined) return { ok: false, message: `requests.${index}.custom_id: Field required` };
    if (typeof customId !== 'string' || !CUSTOM_ID.test(customId)) {
      return { ok: false, message: `requests.${index}.custom_id: String should match pattern '${CUSTOM_ID.source}'` };
    }
    const earlier = firstIndexById.get(customId);
    if (earlier !== undefined) {
      return {
        ok: false,
        message: `requests.${index}.custom_id: duplicate custom_id '${customId}' (also used by requests.${earlier}); custom_id must be unique within a batch`,
      };
    }
    firstIndexById.set(customId, index);
    if (params === undefined) return { ok: false, message: `requests.${index}.params: Field required` };
    if (!isRecord(params)) return { ok: false, message: `requests.${index}.params: Input should be a valid dictionary` };
    checked.push({ custom_id: customId, params });
  }
  return { ok: true, requests: checked };
}
