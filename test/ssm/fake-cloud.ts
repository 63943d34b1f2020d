import {
  CloudOperations, ClusterInstanceView, ClusterSpec, ClusterView, GlobalClusterMember, GlobalClusterView, GlobalFailoverState, InstanceSpec,
  LagReading, RunbookTopology, RunningExecution,
} from '../../src/ssm/cloud-operations';
import { ENDPOINTS, FakeDataPlane } from '../arc/fake-data-plane';

export const REGIONS = ['us-east-1', 'us-west-2'];
export const arnOf = (region: string) => `arn:aws:rds:${region}:111111111111:cluster:orders-${region}`;
export const controlOf = (region: string) => `arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/${region}`;
export const keyOf = (region: string) => `arn:aws:kms:${region}:111111111111:key/orders-${region}`;
const regionOfArn = (arn: string) => arn.split(':')[3];
const idOfArn = (arn: string) => arn.split(':').pop()!;

/** The topology of the 'orders' database over `regions`. */
export function topologyOf(regions: readonly string[]): RunbookTopology {
  return {
    globalClusterIdentifier: 'orders',
    secretName: 'orders-aurora-master',
    clusterEndpoints: ENDPOINTS,
    regions: regions.map((region) => ({
      region,
      clusterIdentifier: `orders-${region}`,
      clusterArn: arnOf(region),
      routingControlArn: controlOf(region),
      instanceClass: 'db.serverless',
    })),
  };
}

export const TOPOLOGY: RunbookTopology = topologyOf(REGIONS);

export type Operation =
  | 'describe' | 'switchover' | 'failover' | 'detach' | 'describeCluster' | 'keyState' | 'addInstance' | 'rpoLag' | 'secret' | 'executions'
  | 'remove' | 'deleteGlobal' | 'createGlobal' | 'deleteInstance' | 'deleteCluster' | 'createCluster' | 'createInstance';

/** The cluster spec a Region's stack publishes, for the rebuild. */
export function specOf(region: string): ClusterSpec {
  return {
    region,
    clusterIdentifier: `orders-${region}`,
    engineVersion: '16.13',
    port: 5432,
    subnetGroupName: `orders-${region}-subnets`,
    securityGroupIds: [`sg-${region}`],
    parameterGroupName: `orders-${region}-parameters`,
    kmsKeyId: keyOf(region),
    backupRetentionDays: 7,
    deletionProtection: true,
    serverlessV2Scaling: { minCapacity: 0.5, maxCapacity: 16 },
    instances: [{ identifier: `orders-${region}-instance1`, instanceClass: 'db.serverless', promotionTier: 0 }],
  };
}

/** An execution in the fake's SSM, in any Region. */
export type FakeExecution = { -readonly [K in keyof RunningExecution]: RunningExecution[K] } & { ended: boolean; endTime?: number };

/** A transition under way: it completes after `polls` clock advances. */
export interface Pending {
  readonly kind: 'switchover' | 'failover' | 'detach' | 'instance' | 'rejoin' | 'deleteGlobal' | 'createGlobal' | 'deleteInstance' | 'deleteCluster' | 'createCluster';
  readonly to: string;
  polls: number;
  /** deleteInstance: the instance. */
  readonly instance?: string;
}

/** A throwable AWS-like error: `name` is the error code. */
export function awsError(name: string, message = name): Error {
  const e = new Error(message) as Error & { code?: string };
  e.name = name;
  // A network error carries its Node.js code, as the SDK passes it on.
  const code = /\b(ENOTFOUND|ETIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN)\b/.exec(message)?.[1];
  if (code) e.code = code;
  return e;
}

/**
 * An in-memory global database with an ARC data plane and every Region's SSM. A
 * switchover, failover, detach or new instance takes `transitionPolls` clock advances
 * to complete, like the real one takes minutes. Faults can be injected per operation
 * or per call, and whole Regions made dark; every call is recorded.
 *
 * With {@link trackData}, each cluster holds the log of write ids it has: writes go to
 * the writer, secondaries copy it on {@link replicate}, a failover promotes the target
 * with what it has (the rest is lost), and an old primary rejoins with the new writer's
 * data. The replication lag is then read off the logs (1 s per write behind).
 */
