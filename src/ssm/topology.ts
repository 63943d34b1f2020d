/**
 * Where the constructs publish the names a runbook needs, and the shape of what they
 * publish. Every Region gets its own copy of each parameter, written by that Region's
 * stack, so a runbook running in any Region reads it locally: no cross-Region
 * reference at deploy time and no call into another (possibly impaired) Region at run
 * time.
 */

import type { ClusterSpec, RunbookTopology } from './cloud-operations';

/** The routing topology's `mode` when every Region serves (ArcRoutedApi's RoutingMode.ACTIVE_ACTIVE). */
export const ACTIVE_ACTIVE_MODE = 'active-active';

/** Prefix of every SSM parameter this library writes. */
export const PARAMETER_ROOT = '/cdk-cross-region-failover';

/**
 * Name of the SSM parameter holding the Aurora topology of the global database `name`.
 * @internal
 */
export function auroraTopologyParameterName(name: string): string {
  return `${PARAMETER_ROOT}/${name}/aurora`;
}

/**
 * Name of the SSM parameter holding the ARC routing topology of the application `name`.
 * @internal
 */
export function routingTopologyParameterName(name: string): string {
  return `${PARAMETER_ROOT}/${name}/routing`;
}

/**
 * Name of the SSM parameter, written by MultiRegionAuroraPostgres in every Region, that
 * holds how that Region's cluster was created (the rebuild runbook re-creates it).
 * @internal
 */
export function clusterSpecParameterName(name: string): string {
  return `${PARAMETER_ROOT}/${name}/aurora-cluster`;
}

/**
 * The JSON document stored in the cluster spec parameter (version 1).
 * @internal
 */
export type ClusterSpecDocument = { readonly version: 1 } & ClusterSpec;

/**
 * Parses and checks a cluster spec read from SSM.
 * @internal
 */
export function parseClusterSpec(parameterName: string, text: string): ClusterSpec {
  const doc = parseDocument<ClusterSpecDocument>(parameterName, text, 'cluster spec', 'the database stack of this Region', (d) => {
    const problems: string[] = [];
    for (const key of ['region', 'clusterIdentifier', 'engineVersion', 'subnetGroupName', 'parameterGroupName', 'kmsKeyId'] as const) {
      if (typeof d[key] !== 'string' || !d[key]) problems.push(`missing ${key}`);
    }
    if (typeof d.port !== 'number') problems.push('missing port');
    if (!Array.isArray(d.securityGroupIds)) problems.push('missing securityGroupIds');
    if (!Array.isArray(d.instances) || d.instances.some((i) => typeof i?.identifier !== 'string' || typeof i?.instanceClass !== 'string')) {
      problems.push('instances must list { identifier, instanceClass }');
    }
    return problems;
  });
  const { version, ...spec } = doc;
  return spec;
}

/**
 * Name of the SSM parameter, written by FailoverAutomation in every Region, that tells
 * operators' tools where the runbooks of the global database `name` are.
 * @internal
 */
export function runbooksParameterName(name: string): string {
  return `${PARAMETER_ROOT}/${name}/runbooks`;
}

/**
 * Name of a runbook's SSM document for the global database `name`, the same in every
 * Region: `<name>-Switchover`, `<name>-Failover`, ...
 * @internal
 */
export function runbookDocumentName(name: string, runbook: string): string {
  return `${name}-${runbook.charAt(0).toUpperCase()}${runbook.slice(1)}`;
}

/**
 * The JSON document stored in the runbooks parameter (version 1): the entry point of the
 * command-line tool.
 * @internal
 */
export interface RunbooksDirectory {
  readonly version: 1;
  /** The database's name, the prefix of the document names. */
  readonly name: string;
  /** The Regions, in the database's order (the first was the initial primary). */
  readonly regions: string[];
  /**
   * Document names, the same in every Region (`rebuild` since the rebuild runbook exists;
   * `evacuate` and `restore` with active/active routing).
   */
  readonly documents: {
    readonly switchover: string;
    readonly failover: string;
    readonly failback: string;
    readonly rebuild?: string;
    readonly evacuate?: string;
    readonly restore?: string;
  };
  /** Name of the Aurora topology parameter. */
  readonly auroraTopologyParameter: string;
  /** Name of the routing topology parameter. */
  readonly routingTopologyParameter: string;
}

/**
 * Parses and checks a runbooks directory read from SSM.
 * @internal
 */
