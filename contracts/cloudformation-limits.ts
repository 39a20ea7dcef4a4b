/**
 * CloudFormation's quotas, each with the documentation it comes from. The one copy: validation
 * (tools/lib/validate/limits.ts), packaging (tools/lib/package/limits.ts) and the parameter-file
 * checks (tools/lib/params.ts) all read these.
 *
 * Template body via S3 is 1,000,000 bytes, not 1,048,576: the quotas page says only "1 MB", but
 * CloudFormation's own error for a larger template is "Template may not exceed 1000000 bytes in
 * size.", and cfn-lint (maintained by AWS) checks `template.body: 1000000` (cfnlint/helpers.py
 * LIMITS). Reading "1 MB" as 1 MiB would accept 48,576 bytes of templates that AWS refuses.
 */

/** docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html */
export const QUOTAS_PAGE = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html';
/** The Tag data type of the CloudFormation API (stack tags). */
export const TAG_PAGE = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Tag.html';
/** CreateStack's request parameters (StackName, Tags). */
export const CREATE_STACK_PAGE = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html';

export interface Limit {
  readonly value: number;
  readonly unit: 'bytes' | 'characters' | 'count';
  /** Where the number is documented. */
  readonly source: string;
}

const limit = (value: number, unit: Limit['unit'], source: string): Limit => ({ value, unit, source });

export const CFN_LIMITS = {
  /** Template body passed inline (TemplateBody of CreateStack, UpdateStack, CreateChangeSet, ValidateTemplate). */
  templateBodyInlineBytes: limit(51_200, 'bytes', QUOTAS_PAGE),
  /** Template body passed as an S3 object (TemplateURL): "1 MB", enforced as 1,000,000 (see above). */
  templateBodyS3Bytes: limit(1_000_000, 'bytes', QUOTAS_PAGE),
  /** Resources declared in one template. */
  resources: limit(500, 'count', QUOTAS_PAGE),
  /** Parameters declared in one template. */
  parameters: limit(200, 'count', QUOTAS_PAGE),
  /** Outputs declared in one template. */
  outputs: limit(200, 'count', QUOTAS_PAGE),
  /** Mappings declared in one template. */
  mappings: limit(200, 'count', QUOTAS_PAGE),
  /** Attributes of one mapping. */
  mappingAttributes: limit(200, 'count', QUOTAS_PAGE),
  /** Logical ID of a resource, and the name of a parameter, output or mapping. */
  logicalIdCharacters: limit(255, 'characters', QUOTAS_PAGE),
  /** One parameter value (String, CommaDelimitedList, …) in a stack operation. */
  parameterValueBytes: limit(4_096, 'bytes', QUOTAS_PAGE),
  /** The template's Description. */
  templateDescriptionBytes: limit(1_024, 'bytes', QUOTAS_PAGE),
  /** A stack name. */
  stackNameCharacters: limit(128, 'characters', QUOTAS_PAGE),
  /** Tags on one stack. */
  stackTags: limit(50, 'count', CREATE_STACK_PAGE),
  /** A tag key. */
  tagKeyCharacters: limit(128, 'characters', TAG_PAGE),
  /** A tag value. */
  tagValueCharacters: limit(256, 'characters', TAG_PAGE),
} as const satisfies Record<string, Limit>;

export type CfnLimitName = keyof typeof CFN_LIMITS;
