/**
 * The contracts of @anneal/search: distributions, trials, storages, samplers and pruners.
 * Everything here is plain data or small interfaces, so third parties can implement samplers,
 * pruners and storages without importing anything else.
 */

/** A value a trial can take for one parameter. */
export type ParamValue = number | string | boolean | null;

/** Where a parameter is drawn from. */
export type Distribution =
  /** Real in [low, high]; `log` samples uniformly in log space (low > 0); `step` quantizes (low + k*step). */
  | { readonly kind: 'float'; readonly low: number; readonly high: number; readonly log?: boolean; readonly step?: number }
  /** Integer in [low, high] (both included) on the grid low + k*step (default step 1); `log` samples in log space (step must be 1). */
  | { readonly kind: 'int'; readonly low: number; readonly high: number; readonly log?: boolean; readonly step?: number }
  /** One of the choices; samplers work on the choice index. */
  | { readonly kind: 'categorical'; readonly choices: readonly ParamValue[] };

/** Whether a study minimizes or maximizes its objective. */
export type Direction = 'minimize' | 'maximize';

/**
 * Life of a trial: `waiting` (enqueued, e.g. a retry of a trial whose worker died, or fixed
 * parameters given by the user) -> `running` -> `complete` | `pruned` | `fail`.
 */
export type TrialState = 'waiting' | 'running' | 'complete' | 'pruned' | 'fail';

/** A trial as stored: everything a sampler, pruner or report needs, as plain JSON-able data. */
export interface FrozenTrial {
  /** Storage-wide unique id. */
  readonly id: string;
  /** 0-based number within its study, in creation order. */
  readonly number: number;
  readonly state: TrialState;
  /** Parameter values as the objective saw them (categorical: the choice itself). */
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly distributions: Readonly<Record<string, Distribution>>;
  /** Objective value of a complete trial (the last intermediate value of a pruned one, when any); unset in multi-objective studies. */
  readonly value?: number;
  /** Objective values of a complete trial of a multi-objective study, one per direction. */
  readonly values?: readonly number[];
  /** Reported intermediate values by step (e.g. validation loss per epoch). */
  readonly intermediate: Readonly<Record<number, number>>;
  /** Epoch milliseconds. */
  readonly startedAt?: number;
  readonly completedAt?: number;
  /** Last sign of life of the worker running it (epoch ms). */
  readonly heartbeatAt?: number;
  /** Who ran it (host:pid:random). */
  readonly worker?: string;
  /** The error message of a failed trial. */
  readonly error?: string;
  /** The trial this one retries (number), when it is a retry of a failed one. */
  readonly retryOf?: number;
  readonly userAttrs: Readonly<Record<string, unknown>>;
  /** Attributes samplers and pruners keep (e.g. a grid point id, a Hyperband bracket). */
  readonly systemAttrs: Readonly<Record<string, unknown>>;
}

/** A study as stored. */
export interface StudyRecord {
  readonly name: string;
  /** The direction of the (first) objective. */
  readonly direction: Direction;
  /** One direction per objective when the study has several (absent: one objective, `direction`). */
  readonly directions?: readonly Direction[];
  readonly userAttrs: Readonly<Record<string, unknown>>;
  readonly systemAttrs: Readonly<Record<string, unknown>>;
}

/**
 * Where studies and trials live. Every method may be called concurrently from several workers
 * (processes, machines); implementations make each call atomic. Trial numbers are unique and
 * dense per study.
 */
