import { ClusterEndpoint, RoutingControlState, RoutingControlStateEntry, RoutingDataPlane } from '../../src/arc/routing-states';

/**
 * An in-memory ARC data plane: one shared state table behind several endpoints, any of
 * which can be made to fail. Records every call, so tests can prove what was (and what
 * was not) changed.
 */
export class FakeDataPlane implements RoutingDataPlane {
  public readonly states = new Map<string, RoutingControlState>();
  public readonly calls: { endpoint: string; action: 'update' | 'get'; entries?: RoutingControlStateEntry[] }[] = [];
  private readonly failing = new Set<string>();

  constructor(arns: string[] = [], private readonly assertionAtLeast = 1) {
    // New routing controls start Off.
    for (const arn of arns) this.states.set(arn, 'Off');
  }

  /** Makes calls to these endpoints fail (by region name). */
  public failOn(...regions: string[]): this {
    regions.forEach((r) => this.failing.add(r));
    return this;
  }

  /** Makes calls to these endpoints answer again. */
  public recover(...regions: string[]): this {
    regions.forEach((r) => this.failing.delete(r));
    return this;
  }

  public async updateRoutingControlStates(endpoint: ClusterEndpoint, entries: RoutingControlStateEntry[]): Promise<void> {
    this.calls.push({ endpoint: endpoint.region, action: 'update', entries });
    this.maybeFail(endpoint);
    const next = new Map(this.states);
    for (const e of entries) {
      if (!next.has(e.routingControlArn)) {
        const err = new Error(`routing control ${e.routingControlArn} not found`);
        err.name = 'ResourceNotFoundException';
        throw err;
      }
      next.set(e.routingControlArn, e.state);
    }
    // The assertion safety rule: at least N controls On, evaluated on the whole transaction.
    const on = [...next.values()].filter((s) => s === 'On').length;
    if (on < this.assertionAtLeast) {
      const err = new Error(`safety rule violated: ${on} of ${next.size} controls On, at least ${this.assertionAtLeast} required`);
      err.name = 'ConflictException';
      throw err;
    }
    next.forEach((v, k) => this.states.set(k, v));
  }

  public async getRoutingControlState(endpoint: ClusterEndpoint, routingControlArn: string): Promise<RoutingControlState> {
    this.calls.push({ endpoint: endpoint.region, action: 'get' });
    this.maybeFail(endpoint);
    const state = this.states.get(routingControlArn);
    if (!state) throw new Error(`routing control ${routingControlArn} not found`);
    return state;
  }

  private maybeFail(endpoint: ClusterEndpoint): void {
    if (this.failing.has(endpoint.region)) {
      const err = new Error(`connect ETIMEDOUT ${endpoint.endpoint}`);
      err.name = 'TimeoutError';
      throw err;
    }
  }
}

/** The five Regional endpoints an ARC cluster has. */
export const ENDPOINTS: ClusterEndpoint[] = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2'].map((region) => ({
  region,
  endpoint: `https://host-abc123.route53-recovery-cluster.${region}.amazonaws.com/v1`,
}));
