import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkMessage, type FlagSignal } from '../../src/moderation/assistance/detect.js';

/**
 * Accuracy of the message check on the held-out quarter of test/fixtures/flagged-messages.jsonl (see
 * its .md: nothing was tuned on these lines). Fails below precision 0.90 / recall 0.80 for insults and
 * for advertising; prints every signal's figures.
 */

interface Line {
  id: string;
  text: string;
  labels: FlagSignal[];
  split: 'tune' | 'holdout';
}

const lines: Line[] = readFileSync(new URL('../fixtures/flagged-messages.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Line);

/** The school's own links, as a chat's allow-list would hold them (the .md names them). */
const SCHOOL_LINKS = [
  'school000.example.ru',
  'max.ru/join/example-school000',
  'sferum.ru/?invite=example7B000',
];

function figures(split: Line['split'], signal: FlagSignal) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const line of lines.filter((candidate) => candidate.split === split)) {
    const flagged = checkMessage(line.text, { ownLinks: SCHOOL_LINKS }).some((f) => f.signal === signal);
    const labelled = line.labels.includes(signal);
    if (flagged && labelled) tp++;
    else if (flagged) fp++;
    else if (labelled) fn++;
  }
  return { tp, fp, fn, precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn) };
}

describe('the message check on the held-out quarter', () => {
  it('has 138 held-out lines', () => {
    expect(lines.filter((line) => line.split === 'holdout')).toHaveLength(138);
  });

  const report: string[] = [];
  for (const signal of ['insult', 'advertising', 'shouting'] as const) {
    it(`${signal}: precision and recall`, () => {
      const result = figures('holdout', signal);
      report.push(
        `${signal}: precision ${result.precision.toFixed(3)}, recall ${result.recall.toFixed(3)} (tp ${result.tp}, fp ${result.fp}, fn ${result.fn})`,
      );
      console.info(`[holdout] ${report.at(-1)}`);
      if (signal !== 'shouting') {
        expect(result.precision).toBeGreaterThanOrEqual(0.9);
        expect(result.recall).toBeGreaterThanOrEqual(0.8);
      }
    });
  }
});
