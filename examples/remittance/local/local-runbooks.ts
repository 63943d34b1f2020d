/**
 * The runbooks' executions in this process, over {@link LocalCloud}: what SSM Automation
 * is to the deployed runbooks. Each execution runs the real runbook, step after step
 * ({@link RunbookRun}), in the Region it was started in; while it runs, it is one of the
 * runs under way that every pre-flight and every change step asks about
 * (`DescribeAutomationExecutions`), so two runs started at once meet the same
 * one-run-at-a-time rule they meet in AWS.
 *
 * An execution is shown the way the remittance API shows an SSM execution: the
 * document's steps with their statuses, then `Report`; a refused or failed run's
 * `Report` fails with the report's summary, as the deployed `Report` step does.
 */
import * as crypto from 'crypto';
import { LocalCloud, LocalRuns } from './local-cloud';
import { EndedExecution, RunningExecution, RunbookTopology } from '../../../src/ssm/cloud-operations';
import type { DeploymentState } from '../../../src/ssm/deployment-state';
import { RUNBOOK_NAMES, RunbookName, RunbookOptions, RunbookReport, RunbookRun, RUNBOOKS } from '../../../src/ssm/runbooks';
import { summarize } from '../../../src/ssm/step-handler';
import { runbookDocumentName } from '../../../src/ssm/topology';
import { Automation, Execution, ExecutionStep } from '../api/operations';

/** One execution. */
interface Entry {
  readonly executionId: string;
  readonly region: string;
  readonly runbook: RunbookName;
  /** The Region it makes writer. */
  readonly targetRegion: string;
  readonly documentName: string;
  readonly startTime: number;
  readonly run: RunbookRun;
  /** The document step running now, or the one the run failed at, and when it started. */
  step: string;
  stepStartedAt: number;
  report?: RunbookReport;
  /** When it ended. */
  endTime?: number;
  readonly done: Promise<RunbookReport>;
}

/** Settings every local execution gets, as a deployed document's parameter defaults. */
export type LocalRunbookDefaults = Omit<RunbookOptions, 'targetRegion' | 'executionId' | 'localRegion'>;

export class LocalRunbooks implements LocalRuns {
  private readonly executions = new Map<string, Entry>();
  private stopping = false;

  constructor(private readonly cloud: LocalCloud, private readonly topology: RunbookTopology, private readonly defaults: LocalRunbookDefaults = {}) {
    cloud.runs = this;
  }

  /** The document name of `runbook` in this deployment. */
  public documentName(runbook: RunbookName): string {
    return runbookDocumentName(this.topology.globalClusterIdentifier, runbook);
  }

  /**
   * Starts `runbook` in `region` (its target unless `options` names another) and answers
   * the execution id at once, as `StartAutomationExecution` does.
   */
  public start(region: string, runbook: RunbookName, options: Partial<RunbookOptions> = {}): string {
    if (!this.topology.regions.some((r) => r.region === region)) {
      throw new Error(`no Region ${region} in this deployment; its Regions are ${this.topology.regions.map((r) => r.region).join(', ')}`);
    }
    const executionId = crypto.randomUUID();
    const run = new RunbookRun(runbook, this.cloud, this.topology, {
      ...this.defaults, targetRegion: region, ...options, executionId, localRegion: region,
    });
    const entry = {
      executionId,
      region,
      runbook,
      targetRegion: options.targetRegion ?? region,
      documentName: this.documentName(runbook),
      startTime: this.cloud.now(),
      run,
      step: RUNBOOKS[runbook][0].name,
      stepStartedAt: this.cloud.now(),
    } as Entry;
    (entry as { done: Promise<RunbookReport> }).done = (async () => {
      // The first step runs after this call answers, as an execution's does.
      await Promise.resolve();
      while (!run.done) {
        if (this.stopping) throw new Error(`the local ${runbook} run ${executionId} was stopped at step ${entry.step}`);
        if (entry.step !== run.currentStep!.name) entry.stepStartedAt = this.cloud.now();
        entry.step = run.currentStep!.name;
        await run.step();
      }
      entry.report = run.report();
      entry.endTime = this.cloud.now();
      return entry.report;
    })();
    this.executions.set(executionId, entry);
    return executionId;
  }