export class FakeCloud implements CloudOperations {
  public readonly routing: FakeDataPlane;
  public readonly calls: { op: Operation | 'sleep'; arg?: string; failed?: boolean }[] = [];
  public members: GlobalClusterMember[];
  public status = 'available';
  public failoverState?: GlobalFailoverState;
  public readonly lagMs = new Map<string, number | undefined>();
  /** When each lag data point was measured; default: now. */
  public readonly lagAt = new Map<string, number>();
  public readonly clusterStatuses = new Map<string, string>();
  public readonly instances = new Map<string, ClusterInstanceView[]>();
  public readonly keyStates = new Map<string, string>();
  public readonly executions: FakeExecution[] = [];
  /** Regions whose services (RDS, SSM, KMS, CloudWatch, Secrets Manager, their ARC endpoint) do not answer. */
  public readonly dark = new Set<string>();
  public transitionPolls = 2;
  /** Clock advances after a managed failover before the old primary is back as a connected secondary; 0: at once. */
  public rejoinPolls = 0;
  /** Whether the credentials secret can be read in the Region the runbook runs in. */
  public secretPresent = true;
  /** Called before every change (switchover, failover, detach, add instance) with the state then; the property test checks invariants here. */
  public beforeChange?: (op: Operation, arg: string) => void;
  /** Called when a transition completes, before the state changes. */
  public onComplete?: (kind: Pending['kind'], to: string) => void;
  public readonly logs = new Map<string, number[]>();
  /** Final snapshots taken by deleteCluster, with the writes they hold. */
  public readonly snapshots = new Map<string, number[]>();
  /** Whether the global database exists (a rebuild deletes and re-creates it). */
  public globalExists = true;
  public trackData = false;
  private clock = 1_000_000;
  private pending: Pending[] = [];
  private readonly faults = new Map<Operation, { times: number; error: string }>();
  private callCount = 0;
  private failAt?: number;
  private failError = 'InternalFailure';

  constructor(writerRegion = 'us-east-1', public readonly regions: readonly string[] = REGIONS) {
    this.members = regions.map((r) => ({ clusterArn: arnOf(r), isWriter: r === writerRegion, synchronizationStatus: r === writerRegion ? undefined : 'connected' }));
    this.routing = new FakeDataPlane(regions.map(controlOf));
    this.routing.states.set(controlOf(writerRegion), 'On');
    regions.forEach((r) => {
      this.clusterStatuses.set(arnOf(r), 'available');
      this.instances.set(arnOf(r), [{ identifier: `orders-${r}-instance1`, status: 'available' }]);
      this.keyStates.set(keyOf(r), 'Enabled');
      this.lagMs.set(`orders-${r}`, r === writerRegion ? undefined : 800);
      this.logs.set(arnOf(r), []);
    });
  }

  /** Makes the next `times` calls of `op` throw an error named by the first word of `error`. */
  public fail(op: Operation, error: string, times = 1): this {
    this.faults.set(op, { times, error });
    return this;
  }

  /** Makes the `n`-th call of any operation from now on (1-based) throw, once. */
  public failCall(n: number, error = 'InternalFailure'): this {
    this.failAt = this.callCount + n;
    this.failError = error;
    return this;
  }

  /** How many operations were called so far. */
  public get callTotal(): number {
    return this.callCount;
  }

  public writer(): string | undefined {
    return this.members.find((m) => m.isWriter)?.clusterArn;
  }

  /** Makes a Region dark (its services time out) or brings it back. */
  public setDark(region: string, dark: boolean): void {
    if (dark) {
      this.dark.add(region);
      this.routing.failOn(region);
    } else {
      this.dark.delete(region);
      this.routing.recover(region);
    }
  }

  public now(): number {
    return this.clock;
  }

  public async sleep(ms: number): Promise<void> {
    this.calls.push({ op: 'sleep' });
    this.advance(ms);
  }

  /** Moves the clock and every transition under way by one step. */
  public advance(ms: number): void {
    this.clock += ms;
    for (const p of [...this.pending]) {
      if (--p.polls <= 0) this.complete(p);
    }
  }

  /** Whether a transition of this kind is under way. */
  public hasPending(kind?: Pending['kind']): boolean {
    return this.pending.some((p) => kind === undefined || p.kind === kind);
  }