export function parseRunbooksDirectory(parameterName: string, text: string): RunbooksDirectory {
  return parseDocument<RunbooksDirectory>(parameterName, text, 'runbooks directory', 'the FailoverAutomation stacks', (d) => {
    const problems: string[] = [];
    for (const key of ['name', 'auroraTopologyParameter', 'routingTopologyParameter'] as const) {
      if (typeof d[key] !== 'string' || !d[key]) problems.push(`missing ${key}`);
    }
    if (!Array.isArray(d.regions) || d.regions.length < 2 || d.regions.some((r) => typeof r !== 'string')) {
      problems.push('regions must list at ' +
      'least 2 Regions');
    }
    for (const key of ['switchover', 'failover', 'failback'] as const) {
      if (typeof d.documents?.[key] !== 'string' || !d.documents[key]) problems.push(`missing documents.${key}`);
    }
    return problems;
  });
}

/**
 * One Region's member of the global database, as published.
 * @internal
 */
export interface AuroraRegionTopology {
  /** AWS Region, e.g. `us-east-1`. */
  readonly region: string;
  /** `DBClusterIdentifier` of the Regional cluster. */
  readonly clusterIdentifier: string;
  /** ARN of the Regional cluster. */
  readonly clusterArn: string;
  /** Whether this Region was the primary when the stacks were first deployed. */
  readonly initialPrimary: boolean;
  /**
   * Class of the cluster's instances (`db.serverless`, `db.r6g.large`): a runbook adds
   * one of this class to a headless cluster before it becomes writer.
   */
  readonly instanceClass?: string;
}

/**
 * The JSON document stored in the Aurora topology parameter (version 1).
 * @internal
 */
export interface AuroraTopology {
  readonly version: 1;
  /** `GlobalClusterIdentifier` of the global database. */
  readonly globalClusterIdentifier: string;
  /** ARN of the global cluster (global clusters have no Region in their ARN). */
  readonly globalClusterArn: string;
  /** Name of the master credentials secret, the same in every Region. */
  readonly secretName: string;
  /** Database port. */
  readonly port: number;
  /** Members in the order they were declared; the first was the initial primary. */
  readonly regions: AuroraRegionTopology[];
}

/**
 * Parses and checks a topology document read from SSM, so that a runbook fails with a
 * message an operator can act on instead of an `undefined` deep in its logic.
 * @internal
 */
export function parseAuroraTopology(parameterName: string, text: string): AuroraTopology {
  return parseDocument<AuroraTopology>(parameterName, text, 'Aurora topology', 'the stacks', (d) => {
    const problems: string[] = [];
    if (typeof d.globalClusterIdentifier !== 'string' || !d.globalClusterIdentifier) problems.push('missing globalClusterIdentifier');
    if (typeof d.globalClusterArn !== 'string' || !d.globalClusterArn) problems.push('missing globalClusterArn');
    if (typeof d.secretName !== 'string' || !d.secretName) problems.push('missing secretName');
    if (typeof d.port !== 'number') problems.push('missing port');
    return [...problems, ...regionProblems(d.regions, ['region', 'clusterIdentifier', 'clusterArn'])];
  });
}

/**
 * Parses a version-1 JSON document read from SSM and collects every problem `check`
 * finds, so that a runbook fails with one message an operator can act on instead of an
 * `undefined` deep in its logic.
 */
function parseDocument<T extends { version: 1 }>(
  parameterName: string,
  text: string,
  kind: string,
  writer: string,
  check: (doc: Partial<T>) => string[],
): T {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`SSM parameter ${parameterName} is not JSON (${(e as Error).message}); redeploy ${writer} to rewrite it.`);
  }
  const d = (doc ?? {}) as Partial<T>;
  const problems = [
    ...(d.version !== 1 ? [`unsupported version ${JSON.stringify(d.version)} (expected 1)`] : []),
    ...check(d),
  ];
  if (problems.length > 0) {
    const fix = `Redeploy ${writer} to rewrite it.`;
    throw new Error(`SSM parameter ${parameterName} does not hold a valid ${kind}: ${problems.join('; ')}. ${fix}`);
  }
  return d as T;
}

