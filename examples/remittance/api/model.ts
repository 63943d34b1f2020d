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
}
