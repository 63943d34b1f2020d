import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

/**
 * A cross-prop rule: when `condition` holds, synthesis is refused with `message`.
 * @internal
 */
export interface ValidationRule {
  readonly condition: boolean;
  readonly message: string;
}

/**
 * Throws one error listing every rule whose condition holds, so a user fixes all of
 * their mistakes in one pass instead of one per synth.
 * @internal
 */
export function throwIfInvalid(construct: IConstruct, constructName: string, rules: ValidationRule[]): void {
  const failed = rules.filter((r) => r.condition).map((r) => r.message);
  if (failed.length === 1) {
    throw new Error(`${subject(construct, constructName)}: ${failed[0]}`);
  }
  if (failed.length > 1) {
    throw new Error(`${subject(construct, constructName)}: ${failed.length} problems:\n- ${failed.join('\n- ')}`);
  }
}

/**
 * How an error names the construct it is about: its class and construct path
 * (`MultiRegionAuroraPostgres 'Database'`), so an app with several can tell which.
 * @internal
 */
export function subject(construct: IConstruct, constructName: string): string {
  return `${constructName} '${construct.node.path}'`;
}

/**
 * Checks the Regional stacks handed to a multi-Region construct: at least two, each
 * with a concrete Region, no Region twice, at most `maxRegions`, all in one account
 * where the accounts are known. Returns the Regions in order.
 * @internal
 */
export function validateRegionalStacks(
  construct: IConstruct,
  constructName: string,
  propName: string,
  stacks: Stack[],
  maxRegions: number,
): string[] {
  const who = subject(construct, constructName);
  if (stacks.length < 2) {
    throw new Error(
      `${who}: '${propName}' needs at least 2 Regions, got ${stacks.length}: ` +
        'add a Stack for a secondary Region (the first entry is the initial primary).',
    );
  }
  if (stacks.length > maxRegions) {
    throw new Error(
      `${who}: '${propName}' lists ${stacks.length} Regions, but at most ${maxRegions} are supported ` +
        `(1 primary and ${maxRegions - 1} secondaries): remove ${stacks.length - maxRegions} of them.`,
    );
  }
  const regions: string[] = [];
  stacks.forEach((stack, i) => {
    if (Token.isUnresolved(stack.region)) {
      throw new Error(
        `${who}: '${propName}[${i}]' is stack '${stack.node.path}', which has no concrete Region: ` +
          "create it with `env: { region: 'us-east-1' }` (or the Region you want).",
      );
    }
    const unknown = unknownRegion(construct, stack.region);
    if (unknown) throw new Error(`${who}: '${propName}[${i}]' is stack '${stack.node.path}', ${unknown}`);
    const first = regions.indexOf(stack.region);
    if (first !== -1) {
      throw new Error(
        `${who}: Region '${stack.region}' is listed twice in '${propName}' (entries ${first} and ${i}): ` +
          'each Region must appear once; pass one Stack per Region.',
      );
    }
    regions.push(stack.region);
  });
  const partitions = [...new Set(regions.map((r) => RegionInfo.get(r).partition).filter((p): p is string => p !== undefined))];
  if (partitions.length > 1) {
    throw new Error(
      `${who}: the Regions in '${propName}' are in different partitions (${partitions.join(', ')}: ` +
        `${regions.map((r) => `${r} ${RegionInfo.get(r).partition ?? '?'}`).join(', ')}): ` +
        'a global database, its runbooks and its routing stay inside one partition; use Regions of one.',
    );
  }
  const accounts = new Set(stacks.map((s) => s.account).filter((a) => !Token.isUnresolved(a)));
  if (accounts.size > 1) {
    throw new Error(
      `${who}: the stacks in '${propName}' target different accounts (${[...accounts].join(', ')}): ` +
        'every Region of this construct must be in the same AWS account.',
    );
  }
  return regions;
}

/**
 * Context key listing Regions newer than the installed aws-cdk-lib, which the Region
 * check then accepts: `"cdk-cross-region-failover:additionalRegions": ["xx-new-1"]` in
 * cdk.json, or `-c cdk-cross-region-failover:additionalRegions=xx-new-1,yy-new-2`.
 */
export const ADDITIONAL_REGIONS_CONTEXT = 'cdk-cross-region-failover:additionalRegions';

/**
 * Why `region` is not a Region this app can use, or undefined when it is: it must be
 * one aws-cdk-lib's Region facts list (`RegionInfo.regions`) or one the
 * {@link ADDITIONAL_REGIONS_CONTEXT} context lists. The reason starts in lower case,
 * to follow "stack 'X', ".
 * @internal
 */
export function unknownRegion(scope: IConstruct, region: string): string | undefined {
  const known = RegionInfo.regions.map((r) => r.name);
  if (known.includes(region) || additionalRegions(scope).includes(region)) return undefined;
  const nearest = known
    .map((name) => ({ name, distance: editDistance(region, name) }))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))[0];
  const guess = nearest.distance <= 3 ? `did you mean '${nearest.name}'? ` : '';
  return `whose Region '${region}' is not one aws-cdk-lib knows: ${guess}` +
    `For a Region newer than the installed aws-cdk-lib, upgrade aws-cdk-lib or list it in the context key ${ADDITIONAL_REGIONS_CONTEXT} ` +
    `(cdk.json: "context": { "${ADDITIONAL_REGIONS_CONTEXT}": ["${region}"] }).`;
}

function additionalRegions(scope: IConstruct): string[] {
  const value: unknown = scope.node.tryGetContext(ADDITIONAL_REGIONS_CONTEXT);
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map(String);
  return String(value).split(',').map((r) => r.trim()).filter((r) => r.length > 0);
}

/** Levenshtein distance: the fewest one-character edits from `a` to `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Whether `value` is a whole number in [min, max]; tokens pass (checked at deploy time).
 * @internal
 */
export function isIntegerInRange(value: number, min: number, max: number): boolean {
  return Token.isUnresolved(value) || (Number.isInteger(value) && value >= min && value <= max);
}

/**
 * Adds warning `id` to each construct of `scopes`, one in each stack the warning is
 * about, so `cdk synth` prints it wherever the library's construct is placed: a warning
 * on a construct at App scope belongs to no stack and never reaches the cloud assembly.
 * @internal
 */
export function warnInStacks(scopes: IConstruct[], id: string, message: string): void {
  for (const scope of new Set(scopes)) Annotations.of(scope).addWarningV2(id, message);
}