/** Problems of a `regions` list: fewer than 2 members, or a member missing a string field. */
function regionProblems(regions: unknown, keys: string[]): string[] {
  if (!Array.isArray(regions) || regions.length < 2) return ['regions must list at least 2 members'];
  return regions.flatMap((r: Record<string, unknown> | undefined, i) =>
    keys.filter((key) => typeof r?.[key] !== 'string' || !r[key]).map((key) => `regions[${i}].${key} missing`));
}

/**
 * One Region's routing, as published by ArcRoutedApi.
 * @internal
 */
export interface RoutingRegionTopology {
  readonly region: string;
  readonly routingControlArn: string;
  readonly healthCheckId: string;
  readonly initiallyActive: boolean;
}

/**
 * The JSON document stored in the routing parameter (version 1).
 * @internal
 */
export interface RoutingTopology {
  readonly version: 1;
  readonly name: string;
  readonly domainName: string;
  readonly clusterArn: string;
  readonly controlPanelArn: string;
  readonly clusterEndpoints: { Endpoint: string; Region: string }[];
  /** `active-active` when every Region serves (ArcRoutedApi's RoutingMode.ACTIVE_ACTIVE); absent for one Region at a time. */
  readonly mode?: string;
  readonly regions: RoutingRegionTopology[];
}

/**
 * Parses and checks a routing document read from SSM.
 * @internal
 */
export function parseRoutingTopology(parameterName: string, text: string): RoutingTopology {
  return parseDocument<RoutingTopology>(parameterName, text, 'routing topology', 'the routing stack', (d) => {
    const problems: string[] = [];
    for (const key of ['name', 'domainName', 'clusterArn', 'controlPanelArn'] as const) {
      if (typeof d[key] !== 'string' || !d[key]) problems.push(`missing ${key}`);
    }
    if (!Array.isArray(d.clusterEndpoints) || d.clusterEndpoints.length === 0 ||
      d.clusterEndpoints.some((e) => typeof e?.Endpoint !== 'string' || typeof e?.Region !== 'string')) {
      problems.push('clusterEndpoints must list { Endpoint, Region } strings');
    }
    return [...problems, ...regionProblems(d.regions, ['region', 'routingControlArn'])];
  });
}

/**
 * What a runbook acts on: each Region's cluster (from the Aurora topology) paired with
 * its routing control (from the routing topology). Both documents must name the same
 * Regions; a Region in one and not the other is refused, naming it.
 * @internal
 */
export function runbookTopology(aurora: AuroraTopology, routing: RoutingTopology, localClusterSpec?: ClusterSpec): RunbookTopology {
  const auroraRegions = aurora.regions.map((r) => r.region);
  const routingRegions = routing.regions.map((r) => r.region);
  const onlyAurora = auroraRegions.filter((r) => !routingRegions.includes(r));
  const onlyRouting = routingRegions.filter((r) => !auroraRegions.includes(r));
  if (routing.mode !== undefined && routing.mode !== ACTIVE_ACTIVE_MODE) {
    throw new Error(
      `the routing of ${routing.name} is in mode '${routing.mode}', which these runbooks do not know (they know '${ACTIVE_ACTIVE_MODE}' ` +
        'and one Region at a time): nothing was changed; deploy FailoverAutomation from the same release as ArcRoutedApi.',
    );
  }
  if (onlyAurora.length > 0 || onlyRouting.length > 0) {
    throw new Error(
      'the database and the routing do not cover the same Regions' +
        (onlyAurora.length > 0 ? `; only the database has ${onlyAurora.join(', ')}` : '') +
        (onlyRouting.length > 0 ? `; only the routing has ${onlyRouting.join(', ')}` : '') +
        ': give MultiRegionAuroraPostgres and ArcRoutedApi the same Regions.',
    );
  }
  return {
    globalClusterIdentifier: aurora.globalClusterIdentifier,
    secretName: aurora.secretName,
    clusterEndpoints: routing.clusterEndpoints.map((e) => ({ endpoint: e.Endpoint, region: e.Region })),
    regions: aurora.regions.map((r) => ({
      region: r.region,
      clusterIdentifier: r.clusterIdentifier,
      clusterArn: r.clusterArn,
      routingControlArn: routing.regions.find((x) => x.region === r.region)!.routingControlArn,
      ...(r.instanceClass ? { instanceClass: r.instanceClass } : {}),
    })),
    ...(localClusterSpec ? { localClusterSpec } : {}),
    ...(routing.mode === ACTIVE_ACTIVE_MODE ? { activeActive: true } : {}),
  };
}
