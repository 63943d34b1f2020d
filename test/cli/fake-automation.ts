/**
 * SSM for the command-line tool's tests: parameters as the stacks publish them, and
 * automation executions that run the real rendered documents in the document simulator,
 * each step invoking the real step handler against a {@link FakeCloud}. An execution runs
 * in the background while the tool polls it, as a real one does.
 */
import { AutomationService, CliDependencies, EndedExecution, ExecutionState, RunningExecution } from '../../src/cli/cli';
import { renderRunbookDocument, renderSelfTestDocument } from '../../src/ssm/documents';
import { RUNBOOK_NAMES, RunbookName } from '../../src/ssm/runbooks';
import { handleStep } from '../../src/ssm/step-handler';
import { runbooksParameterName, RunbooksDirectory } from '../../src/ssm/topology';
import { ENDPOINTS } from '../arc/fake-data-plane';
import { documentSettings } from '../ssm/document-settings';
import { FakeCloud, REGIONS, TOPOLOGY } from '../ssm/fake-cloud';
import { Simulation, SimulationResult } from '../ssm/simulator';

export const NAME = 'orders';
const AURORA_PARAMETER = '/cdk-cross-region-failover/orders/aurora';
const ROUTING_PARAMETER = '/cdk-cross-region-failover/orders-api/routing';

export const DIRECTORY: RunbooksDirectory = {
  version: 1,
  name: NAME,
  regions: REGIONS,
  documents: { switchover: 'orders-Switchover', failover: 'orders-Failover', failback: 'orders-Failback', rebuild: 'orders-Rebuild' },
  auroraTopologyParameter: AURORA_PARAMETER,
  routingTopologyParameter: ROUTING_PARAMETER,
};

/** The directory of a deployment with active/active routing: the evacuate and restore runbooks too. */
export const ACTIVE_ACTIVE_DIRECTORY: RunbooksDirectory = {
  ...DIRECTORY,
  documents: { ...DIRECTORY.documents, evacuate: 'orders-Evacuate', restore: 'orders-Restore' },
};

/** The three parameters the stacks write in every Region, for {@link TOPOLOGY}; with active/active routing when asked. */
export function publishedParameters(activeActive = false): Map<string, string> {
  return new Map([
    [runbooksParameterName(NAME), JSON.stringify(activeActive ? ACTIVE_ACTIVE_DIRECTORY : DIRECTORY)],
    [AURORA_PARAMETER, JSON.stringify({
      version: 1,
      globalClusterIdentifier: TOPOLOGY.globalClusterIdentifier,
      globalClusterArn: 'arn:aws:rds::111111111111:global-cluster:orders',
      secretName: TOPOLOGY.secretName,
      port: 5432,
      regions: TOPOLOGY.regions.map((r, i) => ({
        region: r.region, clusterIdentifier: r.clusterIdentifier, clusterArn: r.clusterArn, initialPrimary: i === 0,
      })),
    })],
    [ROUTING_PARAMETER, JSON.stringify({
      version: 1,
      name: 'orders-api',
      domainName: 'api.example.com',
      clusterArn: 'arn:aws:route53-recovery-control::111111111111:cluster/c',
      controlPanelArn: 'arn:aws:route53-recovery-control::111111111111:controlpanel/p',
      clusterEndpoints: ENDPOINTS.map((e) => ({ Endpoint: e.endpoint, Region: e.region })),
      ...(activeActive ? { mode: 'active-active' } : {}),
      regions: TOPOLOGY.regions.map((r, i) => ({
        region: r.region, routingControlArn: r.routingControlArn, healthCheckId: `hc-${i}`, initiallyActive: activeActive || i === 0,
      })),
    })],
  ]);
}

interface Execution {
  readonly documentName: string;
  readonly targetRegion?: string;
  readonly simulation: Simulation;
  result?: SimulationResult;
  error?: Error;
}

/** SSM in one Region. */
export class FakeAutomation implements AutomationService {
  public readonly parameters = publishedParameters();
  public readonly started: { documentName: string; parameters: Record<string, string[]> }[] = [];
  /** Makes every call throw this error (missing credentials, an impaired Region). */
  public failure?: Error;
  private readonly executions = new Map<string, Execution>();

  constructor(public readonly region: string, private readonly cloud: FakeCloud) {}

  /** Whether this Region's published routing is active/active, as the step function would read it. */
  private activeActive(): boolean {
    const routing = this.parameters.get(ROUTING_PARAMETER);
    return routing !== undefined && (JSON.parse(routing) as { mode?: string }).mode === 'active-active';
  }

  /** Answers an approval; default: approves. */
  public approve: () => Promise<boolean> = async () => true;

  /** Registers an execution started elsewhere (the console, another operator) that has not ended; the runbooks see it too. */
  public addRunning(e: { executionId: string; documentName: string; status: string; startTime?: number; currentStep?: string }): void {
    this.cloud.executions.push({ region: this.region, startTime: this.cloud.now(), ...e, ended: false });
  }

  public async readParameter(name: string): Promise<string | undefined> {
    this.check();
    return this.parameters.get(name);
  }

  public async listParameterNames(path: string): Promise<string[]> {
    this.check();
    return [...this.parameters.keys()].filter((n) => n.startsWith(`${path}/`));
  }

  public async runningExecutions(documentNames: readonly string[]): Promise<RunningExecution[]> {
    return this.runningIn(this.region, documentNames);
  }