  /** Whether a cluster takes writes: the settled writer of the global cluster, or an available cluster outside it. */
  public writable(clusterArn: string): boolean {
    if (this.dark.has(regionOfArn(clusterArn)) || this.clusterStatuses.get(clusterArn) !== 'available') return false;
    const member = this.members.find((m) => m.clusterArn === clusterArn);
    if (!member) return this.pending.every((p) => !(p.kind === 'detach' && p.to === clusterArn));
    return member.isWriter && this.failoverState === undefined;
  }

  /** Catches every connected secondary up with the writer (a replication tick), unless a Region is dark. */
  public replicate(only?: string): void {
    const writer = this.writer();
    if (!writer || this.dark.has(regionOfArn(writer))) return;
    for (const m of this.members) {
      if (m.isWriter || m.synchronizationStatus !== 'connected' || this.dark.has(regionOfArn(m.clusterArn))) continue;
      if (only && m.clusterArn !== only) continue;
      this.logs.set(m.clusterArn, [...this.logs.get(writer)!]);
    }
  }

  // -------------------------------------------------------------------------
  // CloudOperations
  // -------------------------------------------------------------------------

  public async describeGlobalCluster(identifier: string): Promise<GlobalClusterView | undefined> {
    this.call('describe', identifier);
    if (identifier !== 'orders' || !this.globalExists) return undefined;
    const failoverState = this.failoverState && { ...this.failoverState };
    return { identifier, status: this.status, members: this.members.map((m) => ({ ...m })), failoverState };
  }

  public async switchoverGlobalCluster(_identifier: string, target: string): Promise<void> {
    this.call('switchover', target);
    this.beforeChange?.('switchover', target);
    this.refuseWhileBusy();
    this.begin(target, 'switching-over', false);
  }

  public async failoverGlobalCluster(_identifier: string, target: string): Promise<void> {
    this.call('failover', target);
    this.beforeChange?.('failover', target);
    this.refuseWhileBusy();
    this.begin(target, 'failing-over', true);
  }

  public async detachFromGlobalCluster(_identifier: string, clusterArn: string): Promise<void> {
    this.call('detach', clusterArn);
    this.beforeChange?.('detach', clusterArn);
    this.members = this.members.filter((m) => m.clusterArn !== clusterArn);
    this.clusterStatuses.set(clusterArn, 'modifying');
    this.pending.push({ kind: 'detach', to: clusterArn, polls: this.transitionPolls });
  }

  public async describeCluster(clusterArn: string): Promise<ClusterView | undefined> {
    this.call('describeCluster', clusterArn, regionOfArn(clusterArn));
    const status = this.clusterStatuses.get(clusterArn);
    if (status === undefined) return undefined;
    const member = this.globalExists && this.members.some((m) => m.clusterArn === clusterArn);
    return {
      status,
      kmsKeyId: keyOf(regionOfArn(clusterArn)),
      ...(member ? { globalClusterIdentifier: 'orders' } : {}),
      instances: (this.instances.get(clusterArn) ?? []).map((i) => ({ ...i })),
    };
  }

  public async keyState(keyId: string): Promise<string | undefined> {
    this.call('keyState', keyId, regionOfArn(keyId));
    return this.keyStates.get(keyId);
  }

  public async addInstance(clusterArn: string, instanceIdentifier: string, _instanceClass: string): Promise<void> {
    this.call('addInstance', clusterArn, regionOfArn(clusterArn));
    this.beforeChange?.('addInstance', clusterArn);
    const list = this.instances.get(clusterArn) ?? [];
    if (list.some((i) => i.identifier === instanceIdentifier)) throw awsError('DBInstanceAlreadyExistsFault', `DB instance ${instanceIdentifier} already exists`);
    this.instances.set(clusterArn, [...list, { identifier: instanceIdentifier, status: 'creating' }]);
    this.pending.push({ kind: 'instance', to: clusterArn, polls: this.transitionPolls });
  }

