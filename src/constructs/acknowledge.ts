import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges a policy-validation finding (for example a cdk-nag rule) on `construct`,
 * with the reason recorded for audit.
 *
 * cdk-nag names some findings with a suffix that contains `::`
 * (`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:...]`), which
 * `Validations.acknowledge()` rejects because it reserves `::` for a prefix. For those
 * the acknowledgement is written to the same construct metadata entry that
 * `acknowledge()` writes and that validation plugins read.
 * @internal
 */
export function acknowledgeFinding(construct: IConstruct, id: string, reason: string): void {
  if (!id.includes('::')) {
    Validations.of(construct).acknowledge({ id, reason });
    return;
  }
  const key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  const previous = construct.node.metadata.filter((m) => m.type === key).pop()?.data as Record<string, string> | undefined;
  construct.node.addMetadata(key, { ...previous, [id]: reason });
}
