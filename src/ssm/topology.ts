/**
 * Where the constructs publish the names a runbook needs, and the shape of what they
 * publish. Every Region gets its own copy of each parameter, written by that Region's
 * stack, so a runbook running in any Region reads it locally: no cross-Region
 * reference at deploy time and no call into another (possibly impaired) Region at run
 * time.
 */

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
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`SSM parameter ${parameterName} is not JSON (${(e as Error).message}); redeploy the stacks to rewrite it.`);
  }
  const d = doc as Partial<AuroraTopology>;
  const problems: string[] = [];
  if (d?.version !== 1) problems.push(`unsupported version ${JSON.stringify(d?.version)} (expected 1)`);
  if (typeof d?.globalClusterIdentifier !== 'string' || !d.globalClusterIdentifier) problems.push('missing globalClusterIdentifier');
  if (typeof d?.globalClusterArn !== 'string' || !d.globalClusterArn) problems.push('missing globalClusterArn');
  if (typeof d?.secretName !== 'string' || !d.secretName) problems.push('missing secretName');
  if (typeof d?.port !== 'number') problems.push('missing port');
  if (!Array.isArray(d?.regions) || d.regions.length < 2) {
    problems.push('regions must list at least 2 members');
  } else {
    d.regions.forEach((r, i) => {
      for (const key of ['region', 'clusterIdentifier', 'clusterArn'] as const) {
        if (typeof r?.[key] !== 'string' || !r[key]) problems.push(`regions[${i}].${key} missing`);
      }
    });
  }
  if (problems.length > 0) {
    throw new Error(`SSM parameter ${parameterName} does not hold a valid Aurora topology: ${problems.join('; ')}. Redeploy the stacks to rewrite it.`);
  }
  return d as AuroraTopology;
}
