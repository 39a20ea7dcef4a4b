/** Every security rule, in report order. Adding a rule is one file and one entry here. */
import { dynamodbKms } from './dynamodb-kms';
import { dynamodbPitr } from './dynamodb-pitr';
import { ec2NoOpenIngress } from './ec2-no-open-ingress';
import { iamNoWildcardActions } from './iam-no-wildcard-actions';
import { kinesisKms } from './kinesis-kms';
import { kmsRotation } from './kms-rotation';
import { lambdaEsmFailureHandling } from './lambda-esm-failure-handling';
import { lambdaLogGroup } from './lambda-log-group';
import { lambdaTracing } from './lambda-tracing';
import { logsKms } from './logs-kms';
import { logsRetention } from './logs-retention';
import type { SecurityRule } from './rule';
import { configRuleRecorder } from './config-rule-recorder';
import { physicalNameScope } from './physical-name-scope';
import { retainExceptOnCreate } from './retain-except-on-create';
import { s3BucketEncryption } from './s3-bucket-encryption';
import { s3PublicAccessBlock } from './s3-public-access-block';
import { s3TlsOnly } from './s3-tls-only';
import { s3Versioning } from './s3-versioning';
import { snsKms } from './sns-kms';
import { sqsDlqAlarm } from './sqs-dlq-alarm';
import { sqsKms } from './sqs-kms';
import { singletonCondition } from './singleton-condition';
import { statefulRetention } from './stateful-retention';
import { wafBodySize } from './waf-body-size';

export type { RuleContext, SecurityOptions, SecurityRule } from './rule';

export const SECURITY_RULES: readonly SecurityRule[] = [
  s3BucketEncryption,
  s3PublicAccessBlock,
  s3TlsOnly,
  s3Versioning,
  dynamodbKms,
  dynamodbPitr,
  kinesisKms,
  sqsKms,
  snsKms,
  logsRetention,
  logsKms,
  kmsRotation,
  iamNoWildcardActions,
  ec2NoOpenIngress,
  lambdaEsmFailureHandling,
  lambdaLogGroup,
  lambdaTracing,
  sqsDlqAlarm,
  statefulRetention,
  retainExceptOnCreate,
  singletonCondition,
  configRuleRecorder,
  physicalNameScope,
  wafBodySize,
];
