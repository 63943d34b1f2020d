import { Stack, Validations } from 'aws-cdk-lib';
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

/** Construct id of the Lambda function aws-cdk-lib shares between the AwsCustomResources of a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * Acknowledges, on aws-cdk-lib's shared AwsCustomResource function, the findings that
 * come from how aws-cdk-lib builds it rather than from this library's choices.
 * @internal
 */
export function acknowledgeAwsCustomResourceProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
  if (!provider) return;
  acknowledgeFinding(
    provider,
    'AwsSolutions-L1',
    'aws-cdk-lib picks and maintains the runtime of its AwsCustomResource provider; it moves with aws-cdk-lib upgrades.',
  );
  const role = provider.node.tryFindChild('ServiceRole');
  if (role) {
    acknowledgeFinding(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "AWSLambdaBasicExecutionRole only lets aws-cdk-lib's AwsCustomResource provider write its own logs.",
    );
  }
}
