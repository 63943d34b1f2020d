/**
 * What the remittance API answers, shared by the API and the UI (which imports these
 * types only: this file imports nothing, so the browser build needs nothing else).
 */

/** A remittance as the API shows it. */
export interface Remittance {
  readonly id: string;
  readonly sender: string;
  readonly recipient: string;
  /** Decimal string with two digits after the point, as stored. */
  readonly amount: string;
  readonly currency: string;
  readonly note: string | null;
  readonly createdIn: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** One step of an execution, as the API answers it. */
export interface ExecutionStep {
  readonly name: string;
  readonly status: string;
  readonly message?: string;
  /** When it started (epoch ms), once it has. */
  readonly startedAt?: number;
  /** How long it took, once it ended. */
  readonly durationMs?: number;
}

/** An execution as the API answers it. */
export interface Execution {
  readonly executionId: string;
  readonly documentName: string;
  readonly status: string;
  readonly steps: ExecutionStep[];
  readonly failureMessage?: string;
  /**
   * How the run ended, from its report: `refused` when a check stopped it before the
   * database or the routing changed (another run under way, a target not in sync...).
   */
  readonly outcome?: 'succeeded' | 'refused' | 'failed';
  /** Why it was refused or failed, as the report says. */
  readonly reason?: string;
  /**
   * The runbook it runs (`switchover`, `failover`, `failback`, `evacuate`, `restore`), and
   * the Region it acts on: the Region it makes writer, or puts back into service; for an
   * evacuation, the Region it takes out.
   */
  readonly runbook?: string;
  readonly targetRegion?: string;
  /** When it started (epoch ms). */
  readonly startedAt?: number;
  /** Once it has ended: the report, as the command line prints it (steps, durations, recovery time, writes that may be lost). */
  readonly report?: string;
  /** The execution in the AWS console (none in the local run). */
  readonly consoleUrl?: string;
}

/** A run of the deployment's runbooks, under way or ended. */
export interface RunSummary {
  readonly executionId: string;
  /** `switchover`, `failover`, `failback`, `evacuate`, `restore` or `rebuild`; the document name when it is none of them. */
  readonly runbook: string;
  /** The Region it runs in: the Region it makes writer or puts back; for an evacuation, the Region that stays in service. */
  readonly region: string;
  readonly status: string;
  readonly startedAt: number;
  /** When it ended; none while it runs. */
  readonly endedAt?: number;
  /** The step it is at, while it runs. */
  readonly currentStep?: string;
}

/** One alarm of a Region. */
export interface AlarmSummary {
  readonly name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`. */
  readonly state: string;
  /** When it last changed state (epoch ms). */
  readonly since?: number;
}

/** A runbook's readiness in a Region, at the last evaluation: what starting it there now would meet. */
export interface RunbookReadinessSummary {
  readonly runbook: string;
  readonly ready: boolean;
  /** `passed`, `nothing-to-do`, `busy`, `refused` or `error`. */
  readonly outcome: string;
  readonly reason: string;
}

/**
 * One Region, as `GET /operations/state` answers it. Each `...Error` says why the value
 * beside it could not be read; nothing is guessed.
 */
export interface RegionStatus {
  readonly region: string;
  /** `writer`, `secondary`, `not a member` (detached) or `unknown` (the global database could not be read). */
  readonly role: string;
  /** A secondary's replication state: `connected`, or `pending-resync` while it rebuilds. */
  readonly synchronizationStatus?: string;
  /** Its routing control: `On` (it receives the traffic), `Off`, or `unknown`. */
  readonly traffic: string;
  /** A secondary's latest replication lag, and when it was measured (epoch ms). */
  readonly rpoLagMs?: number;
  readonly rpoLagAt?: number;
  readonly rpoLagError?: string;
  /** Its "Region impaired" alarm is in ALARM; undefined when that alarm could not be read (unknown, not healthy). */
  readonly impaired?: boolean;
  /** The Region's alarms in ALARM or without data (those that are OK are counted only). */
  readonly alarms?: AlarmSummary[];
  readonly alarmsOk?: number;
  readonly alarmsError?: string;
  /** The last readiness evaluation in this Region, when one was published. */
  readonly readiness?: { readonly evaluatedAt: string; readonly runbooks: RunbookReadinessSummary[] };
  readonly readinessError?: string;
  readonly running?: RunSummary[];
  readonly lastRuns?: RunSummary[];
  readonly runsError?: string;
}

/** The whole deployment, as `GET /operations/state` answers it. */
export interface OperationsState {
  /** When it was read (epoch ms), and from which Region's API. */
  readonly readAt: number;
  readonly readFrom: string;
  /** The home Region: where a failback returns. */
  readonly home: string;
  /** Active/active routing: every Region may serve, and the panel evacuates and restores Regions. */
  readonly activeActive?: boolean;
  readonly globalDatabase: {
    readonly identifier: string;
    readonly status?: string;
    readonly failoverState?: { readonly status: string; readonly fromRegion?: string; readonly toRegion?: string };
  };
  readonly regions: RegionStatus[];
  /** What could not be read for the whole deployment. */
  readonly problems: string[];
  /** The writer is in one Region and the traffic goes to another: a run was interrupted, and running it again finishes it. */
  readonly interrupted: boolean;
}
