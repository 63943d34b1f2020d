import { CloudOperations, GlobalClusterMember, GlobalClusterView, GlobalFailoverState, RunbookTopology } from '../../src/ssm/cloud-operations';
import { ENDPOINTS, FakeDataPlane } from '../arc/fake-data-plane';

export const REGIONS = ['us-east-1', 'us-west-2'];
export const arnOf = (region: string) => `arn:aws:rds:${region}:111111111111:cluster:orders-${region}`;
export const controlOf = (region: string) => `arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/${region}`;

export const TOPOLOGY: RunbookTopology = {
  globalClusterIdentifier: 'orders',
  secretName: 'orders-aurora-master',
  clusterEndpoints: ENDPOINTS,
  regions: REGIONS.map((region) => ({
    region,
    clusterIdentifier: `orders-${region}`,
    clusterArn: arnOf(region),
    routingControlArn: controlOf(region),
  })),
};

type Operation = 'describe' | 'switchover' | 'failover' | 'detach' | 'clusterStatus' | 'rpoLag' | 'secret';

/**
 * An in-memory global database with an ARC data plane. A switchover or failover takes
 * `transitionPolls` sleeps to complete, like the real one takes minutes. Faults can be
 * injected per operation; every call is recorded.
 */
export class FakeCloud implements CloudOperations {
  public readonly routing: FakeDataPlane;
  public readonly calls: { op: Operation | 'sleep'; arg?: string; failed?: boolean }[] = [];
  public members: GlobalClusterMember[];
  public status = 'available';
  public failoverState?: GlobalFailoverState;
  public readonly lagMs = new Map<string, number | undefined>();
  public readonly clusterStatuses = new Map<string, string>();
  public transitionPolls = 2;
  /** Whether the credentials secret can be read in the Region the runbook runs in. */
  public secretPresent = true;
  private clock = 1_000_000;
  private pending?: { to: string; polls: number; detach?: boolean };
  private readonly faults = new Map<Operation, { times: number; error: string }>();
  private callCount = 0;
  private failAt?: number;

  constructor(writerRegion = 'us-east-1') {
    this.members = REGIONS.map((r) => ({ clusterArn: arnOf(r), isWriter: r === writerRegion, synchronizationStatus: r === writerRegion ? undefined : 'connected' }));
    this.routing = new FakeDataPlane(REGIONS.map(controlOf));
    this.routing.states.set(controlOf(writerRegion), 'On');
    REGIONS.forEach((r) => {
      this.clusterStatuses.set(arnOf(r), 'available');
      this.lagMs.set(`orders-${r}`, r === writerRegion ? undefined : 800);
    });
  }

  /** Makes the next `times` calls of `op` throw `error`. */
  public fail(op: Operation, error: string, times = 1): this {
    this.faults.set(op, { times, error });
    return this;
  }

  /** Makes the `n`-th call of any operation from now on (1-based) throw, once. */
  public failCall(n: number): this {
    this.failAt = this.callCount + n;
    return this;
  }

  /** How many operations were called so far. */
  public get callTotal(): number {
    return this.callCount;
  }

  public writer(): string | undefined {
    return this.members.find((m) => m.isWriter)?.clusterArn;
  }

  public now(): number {
    return this.clock;
  }

  public async sleep(ms: number): Promise<void> {
    this.calls.push({ op: 'sleep' });
    this.clock += ms;
    if (this.pending && --this.pending.polls <= 0) this.complete();
  }

  public async describeGlobalCluster(identifier: string): Promise<GlobalClusterView | undefined> {
    this.call('describe', identifier);
    if (identifier !== 'orders') return undefined;
    return { identifier, status: this.status, members: this.members.map((m) => ({ ...m })), failoverState: this.failoverState };
  }

  public async switchoverGlobalCluster(_identifier: string, target: string): Promise<void> {
    this.call('switchover', target);
    this.begin(target, 'switching-over', false);
  }

  public async failoverGlobalCluster(_identifier: string, target: string): Promise<void> {
    this.call('failover', target);
    this.begin(target, 'failing-over', true);
  }

  public async detachFromGlobalCluster(_identifier: string, clusterArn: string): Promise<void> {
    this.call('detach', clusterArn);
    this.members = this.members.filter((m) => m.clusterArn !== clusterArn);
    this.clusterStatuses.set(clusterArn, 'modifying');
    this.pending = { to: clusterArn, polls: this.transitionPolls, detach: true };
  }

  public async clusterStatus(clusterArn: string): Promise<string | undefined> {
    this.call('clusterStatus', clusterArn);
    return this.clusterStatuses.get(clusterArn);
  }

  public async rpoLagMs(clusterIdentifier: string): Promise<number | undefined> {
    this.call('rpoLag', clusterIdentifier);
    return this.lagMs.get(clusterIdentifier);
  }

  public async secretAvailable(secretName: string): Promise<boolean> {
    this.call('secret', secretName);
    return this.secretPresent;
  }

  private begin(target: string, status: string, dataLoss: boolean): void {
    this.failoverState = { status, fromClusterArn: this.writer(), toClusterArn: target, isDataLossAllowed: dataLoss };
    this.status = status;
    this.pending = { to: target, polls: this.transitionPolls };
  }

  private complete(): void {
    const { to, detach } = this.pending!;
    this.pending = undefined;
    if (detach) {
      this.clusterStatuses.set(to, 'available');
      return;
    }
    const from = this.writer();
    this.members = this.members.map((m) => ({ ...m, isWriter: m.clusterArn === to, synchronizationStatus: m.clusterArn === to ? undefined : 'connected' }));
    this.failoverState = undefined;
    this.status = 'available';
    this.lagMs.set(to.split(':').pop()!, undefined);
    if (from) this.lagMs.set(from.split(':').pop()!, 500);
  }

  private call(op: Operation, arg: string): void {
    const record: { op: Operation; arg: string; failed?: boolean } = { op, arg };
    this.calls.push(record);
    if (++this.callCount === this.failAt) {
      record.failed = true;
      throw new Error(`InternalFailure injected on call ${this.callCount} (${op})`);
    }
    const fault = this.faults.get(op);
    if (fault && fault.times > 0) {
      fault.times--;
      record.failed = true;
      throw new Error(fault.error);
    }
  }
}
