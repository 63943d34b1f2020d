/**
 * Compares two synthesized apps by the CloudFormation resource types of each stack, for
 * `bench.ts` (the hand-written baseline must make what the library's example makes).
 */

/** The number of resources of each type in a CloudFormation template. */
export function resourceTypeCounts(template: object): Map<string, number> {
  const counts = new Map<string, number>();
  const resources = (template as { Resources?: Record<string, { Type?: string }> }).Resources ?? {};
  for (const resource of Object.values(resources)) {
    const type = resource.Type ?? '(no Type)';
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

/**
 * The differences in per-stack resource type counts between two apps, each a map of stack
 * name to template JSON, one line per stack present in one app only and per resource type
 * whose count differs; empty when the counts are the same.
 */
export function resourceDifferences(a: Record<string, object>, b: Record<string, object>): string[] {
  const differences: string[] = [];
  const stacks = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const stack of stacks) {
    if (!(stack in b)) {
      differences.push(`${stack}: only in the first app (${total(a[stack])} resources)`);
      continue;
    }
    if (!(stack in a)) {
      differences.push(`${stack}: only in the second app (${total(b[stack])} resources)`);
      continue;
    }
    const countsA = resourceTypeCounts(a[stack]);
    const countsB = resourceTypeCounts(b[stack]);
    const types = [...new Set([...countsA.keys(), ...countsB.keys()])].sort();
    for (const type of types) {
      const inA = countsA.get(type) ?? 0;
      const inB = countsB.get(type) ?? 0;
      if (inA !== inB) differences.push(`${stack}: ${type}: ${inA} in the first app, ${inB} in the second`);
    }
  }
  return differences;
}

function total(template: object): number {
  return [...resourceTypeCounts(template).values()].reduce((sum, n) => sum + n, 0);
}
