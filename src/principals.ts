/**
 * An IAM user or role ARN, or an STS assumed-role ARN: who may approve a runbook.
 * @internal
 */
export const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam::\d{12}:(user|role)\/.+|sts::\d{12}:assumed-role\/.+)$/;