  public async removeFromGlobalCluster(_identifier: string, clusterArn: string): Promise<void> {
    this.call('remove', clusterArn, regionOfArn(clusterArn));
    this.beforeChange?.('remove', clusterArn);
    if (!this.globalExists) throw awsError('GlobalClusterNotFoundFault', 'global cluster orders not found');
    const member = this.members.find((m) => m.clusterArn === clusterArn);
    if (!member) throw awsError('InvalidDBClusterStateFault', `${clusterArn} is not a member of global cluster orders`);
    if (member.isWriter && this.members.length > 1) throw awsError('InvalidGlobalClusterStateFault', 'remove the secondary clusters before the primary');
    this.members = this.members.filter((m) => m !== member);
    this.clusterStatuses.set(clusterArn, 'modifying');
    this.pending.push({ kind: 'detach', to: clusterArn, polls: this.transitionPolls });
  }

  public async deleteGlobalCluster(_identifier: string): Promise<void> {
    this.call('deleteGlobal', 'orders');
    this.beforeChange?.('deleteGlobal', 'orders');
    if (!this.globalExists) throw awsError('GlobalClusterNotFoundFault', 'global cluster orders not found');
    if (this.members.length > 0) throw awsError('InvalidGlobalClusterStateFault', 'global cluster orders still has members');
    this.status = 'deleting';
    this.pending.push({ kind: 'deleteGlobal', to: 'orders', polls: this.transitionPolls });
  }

  public async createGlobalCluster(_identifier: string, sourceClusterArn: string): Promise<void> {
    this.call('createGlobal', sourceClusterArn, regionOfArn(sourceClusterArn));
    this.beforeChange?.('createGlobal', sourceClusterArn);
    if (this.globalExists) throw awsError('GlobalClusterAlreadyExistsFault', 'global cluster orders already exists');
    if (this.clusterStatuses.get(sourceClusterArn) !== 'available') throw awsError('InvalidDBClusterStateFault', `${sourceClusterArn} is not available`);
    this.globalExists = true;
    this.failoverState = undefined;
    this.members = [{ clusterArn: sourceClusterArn, isWriter: true }];
    this.status = 'creating';
    this.pending.push({ kind: 'createGlobal', to: sourceClusterArn, polls: this.transitionPolls });
  }

  public async deleteInstance(clusterArn: string, instanceIdentifier: string): Promise<void> {
    this.call('deleteInstance', clusterArn, regionOfArn(clusterArn));
    this.beforeChange?.('deleteInstance', clusterArn);
    const list = this.instances.get(clusterArn) ?? [];
    if (!list.some((i) => i.identifier === instanceIdentifier)) return;
    this.instances.set(clusterArn, list.map((i) => (i.identifier === instanceIdentifier ? { ...i, status: 'deleting' } : i)));
    this.pending.push({ kind: 'deleteInstance', to: clusterArn, instance: instanceIdentifier, polls: this.transitionPolls });
  }

  public async deleteCluster(clusterArn: string, finalSnapshotIdentifier: string): Promise<void> {
    this.call('deleteCluster', clusterArn, regionOfArn(clusterArn));
    this.beforeChange?.('deleteCluster', clusterArn);
    if (!this.clusterStatuses.has(clusterArn)) throw awsError('DBClusterNotFoundFault', `${clusterArn} not found`);
    if (this.clusterStatuses.get(clusterArn) !== 'available') throw awsError('InvalidDBClusterStateFault', `the cluster is ${this.clusterStatuses.get(clusterArn)}`);
    if ((this.instances.get(clusterArn) ?? []).some((i) => i.status !== 'deleting')) throw awsError('InvalidDBClusterStateFault', 'the cluster still has instances');
    if (this.members.some((m) => m.clusterArn === clusterArn)) throw awsError('InvalidDBClusterStateFault', 'the cluster is a member of a global cluster');
    this.snapshots.set(finalSnapshotIdentifier, [...(this.logs.get(clusterArn) ?? [])]);
    this.clusterStatuses.set(clusterArn, 'deleting');
    this.pending.push({ kind: 'deleteCluster', to: clusterArn, polls: this.transitionPolls });
  }

