import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, NagPack, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** The cdk-nag packs the library is kept clean against, by name. */
export const PACKS: Record<string, () => NagPack> = {
  'AwsSolutions': () => new AwsSolutionsChecks(),
  'NIST.800.53.R5': () => new NIST80053R5Checks(),
  'HIPAA.Security': () => new HIPAASecurityChecks(),
  'PCI.DSS.321': () => new PCIDSS321Checks(),
  'Serverless': () => new ServerlessChecks(),
};

/** One unacknowledged finding: the rule (with its finding id) and the construct path. */
export interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly description: string;
}

/** Runs each of `packs` over `scope`; every unacknowledged finding, warnings included. */
export function packFindings(scope: IConstruct, packs: string[] = Object.keys(PACKS)): Finding[] {
  return packs.flatMap((name) => {
    const report = PACKS[name]().validateScope(scope);
    return report.violations.flatMap((v) => v.violatingResources.map((r) => ({
      rule: v.ruleName,
      path: (r as { constructPath?: string }).constructPath ?? r.resourceLogicalId ?? '',
      description: v.description,
    })));
  });
}

/**
 * Runs the cdk-nag AwsSolutions pack over `scope` (an App or a Stack) and returns one
 * line per unacknowledged finding: `<rule> <construct path>: <description>`.
 * Acknowledgements made with `Validations.of(construct).acknowledge(...)` are honoured.
 */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} ${(r as { constructPath?: string }).constructPath ?? r.resourceLogicalId}: ${v.description}`),
  );
}
