import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

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