  public async createSecondaryCluster(_identifier: string, spec: ClusterSpec): Promise<void> {
    const arn = arnOf(spec.region);
    this.call('createCluster', arn, spec.region);
    this.beforeChange?.('createCluster', arn);
    if (this.clusterStatuses.has(arn)) throw awsError('DBClusterAlreadyExistsFault', `${spec.clusterIdentifier} already exists`);
    if (!this.globalExists) throw awsError('GlobalClusterNotFoundFault', 'global cluster orders not found');
    this.clusterStatuses.set(arn, 'creating');
    this.instances.set(arn, []);
    this.logs.set(arn, []);
    this.members.push({ clusterArn: arn, isWriter: false, synchronizationStatus: 'pending-resync' });
    this.pending.push({ kind: 'createCluster', to: arn, polls: this.transitionPolls });
  }

  public async createInstance(spec: ClusterSpec, instance: InstanceSpec): Promise<void> {
    await this.addInstance(arnOf(spec.region), instance.identifier, instance.instanceClass);
  }

  public async lastRpoLag(clusterIdentifier: string, _lookbackMs: number): Promise<LagReading | undefined> {
    this.call('rpoLag', clusterIdentifier);
    const arn = this.regions.map(arnOf).find((a) => idOfArn(a) === clusterIdentifier);
    if (this.trackData && arn) {
      const member = this.members.find((m) => m.clusterArn === arn);
      const writer = this.writer();
      if (!member || member.isWriter || !writer) return undefined;
      return { valueMs: 1000 * (this.logs.get(writer)!.length - this.logs.get(arn)!.length), at: this.clock };
    }
    const value = this.lagMs.get(clusterIdentifier);
    return value === undefined ? undefined : { valueMs: value, at: this.lagAt.get(clusterIdentifier) ?? this.clock };
  }

  public async secretAvailable(secretName: string): Promise<boolean> {
    this.call('secret', secretName);
    return this.secretPresent;
  }

  public async runningExecutions(region: string, documentNames: readonly string[]): Promise<RunningExecution[]> {
    this.call('executions', region, region);
    return this.executions
      .filter((e) => !e.ended && e.region === region && documentNames.includes(e.documentName))
      .map(({ ended, ...e }) => ({ ...e }));
  }

  /** Registers an execution, as StartAutomationExecution does; answers it, to move its current step and end it. */
  public startExecution(region: string, documentName: string, executionId: string): FakeExecution {
    const execution: FakeExecution = { executionId, documentName, region, status: 'InProgress', startTime: this.clock, ended: false };
    this.executions.push(execution);
    return execution;
  }

  /**
   * The same operations as seen from a runbook running in `region`: calls that go to
   * that Region's services fail while it is dark.
   */
  public from(region: string): CloudOperations {
    const local = <T>(op: Operation, call: () => Promise<T>): Promise<T> => {
      if (this.dark.has(region)) {
        this.calls.push({ op, arg: region, failed: true });
        return Promise.reject(awsError('TimeoutError', `${op} in ${region}: the Region does not answer`));
      }
      return call();
    };
    return {
      routing: this.routing,
      describeGlobalCluster: (id) => local('describe', () => this.describeGlobalCluster(id)),
      switchoverGlobalCluster: (id, t) => local('switchover', () => this.switchoverGlobalCluster(id, t)),
      failoverGlobalCluster: (id, t) => local('failover', () => this.failoverGlobalCluster(id, t)),
      detachFromGlobalCluster: (id, c) => local('detach', () => this.detachFromGlobalCluster(id, c)),
      describeCluster: (c) => this.describeCluster(c),
      keyState: (k) => this.keyState(k),
      addInstance: (c, i, k) => this.addInstance(c, i, k),
      lastRpoLag: (c, l) => local('rpoLag', () => this.lastRpoLag(c, l)),
      secretAvailable: (s) => local('secret', () => this.secretAvailable(s)),
      runningExecutions: (r, d) => this.runningExecutions(r, d),
      removeFromGlobalCluster: (id, c) => this.removeFromGlobalCluster(id, c),
      deleteGlobalCluster: (id) => local('deleteGlobal', () => this.deleteGlobalCluster(id)),
      createGlobalCluster: (id, c) => this.createGlobalCluster(id, c),
      deleteInstance: (c, i) => this.deleteInstance(c, i),
      deleteCluster: (c, f) => this.deleteCluster(c, f),
      createSecondaryCluster: (id, spec) => this.createSecondaryCluster(id, spec),
      createInstance: (spec, i) => this.createInstance(spec, i),
      now: () => this.now(),
      sleep: (ms) => this.sleep(ms),
    };
  }