  /** The report of an execution, once it has ended. */
  public async report(executionId: string): Promise<RunbookReport> {
    const entry = this.executions.get(executionId);
    if (!entry) throw new Error(`no local execution ${executionId}`);
    return entry.done;
  }

  /** Waits until every execution has ended. */
  public async settled(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.done.catch(() => undefined)));
  }

  /** Stops every execution after its current step (a wait step ends at its deadline) and waits for them. */
  public async stop(): Promise<void> {
    this.stopping = true;
    await this.settled();
  }

  public running(region: string, documentNames: readonly string[]): RunningExecution[] {
    return [...this.executions.values()]
      .filter((e) => e.region === region && !e.report && documentNames.includes(e.documentName))
      .map((e) => ({ executionId: e.executionId, documentName: e.documentName, region: e.region, status: 'InProgress', startTime: e.startTime, currentStep: e.step }));
  }

  /** The last `limit` runs of `documentNames` that ended in `region`, the last ended first. */
  public ended(region: string, documentNames: readonly string[], limit: number): EndedExecution[] {
    return [...this.executions.values()]
      .filter((e) => e.region === region && e.endTime !== undefined && documentNames.includes(e.documentName))
      .map((e) => ({
        executionId: e.executionId,
        documentName: e.documentName,
        region: e.region,
        status: e.report!.outcome === 'succeeded' ? 'Success' : 'Failed',
        startTime: e.startTime,
        endTime: e.endTime!,
      }))
      .sort((a, b) => b.endTime - a.endTime)
      .slice(0, limit);
  }

  /** An execution of `region` as the API shows it; undefined when `region` did not run it. */
  public get(region: string, executionId: string): Execution | undefined {
    const e = this.executions.get(executionId);
    if (!e || e.region !== region) return undefined;
    const names = RUNBOOKS[e.runbook].map((s) => s.name);
    const at = e.report?.outcome === 'succeeded' ? names.length : names.indexOf(e.step);
    const failed = e.report !== undefined && e.report.outcome !== 'succeeded';
    // How long each step took, as the run recorded it (a step polled several times: all of its polls).
    // (A run records its steps by title; an approval not asked for is not recorded, and shows no duration.)
    const took = (name: string) => {
      const title = RUNBOOKS[e.runbook].find((x) => x.name === name)?.title;
      const records = e.run.steps.filter((r) => r.name === title);
      return records.length === 0 ? undefined : records.reduce((sum, r) => sum + r.durationMs, 0);
    };
    const steps: ExecutionStep[] = names.map((name, i) => {
      if (i < at) return { name, status: 'Success', durationMs: took(name) };
      if (i > at) return { name, status: 'Pending' };
      if (!failed) return { name, status: 'InProgress', startedAt: e.stepStartedAt };
      return { name, status: 'Failed', message: e.run.steps[e.run.steps.length - 1]?.detail, durationMs: took(name) };
    });
    const summary = e.report ? summarize(e.report, false) : undefined;
    steps.push(e.report ? { name: 'Report', status: failed ? 'Failed' : 'Success', message: summary } : { name: 'Report', status: 'Pending' });
    return {
      executionId: e.executionId,
      documentName: e.documentName,
      status: e.report ? (failed ? 'Failed' : 'Success') : 'InProgress',
      steps,
      ...(failed ? { failureMessage: summary } : {}),
      runbook: e.runbook,
      targetRegion: e.targetRegion,
      startedAt: e.startTime,
      ...(e.report ? { report: summarize(e.report) } : {}),
    };
  }

  /** SSM Automation in `region`, for the remittance API's Operations buttons; `state` reads the deployment from `region`. */
  public automation(region: string, state: () => Promise<DeploymentState>): Automation {
    return {
      state,
      start: async (documentName, parameters) => {
        const runbook = RUNBOOK_NAMES.find((r) => this.documentName(r) === documentName);
        if (!runbook) throw Object.assign(new Error(`no document ${documentName} here`), { name: 'InvalidDocument' });
        const target = parameters.TargetRegion?.[0] ?? region;
        return this.start(region, runbook, { targetRegion: target, allowDataLoss: parameters.AllowDataLoss?.[0] === 'true' });
      },
      get: async (executionId) => this.get(region, executionId),
    };
  }
}