export interface Storage {
  /**
   * Creates the study, or returns the existing one when `loadIfExists` (a direction mismatch is an
   * error). `directions` (two or more, the first equal to `direction`) makes a multi-objective study.
   */
  createStudy(name: string, direction: Direction, options?: { loadIfExists?: boolean; directions?: readonly Direction[] }): Promise<StudyRecord>;
  getStudy(name: string): Promise<StudyRecord | undefined>;
  listStudies(): Promise<StudyRecord[]>;
  setStudyAttr(study: string, key: string, value: unknown, kind: 'user' | 'system'): Promise<void>;
  /**
   * A new trial: the oldest `waiting` trial of the study claimed for `worker` (state becomes
   * `running`), or a fresh `running` one with the next number. Exactly one worker gets each
   * waiting trial.
   */
  startTrial(study: string, worker: string): Promise<FrozenTrial>;
  /**
   * Optional: claims the oldest `waiting` trial of the study for `worker` (state becomes
   * `running`), exactly once across workers as `startTrial` does, or answers undefined when none
   * waits. Never creates a trial. Work queues that must not start trials of their own (PBT
   * intervals, enqueued in advance) use it; storages without it still run them in one process.
   */
  claimWaitingTrial?(study: string, worker: string): Promise<FrozenTrial | undefined>;
  /** Enqueues a `waiting` trial with fixed parameters (user-enqueued points, retries). */
  enqueueTrial(study: string, fixed: { params?: Record<string, ParamValue>; distributions?: Record<string, Distribution>; retryOf?: number; systemAttrs?: Record<string, unknown> }): Promise<FrozenTrial>;
  /** Records a parameter of a running trial (setting a different value twice is an error). */
  setParam(trialId: string, name: string, distribution: Distribution, value: ParamValue): Promise<void>;
  reportIntermediate(trialId: string, step: number, value: number): Promise<void>;
  setTrialAttr(trialId: string, key: string, value: unknown, kind: 'user' | 'system'): Promise<void>;
  heartbeat(trialId: string): Promise<void>;
  /**
   * Ends a running trial; finishing a trial that is not running is an error (it was failed as
   * stale, say). A complete trial of a multi-objective study carries `values` (one per direction).
   */
  finishTrial(trialId: string, state: 'complete' | 'pruned' | 'fail', options?: { value?: number; values?: readonly number[]; error?: string }): Promise<FrozenTrial>;
  getTrial(trialId: string): Promise<FrozenTrial>;
  /** Trials of a study in number order, optionally only some states. */
  getTrials(study: string, states?: readonly TrialState[]): Promise<FrozenTrial[]>;
  /**
   * Marks `running` trials whose last heartbeat is older than `graceMs` as `fail` ("worker lost")
   * and, when `retry`, enqueues one `waiting` copy of each with the same parameters and `retryOf`.
   * Atomic per trial: two workers calling it at once fail and retry each trial exactly once.
   */
  failStaleTrials(study: string, graceMs: number, options?: { retry?: boolean }): Promise<FrozenTrial[]>;
  /** Releases connections, file handles, timers. */
  close(): Promise<void>;
}

/** What samplers and pruners see of a study: a consistent snapshot taken when a trial starts. */
export interface StudyView {
  readonly name: string;
  readonly direction: Direction;
  /** One direction per objective in a multi-objective study (absent or of length 1: single objective). */
  readonly directions?: readonly Direction[];
  /** All trials of the study (any state), in number order. */
  readonly trials: readonly FrozenTrial[];
}

/**
 * Chooses parameter values. `sampleIndependent` is required; samplers that model parameters
 * jointly (grid, quasi-random, multivariate TPE) also implement the relative pair, which runs
 * once per trial before the objective asks for anything. Samplers must be deterministic given
 * their seed and the study's trials.
 */
export interface Sampler {
  readonly name: string;
  /** The search space to sample jointly for this trial (usually the intersection of the complete trials' spaces). */
  inferRelativeSpace?(study: StudyView, trial: FrozenTrial): Record<string, Distribution>;
  /** Values for the relative space, keyed by parameter name (a subset of it is fine). */
  sampleRelative?(study: StudyView, trial: FrozenTrial, space: Record<string, Distribution>): Record<string, ParamValue>;
  /** A value for one parameter the relative sampling did not cover. */
  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue;
  /** Called when a trial ends (e.g. to stop a finished grid). */
  afterTrial?(study: StudyView, trial: FrozenTrial): void;
  /** True when the sampler has nothing new to offer (a fully visited grid): optimize stops starting trials. */
  isExhausted?(study: StudyView): boolean;
}

/** Decides after each reported intermediate value whether a trial should stop early. */
export interface Pruner {
  readonly name: string;
  /** `trial` has its latest intermediate value; `study` is a fresh snapshot. */
  shouldPrune(study: StudyView, trial: FrozenTrial): boolean;
}
