import { Stack, Token } from 'aws-cdk-lib';

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
export function throwIfInvalid(constructName: string, rules: ValidationRule[]): void {
  const failed = rules.filter((r) => r.condition).map((r) => r.message);
  if (failed.length === 1) {
    throw new Error(`${constructName}: ${failed[0]}`);
  }
  if (failed.length > 1) {
    throw new Error(`${constructName}: ${failed.length} problems:\n- ${failed.join('\n- ')}`);
  }
}

/**
 * Checks the Regional stacks handed to a multi-Region construct: at least two, each
 * with a concrete Region, no Region twice, at most `maxRegions`, all in one account
 * where the accounts are known. Returns the Regions in order.
 * @internal
 */
export function validateRegionalStacks(
  constructName: string,
  propName: string,
  stacks: Stack[],
  maxRegions: number,
): string[] {
  if (stacks.length < 2) {
    throw new Error(
      `${constructName}: '${propName}' needs at least 2 Regions, got ${stacks.length}: ` +
        'add a Stack for a secondary Region (the first entry is the initial primary).',
    );
  }
  if (stacks.length > maxRegions) {
    throw new Error(
      `${constructName}: '${propName}' lists ${stacks.length} Regions, but at most ${maxRegions} are supported ` +
        `(1 primary and ${maxRegions - 1} secondaries): remove ${stacks.length - maxRegions} of them.`,
    );
  }
  const regions: string[] = [];
  stacks.forEach((stack, i) => {
    if (Token.isUnresolved(stack.region)) {
      throw new Error(
        `${constructName}: '${propName}[${i}]' is stack '${stack.node.path}', which has no concrete Region: ` +
          "create it with `env: { region: 'us-east-1' }` (or the Region you want).",
      );
    }
    const first = regions.indexOf(stack.region);
    if (first !== -1) {
      throw new Error(
        `${constructName}: Region '${stack.region}' is listed twice in '${propName}' (entries ${first} and ${i}): ` +
          'each Region must appear once; pass one Stack per Region.',
      );
    }
    regions.push(stack.region);
  });
  const accounts = new Set(stacks.map((s) => s.account).filter((a) => !Token.isUnresolved(a)));
  if (accounts.size > 1) {
    throw new Error(
      `${constructName}: the stacks in '${propName}' target different accounts (${[...accounts].join(', ')}): ` +
        'every Region of this construct must be in the same AWS account.',
    );
  }
  return regions;
}

/**
 * Whether `value` is a whole number in [min, max]; tokens pass (checked at deploy time).
 * @internal
 */
export function isIntegerInRange(value: number, min: number, max: number): boolean {
  return Token.isUnresolved(value) || (Number.isInteger(value) && value >= min && value <= max);
}
