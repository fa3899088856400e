// Picks an experiment's sample from a stream of documents of unknown length: each document's key is
// sha256(seed, id), and the sample is the documents with the smallest keys (bottom-k sampling). That is a
// uniform sample without replacement, the same for the same seed whatever order the source yields in,
// and it needs memory for the sample only. Stratified: one bottom-k per value of a metadata field, then
// each stratum gets its proportional share of the sample (largest remainders round it to the size).
import { createHash } from 'node:crypto';

export interface Stratum {
  /** The metadata value as text; null for documents without it. */
  value: string | null;
  population: number;
  sampled: number;
}

export interface Picked<T> {
  id: string;
  key: string;
  item: T;
}

export interface SampleOutcome<T> {
  /** In key order: the order the experiment lists its documents in. */
  picked: Array<Picked<T>>;
  population: number;
  /** Null when the sample is not stratified. */
  strata: Stratum[] | null;
}

export class TooManyStrataError extends Error {
  override name = 'TooManyStrataError';
}

/** A max-heap of the `capacity` smallest keys seen. */
class BottomK<T> {
  private readonly heap: Array<Picked<T>> = [];
  population = 0;

  constructor(private readonly capacity: number) {}

  offer(entry: Picked<T>): void {
    this.population += 1;
    if (this.heap.length < this.capacity) {
      this.heap.push(entry);
      this.up(this.heap.length - 1);
    } else if (this.heap[0] && entry.key < this.heap[0].key) {
      this.heap[0] = entry;
      this.down(0);
    }
  }

  smallest(n: number): Array<Picked<T>> {
    return [...this.heap].sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, n);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent]?.key ?? '') >= (h[i]?.key ?? '')) return;
      [h[parent], h[i]] = [h[i] as Picked<T>, h[parent] as Picked<T>];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < h.length && (h[l]?.key ?? '') > (h[top]?.key ?? '')) top = l;
      if (r < h.length && (h[r]?.key ?? '') > (h[top]?.key ?? '')) top = r;
      if (top === i) return;
      [h[top], h[i]] = [h[i] as Picked<T>, h[top] as Picked<T>];
      i = top;
    }
  }
}

export function sampleKey(seed: string, id: string): string {
  return createHash('sha256').update(seed).update('\0').update(id).digest('hex');
}

/** Proportional shares of `size` (largest remainder; ties to the larger stratum, then by value). */
export function allocate(size: number, populations: ReadonlyArray<{ value: string | null; population: number }>): Map<string | null, number> {
  const total = populations.reduce((sum, s) => sum + s.population, 0);
  const shares = populations.map((s) => {
    const exact = total === 0 ? 0 : (size * s.population) / total;
    return { ...s, quota: Math.floor(exact), rest: exact - Math.floor(exact) };
  });
  let left = size - shares.reduce((sum, s) => sum + s.quota, 0);
  const byRest = [...shares].sort((a, b) => b.rest - a.rest || b.population - a.population || String(a.value).localeCompare(String(b.value)));
  for (const s of byRest) {
    if (left <= 0) break;
    if (s.quota < s.population) {
      s.quota += 1;
      left -= 1;
    }
  }
  return new Map(shares.map((s) => [s.value, s.quota]));
}

export interface Sampler<T> {
  /** A document of the source; the same id twice counts once (a job would skip the second too). */
  offer(id: string, stratum: string | null, item: T): void;
  /** Documents offered so far (distinct ids). */
  population(): number;
  finish(size: number): SampleOutcome<T>;
}

/** `capacity`: the largest sample that may be asked for; `maxStrata`: distinct stratum values allowed. */
export function createSampler<T>(seed: string, capacity: number, options: { stratified: boolean; maxStrata: number }): Sampler<T> {
  const strata = new Map<string | null, BottomK<T>>();
  const seen = new Set<string>();
  return {
    offer(id, stratum, item) {
      if (seen.has(id)) return;
      seen.add(id);
      const value = options.stratified ? stratum : null;
      let heap = strata.get(value);
      if (!heap) {
        if (strata.size >= options.maxStrata) throw new TooManyStrataError(`has more than ${options.maxStrata} distinct values`);
        heap = new BottomK<T>(capacity);
        strata.set(value, heap);
      }
      heap.offer({ id, key: sampleKey(seed, id), item });
    },
    population: () => seen.size,
    finish(size) {
      const list = [...strata.entries()].map(([value, heap]) => ({ value, population: heap.population, heap }));
      const quotas = options.stratified ? allocate(size, list) : new Map([[null, size]]);
      const picked = list.flatMap((s) => s.heap.smallest(quotas.get(s.value) ?? 0)).sort((a, b) => (a.key < b.key ? -1 : 1));
      return {
        picked,
        population: seen.size,
        strata: options.stratified
          ? list
              .map((s) => ({ value: s.value, population: s.population, sampled: quotas.get(s.value) ?? 0 }))
              .sort((a, b) => (a.value === null ? 1 : b.value === null ? -1 : a.value.localeCompare(b.value, 'en', { numeric: true })))
          : null,
      };
    },
  };
}

/** A metadata value as a stratum: text for scalars, JSON for the rest, null when missing. */
export function stratumOf(metadata: Record<string, unknown> | undefined, field: string): string | null {
  const value = metadata?.[field];
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
