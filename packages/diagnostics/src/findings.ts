/** How bad a finding is: `error` (the run is broken), `warning` (fix before trusting it), `info` (could be better). */
export type Severity = 'error' | 'warning' | 'info';

/** A tensor whose ‖update‖/‖weight‖ ratio is outside the healthy band. */
export interface TensorRatio {
  readonly name: string;
  readonly ratio: number;
  readonly side: 'too-low' | 'too-high';
}

/** What the tuning recipe's "repeat with the doctor's suggestions" step may apply to a config. */
export interface FindingAction {
  /** Multiply the learning rate by this. */
  readonly lrFactor?: number;
  /** Add an lr decay schedule (cosine or step) where there is none. */
  readonly addDecay?: boolean;
  readonly weightDecay?: 'increase' | 'decrease';
  /** Multiply the number of epochs by this. */
  readonly epochsFactor?: number;
  /** Move the existing lr decay later. */
  readonly decayLater?: boolean;
  readonly biggerModel?: boolean;
}

/**
 * One thing the learning-curve doctor noticed, with the numbers that made it say so. Epochs are
 * numbered from 1 and steps from 0, as in metrics.jsonl.
 *
 * @example
 * ```ts
 * const f: Finding = {
 *   id: 'lr-too-low', severity: 'warning', title: 'Learning rate too low: the loss falls slowly',
 *   evidence: ['Half of the loss drop (2.30 -> 0.35) took 190 steps (15% of the run).'],
 *   suggestion: 'Raise the learning rate 3x.', action: { lrFactor: 3 },
 * };
 * ```
 */
export interface Finding {
  /** The id of the rule that made it. */
  readonly id: string;
  readonly severity: Severity;
  /** One line, e.g. 'Learning rate too low: the loss falls slowly'. */
  readonly title: string;
  /** Sentences with the numbers that triggered the finding (epochs/steps, values, slopes). */
  readonly evidence: readonly string[];
  readonly suggestion: string;
  /** First and last epoch concerned (1-based, inclusive). */
  readonly epochs?: readonly [number, number];
  /** First and last step concerned (0-based). */
  readonly steps?: readonly [number, number];
  readonly tensors?: readonly TensorRatio[];
  readonly action?: FindingAction;
}

/** Options of {@link formatFindings}. */
export interface FormatFindingsOptions {
  /** Color the severity tags with ANSI escapes (for a terminal). Default false. */
  readonly color?: boolean;
  /** The text printed when there is no finding. Default 'No problems found in the learning curves.' */
  readonly empty?: string;
}

const TAGS: Record<Severity, string> = { error: '[ERROR]', warning: '[WARNING]', info: '[INFO]' };
const ANSI: Record<Severity, string> = { error: '\u001b[1;31m', warning: '\u001b[1;33m', info: '\u001b[1;36m' };
const RESET = '\u001b[0m';
const NONE = 'No problems found in the learning curves.';

/**
 * Plain text for a terminal: one block per finding (severity tag and title, the evidence as
 * bullets, the suggestion), blocks separated by a blank line.
 *
 * @example
 * ```ts
 * console.log(formatFindings(diagnose(curves), { color: process.stdout.isTTY }));
 * // [WARNING] Learning rate too low: the loss falls slowly
 * //   - Half of the loss drop (2.30 -> 0.35) took 190 steps (15% of the run).
 * //   Suggestion: Raise the learning rate 3x.
 * ```
 */
export function formatFindings(findings: readonly Finding[], options: FormatFindingsOptions = {}): string {
  if (findings.length === 0) return options.empty ?? NONE;
  return findings
    .map((f) => {
      const tag = options.color ? `${ANSI[f.severity]}${TAGS[f.severity]}${RESET}` : TAGS[f.severity];
      return [`${tag} ${f.title}`, ...f.evidence.map((e) => `  - ${e}`), `  Suggestion: ${f.suggestion}`].join('\n');
    })
    .join('\n\n');
}

/** Escapes the characters Markdown would read as markup inside a line of text. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

/**
 * Markdown for a report: one `###` section per finding with its severity, the evidence as a
 * bullet list and the suggestion in bold.
 *
 * @example
 * ```ts
 * writeFileSync('runs/7/doctor.md', findingsMarkdown(diagnose(curves)));
 * ```
 */
export function findingsMarkdown(findings: readonly Finding[]): string {
  if (findings.length === 0) return `_${NONE}_\n`;
  return findings
    .map((f) => [`### ${f.severity.toUpperCase()}: ${escapeMarkdown(f.title)}`, '', ...f.evidence.map((e) => `- ${escapeMarkdown(e)}`), '', `**Suggestion:** ${escapeMarkdown(f.suggestion)}`, ''].join('\n'))
    .join('\n');
}

/**
 * A number for evidence text: 3 significant digits, exponent notation below 0.01 and from 1e5.
 *
 * @example
 * ```ts
 * [formatValue(2.302585), formatValue(0.0043), formatValue(1250)]; // ['2.30', '4.3e-3', '1250']
 * ```
 */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a < 1e-2 || a >= 1e5) return x.toExponential(1).replace('e+', 'e');
  if (a >= 100) return x.toFixed(0);
  return x.toPrecision(3);
}

/**
 * A fraction as a percentage for evidence text: one decimal below 10%, none from 10% on.
 *
 * @example
 * ```ts
 * [formatPercent(0.153), formatPercent(0.048)]; // ['15%', '4.8%']
 * ```
 */
export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  return `${Math.abs(p) < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
}
