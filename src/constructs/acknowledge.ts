import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';

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

/**
 * The compliance packs of cdk-nag the library is kept clean against, besides
 * AwsSolutions: their rule ids are `<pack>-<rule>` (`NIST.800.53.R5-LambdaDLQ`).
 * @internal
 */
export const COMPLIANCE_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless'] as const;

/**
 * Acknowledges rule `rule` on `construct` in each of `packs` (an acknowledgement holds
 * for one pack's rule id only), with the same reason.
 * @internal
 */
export function acknowledgeInPacks(
  construct: IConstruct, rule: string, reason: string, packs: readonly string[] = COMPLIANCE_PACKS,
): void {
  for (const pack of packs) acknowledgeFinding(construct, `${pack}-${rule}`, reason);
}

/**
 * The findings every Lambda function the library runs its own code in shares, and why
 * they are deliberate. `invokedSynchronously`: its callers wait for the answer (SSM
 * steps, CloudFormation), so a dead-letter queue would never receive anything.
 * @internal
 */
export function acknowledgeLibraryFunction(fn: IConstruct, invokedSynchronously: boolean, alsoScheduled?: string): void {
  acknowledgeInPacks(fn, 'LambdaInsideVPC',
    'It calls AWS APIs in several Regions and the ARC cluster\'s data plane, all public endpoints; in a VPC it would need NAT or ' +
      'interface endpoints in every Region, and an impaired Region\'s network would stop it.', ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']);
  acknowledgeInPacks(fn, 'LambdaConcurrency',
    'Reserving concurrency fails the deployment in accounts whose concurrency quota is at its minimum; the function runs a few ' +
      'invocations per run or deployment, never in bulk.', ['NIST.800.53.R5', 'HIPAA.Security']);
  if (invokedSynchronously) {
    acknowledgeInPacks(fn, 'LambdaDLQ',
      'Invoked synchronously (RequestResponse): the caller receives every error and records it; nothing would reach a dead-letter queue.' +
        (alsoScheduled ? ` ${alsoScheduled}` : ''),
      ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless']);
  }
}

/**
 * The inline (`AWS::IAM::Policy`) policy of a role the library creates: least-privilege
 * statements on named resources, attached to the one role that needs them.
 * @internal
 */
export function acknowledgeInlinePolicy(policyOrRole: IConstruct): void {
  acknowledgeInPacks(policyOrRole, 'IAMNoInlinePolicy',
    'Least-privilege statements on named resources for this one role, created and deleted with it; a managed policy could be attached ' +
      'to other principals.', ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']);
}

/**
 * An AwsCustomResource of the library: its policy (an inline `AWS::IAM::Policy` on the
 * shared provider's role) acknowledged as least privilege.
 * @internal
 */
export function libraryCustomResource(scope: Construct, id: string, props: cr.AwsCustomResourceProps): cr.AwsCustomResource {
  const resource = new cr.AwsCustomResource(scope, id, props);
  acknowledgeInlinePolicy(resource);
  return resource;
}

/**
 * An ARN as cdk-nag writes it in a finding id for a policy of `stack`: the partition as
 * `<AWS::Partition>`, the account literal when the stack has one (an app with
 * `env: { account }`), `<AWS::AccountId>` when it does not.
 * @internal
 */
export function findingArn(stack: Stack, service: string, region: string, resource: string): string {
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `arn:<AWS::Partition>:${service}:${region}:${account}:${resource}`;
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
  acknowledgeLibraryFunction(provider, true);
  const reason = 'aws-cdk-lib builds and maintains its AwsCustomResource provider (runtime, memory, tracing); it runs at deployment only.';
  acknowledgeInPacks(provider, 'LambdaLatestVersion', reason, ['Serverless']);
  acknowledgeInPacks(provider, 'LambdaDefaultMemorySize', reason, ['Serverless']);
  acknowledgeInPacks(provider, 'LambdaTracing', reason, ['Serverless']);
  const role = provider.node.tryFindChild('ServiceRole');
  if (role) {
    acknowledgeFinding(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "AWSLambdaBasicExecutionRole only lets aws-cdk-lib's AwsCustomResource provider write its own logs.",
    );
  }
}