  private refuseWhileBusy(): void {
    if (this.failoverState) {
      throw awsError('InvalidGlobalClusterStateFault', `global cluster orders is ${this.failoverState.status}: another operation is in progress`);
    }
  }

  private begin(target: string, status: string, dataLoss: boolean): void {
    this.failoverState = { status, fromClusterArn: this.writer(), toClusterArn: target, isDataLossAllowed: dataLoss };
    this.status = status;
    this.pending.push({ kind: dataLoss ? 'failover' : 'switchover', to: target, polls: this.transitionPolls });
  }

  private complete(p: Pending): void {
    this.pending = this.pending.filter((x) => x !== p);
    this.onComplete?.(p.kind, p.to);
    if (p.kind === 'detach') {
      this.clusterStatuses.set(p.to, 'available');
      return;
    }
    if (p.kind === 'instance') {
      this.instances.set(p.to, (this.instances.get(p.to) ?? []).map((i) => (i.status === 'creating' ? { ...i, status: 'available' } : i)));
      return;
    }
    if (p.kind === 'deleteInstance') {
      this.instances.set(p.to, (this.instances.get(p.to) ?? []).filter((i) => i.identifier !== p.instance));
      return;
    }
    if (p.kind === 'deleteCluster') {
      this.clusterStatuses.delete(p.to);
      this.instances.delete(p.to);
      this.logs.delete(p.to);
      return;
    }
    if (p.kind === 'deleteGlobal') {
      this.globalExists = false;
      this.status = 'available';
      return;
    }
    if (p.kind === 'createGlobal') {
      this.status = 'available';
      return;
    }
    if (p.kind === 'createCluster') {
      if (!this.clusterStatuses.has(p.to)) return;
      this.clusterStatuses.set(p.to, 'available');
      this.members = this.members.map((m) => (m.clusterArn === p.to ? { ...m, synchronizationStatus: 'connected' } : m));
      const writer = this.writer();
      if (writer) this.logs.set(p.to, [...this.logs.get(writer)!]);
      return;
    }
    if (p.kind === 'rejoin') {
      // Not re-added when it is no longer a member (removed, or deleted by a rebuild).
      if (!this.members.some((m) => m.clusterArn === p.to)) return;
      if (this.dark.has(regionOfArn(p.to))) {
        p.polls = 1;
        this.pending.push(p);
        return;
      }
      this.members = this.members.map((m) => (m.clusterArn === p.to ? { ...m, synchronizationStatus: 'connected' } : m));
      const writer = this.writer();
      if (writer) this.logs.set(p.to, [...this.logs.get(writer)!]);
      return;
    }
    const from = this.writer();
    if (p.kind === 'switchover' && from) this.logs.set(p.to, [...this.logs.get(from)!]);
    const rejoining = p.kind === 'failover' && this.rejoinPolls > 0;
    this.members = this.members.map((m) => ({
      ...m,
      isWriter: m.clusterArn === p.to,
      synchronizationStatus: m.clusterArn === p.to ? undefined : m.clusterArn === from && rejoining ? 'pending-resync' : 'connected',
    }));
    this.failoverState = undefined;
    this.status = 'available';
    this.lagMs.set(idOfArn(p.to), undefined);
    if (from) this.lagMs.set(idOfArn(from), 500);
    if (rejoining && from) this.pending.push({ kind: 'rejoin', to: from, polls: this.rejoinPolls });
  }

  private call(op: Operation, arg: string, region?: string): void {
    const record: { op: Operation; arg: string; failed?: boolean } = { op, arg };
    this.calls.push(record);
    if (region && this.dark.has(region)) {
      record.failed = true;
      throw awsError('TimeoutError', `${op} in ${region}: the Region does not answer`);
    }
    if (++this.callCount === this.failAt) {
      record.failed = true;
      throw awsError(this.failError, `${this.failError} injected on call ${this.callCount} (${op})`);
    }
    const fault = this.faults.get(op);
    if (fault && fault.times > 0) {
      fault.times--;
      record.failed = true;
      const name = /^[A-Za-z]+/.exec(fault.error)?.[0] ?? 'Error';
      throw awsError(name, fault.error);
    }
  }
}
