import { describe, expect, it } from 'vitest';
import { findingsMarkdown, formatFindings, formatPercent, formatValue, type Finding } from './findings.js';

const diverged: Finding = {
  id: 'diverged',
  severity: 'error',
  title: 'Training diverged: the loss became non-finite',
  evidence: ['The loss was NaN at step 612 (epoch 7).', 'First non-finite tensor: fc1_weight.'],
  suggestion: 'Lower the learning rate ~10x.',
};
const longer: Finding = { id: 'train-longer', severity: 'info', title: 'Still improving at the end', evidence: ['Val loss fell 3%/epoch.'], suggestion: 'Train ~5 more epochs.' };

describe('formatFindings', () => {
  it('prints one block per finding: tag and title, evidence bullets, suggestion', () => {
    expect(formatFindings([diverged, longer])).toBe(
      [
        '[ERROR] Training diverged: the loss became non-finite',
        '  - The loss was NaN at step 612 (epoch 7).',
        '  - First non-finite tensor: fc1_weight.',
        '  Suggestion: Lower the learning rate ~10x.',
        '',
        '[INFO] Still improving at the end',
        '  - Val loss fell 3%/epoch.',
        '  Suggestion: Train ~5 more epochs.',
      ].join('\n'),
    );
  });

  it('colors only the tag when asked', () => {
    const text = formatFindings([longer], { color: true });
    expect(text.split('\n')[0]).toBe('\u001b[1;36m[INFO]\u001b[0m Still improving at the end');
    expect(formatFindings([longer])).not.toContain('\u001b');
  });

  it('says so when there is nothing to report', () => {
    expect(formatFindings([])).toBe('No problems found in the learning curves.');
    expect(formatFindings([], { empty: 'healthy' })).toBe('healthy');
  });
});

describe('findingsMarkdown', () => {
  it('writes a section per finding and escapes markup characters', () => {
    expect(findingsMarkdown([diverged])).toBe(
      [
        '### ERROR: Training diverged: the loss became non-finite',
        '',
        '- The loss was NaN at step 612 (epoch 7).',
        '- First non-finite tensor: fc1\\_weight.',
        '',
        '**Suggestion:** Lower the learning rate ~10x.',
        '',
      ].join('\n'),
    );
  });

  it('separates sections by a blank line and has an empty-state line', () => {
    expect(findingsMarkdown([diverged, longer])).toContain('Lower the learning rate ~10x.\n\n### INFO: Still improving at the end\n');
    expect(findingsMarkdown([])).toBe('_No problems found in the learning curves._\n');
  });
});

describe('formatValue / formatPercent', () => {
  it('keeps three significant digits and switches to exponents below 0.01 and from 1e5', () => {
    expect([formatValue(2.302585), formatValue(0.0981), formatValue(0.0043), formatValue(0.0004213), formatValue(1250), formatValue(123456), formatValue(0), formatValue(NaN)]).toEqual(['2.30', '0.0981', '4.3e-3', '4.2e-4', '1250', '1.2e5', '0', 'NaN']);
  });

  it('prints percentages with one decimal below 10%', () => {
    expect([formatPercent(0.153), formatPercent(0.048), formatPercent(-0.25)]).toEqual(['15%', '4.8%', '-25%']);
  });
});
