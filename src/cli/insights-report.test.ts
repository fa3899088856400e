import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Insights } from '../insights/types.ts';
import { insightsBars, insightsLines } from './insights-report.ts';

const insights: Insights = {
  job_id: 'job_1',
  job_status: 'running',
  complete: false,
  documents: 10,
  answered: 8,
  filters: [],
  q: null,
  by: null,
  over: null,
  fields: [
    {
      path: 'sentiment',
      kind: 'values',
      answered: 8,
      missing: 0,
      corrected: { count: 1, share: 0.125 },
      values: [
        { value: 'negative', count: 6, share: 0.75 },
        { value: 'positive', count: 2, share: 0.25 },
        { value: 'neutral', count: 0, share: 0 },
      ],
    },
    { path: 'score', kind: 'number', answered: 8, missing: 0, corrected: { count: 0, share: 0 }, stats: { count: 8, min: 1, max: 5, mean: 2.5, median: 2 }, histogram: [{ from: 1, to: 1, count: 4 }, { from: 5, to: 5, count: 4 }] },
  ],
  computed_at: '2026-12-07T10:00:00.000Z',
  note: 'The job is running: these insights cover the 8 answers stored so far and change as more arrive.',
};

test('on a terminal each value is a bar scaled to the largest count, with its count and share, within the width', () => {
  const lines = insightsBars(insights, 60);
  assert.ok(lines[0]?.includes('8 answers of 10 documents') && lines[0].includes('so far'));
  const negative = lines.find((l) => l.includes('negative'));
  const positive = lines.find((l) => l.includes('positive'));
  assert.ok(negative && positive);
  const bar = (l: string) => (l.match(/█/g) ?? []).length;
  assert.ok(Math.abs(bar(negative) / bar(positive) - 3) < 0.1, `bars in proportion 6:2 (${bar(negative)}:${bar(positive)})`);
  assert.match(negative, /6 \(75%\)$/);
  assert.match(lines.find((l) => l.includes('neutral')) ?? '', /0 \(0\.0%\)$/);
  assert.ok(lines.some((l) => l.includes('1 corrected (13%)') || l.includes('1 corrected (12%)')));
  for (const l of lines.filter((x) => x.includes('█'))) assert.ok([...l].length <= 60, `"${l}" fits 60 columns`);
});

test('in a pipe each figure is one tab-separated line', () => {
  const lines = insightsLines(insights);
  assert.ok(lines.includes('sentiment\t\tvalue\tnegative\t6\t0.75'));
  assert.ok(lines.includes('score\t\tbin\t5\t4\t'));
  assert.ok(lines.includes('score\t\tmedian\t\t2\t'));
});