  public async endedExecutions(documentNames: readonly string[], limit: number): Promise<EndedExecution[]> {
    this.check();
    return this.cloud.executions
      .filter((e) => e.ended && e.region === this.region && documentNames.includes(e.documentName))
      .map((e) => ({
        executionId: e.executionId,
        documentName: e.documentName,
        region: e.region,
        status: e.status,
        startTime: e.startTime,
        endTime: e.endTime ?? e.startTime,
      }))
      .sort((a, b) => b.endTime - a.endTime)
      .slice(0, limit);
  }

  /** The runs under way in `region` (one fake SSM server may answer for several Regions). */
  public async runningIn(region: string, documentNames: readonly string[]): Promise<RunningExecution[]> {
    this.check();
    return this.cloud.runningExecutions(region, documentNames);
  }

  public async start(documentName: string, parameters: Record<string, string[]>): Promise<string> {
    this.check();
    const runbook = RUNBOOK_NAMES.find((r) => ACTIVE_ACTIVE_DIRECTORY.documents[r] === documentName) as RunbookName | undefined;
    const selfTest = documentName === `${NAME}-SelfTest`;
    if (!runbook && !selfTest) {
      const error = new Error(`Document ${documentName} does not exist`);
      error.name = 'AutomationDefinitionNotFoundException';
      throw error;
    }
    this.started.push({ documentName, parameters });
    const document = selfTest
      ? renderSelfTestDocument({ ...documentSettings('switchover', this.region), assumeRoleArn: `arn:aws:iam::111111111111:role/orders-runbooks-${this.region}`, documentName: 'orders-SelfTest' })
      : renderRunbookDocument(documentSettings(runbook!, this.region, { regions: REGIONS }));
    const executionId = `0000000${this.executions.size + 1}-aaaa-4bbb-8ccc-${this.region.replace(/-/g, '').padEnd(12, '0').slice(0, 12)}`;
    // The execution is one the runbooks see in this Region (one run at a time).
    const registered = this.cloud.startExecution(this.region, documentName, executionId);
    const simulation: Simulation = new Simulation(document, {
      onStep: (name) => (registered.currentStep = name),
      invoke: async (_fn, payload) => {
        // An invocation takes a while: the tool polls meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        return {
          ...await handleStep(payload, {
            region: this.region,
            cloud: this.cloud,
            loadTopology: async () => (this.activeActive() ? { ...TOPOLOGY, activeActive: true } : TOPOLOGY),
            getExecution: async () => simulation.view(),
          }),
        };
      },
      approve: () => this.approve(),
      now: () => this.cloud.now(),
      sleep: (ms) => this.cloud.sleep(ms),
    }, executionId);
    const execution: Execution = { documentName, simulation, targetRegion: parameters.TargetRegion?.[0] };
    this.executions.set(executionId, execution);
    // SSM takes parameter values as lists of strings; the document types them.
    const typed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(parameters)) {
      typed[key] = key === 'Approvers' ? value
        : ['MaxRpoLagSeconds', 'MaxDataLossSeconds'].includes(key) ? Number(value[0])
          : ['AllowDataLoss', 'AllowDetach', 'RequireApproval'].includes(key) ? value[0] === 'true' : value[0];
    }
    simulation.run(typed).then((r) => (execution.result = r), (e) => (execution.error = e)).finally(() => {
      registered.status = execution.result?.status ?? 'Failed';
      registered.endTime = this.cloud.now();
      registered.ended = true;
    });
    return executionId;
  }

  /** The document an execution runs, as GetAutomationExecution names it. */
  public documentNameOf(executionId: string): string | undefined {
    return this.executions.get(executionId)?.documentName;
  }

  public async getExecution(executionId: string): Promise<ExecutionState> {
    this.check();
    const execution = this.executions.get(executionId);
    if (!execution) throw Object.assign(new Error(`AutomationExecutionNotFoundException: ${executionId}`), { name: 'AutomationExecutionNotFoundException' });
    const view = { ...execution.simulation.view(), documentName: execution.documentName, targetRegion: execution.targetRegion };
    if (execution.error) return { ...view, status: 'Failed', failureMessage: execution.error.message };
    if (execution.result) return { ...view, status: execution.result.status, failureMessage: execution.result.failureMessage };
    const approving = view.steps.some((s) => s.action === 'aws:approve' && s.status === 'InProgress');
    return { ...view, status: approving ? 'Waiting' : 'InProgress' };
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}

/** The tool's dependencies over one fake cloud and a fake SSM per Region, with every line written kept. */
export function fakeDependencies(cloud: FakeCloud = new FakeCloud()) {
  const automations = new Map(REGIONS.map((r) => [r, new FakeAutomation(r, cloud)]));
  // Any other Region answers, with nothing deployed there.
  const automationIn = (region: string) => {
    if (!automations.has(region)) {
      const empty = new FakeAutomation(region, cloud);
      empty.parameters.clear();
      automations.set(region, empty);
    }
    return automations.get(region)!;
  };
  const out: string[] = [];
  const err: string[] = [];
  let polls = 0;
  const deps: CliDependencies = {
    defaultRegion: 'us-east-1',
    automation: (region) => automationIn(region),
    cloud: () => cloud,
    // Lets the background execution move on between two polls.
    sleep: async () => {
      polls++;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return {
    deps,
    cloud,
    automation: automationIn,
    io: { out: (line: string) => out.push(...line.split('\n')), err: (line: string) => err.push(...line.split('\n')) },
    out,
    err,
    polls: () => polls,
  };
}
