/**
 * Which resource properties point at local files, and how each becomes an S3 location: a
 * registry "resource type + property → packager" in the manner of rain's `cft/pkg`. Adding a
 * packageable property is one entry here.
 *
 * | kind       | local value                 | uploaded as                        | property becomes                   |
 * |------------|-----------------------------|------------------------------------|------------------------------------|
 * | `zip`      | `../dist/handlers/x.zip`    | `handlers/x/<sha256>.zip`          | `{S3Bucket, S3Key}` (names vary)    |
 * | `template` | `./networking.yaml`         | `templates/<sha256>.yaml` (after the child is packaged) | `https://<bucket>.s3.<region>.amazonaws.com/templates/<sha256>.yaml` |
 */
import { objectUrlBase } from '../deploy/endpoints';

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
  /** The object's HTTPS URL (region-qualified virtual-hosted style, or under the custom endpoint). */
  readonly url: string;
}

export interface Packager {
  readonly resourceType: string;
  readonly property: string;
  readonly kind: 'zip' | 'template';
  /** The new property value once the file is uploaded. */
  rewrite(location: S3Location): unknown;
}

export const PACKAGERS: readonly Packager[] = [
  { resourceType: 'AWS::Lambda::Function', property: 'Code', kind: 'zip', rewrite: (l) => ({ S3Bucket: l.bucket, S3Key: l.key }) },
  { resourceType: 'AWS::Lambda::LayerVersion', property: 'Content', kind: 'zip', rewrite: (l) => ({ S3Bucket: l.bucket, S3Key: l.key }) },
  { resourceType: 'AWS::Serverless::Function', property: 'CodeUri', kind: 'zip', rewrite: (l) => ({ Bucket: l.bucket, Key: l.key }) },
  { resourceType: 'AWS::CloudFormation::Stack', property: 'TemplateURL', kind: 'template', rewrite: (l) => l.url },
];

/** The packager for a resource's property, if any. */
export function packagerFor(resourceType: string, property: string): Packager | undefined {
  return PACKAGERS.find((p) => p.resourceType === resourceType && p.property === property);
}

/**
 * True when a property value is a local path the packager must upload (what `aws cloudformation
 * package` treats as local): a plain string that is not already an S3 or HTTP(S) location.
 */
export function isLocalPath(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && !/^(s3|https?):\/\//i.test(value);
}

/**
 * The HTTPS URL of an object. Without an endpoint: `https://<bucket>.s3.<region>.amazonaws.com/<key>`
 * (the form CloudFormation accepts for TemplateURL). With a custom S3 endpoint (moto, LocalStack):
 * path style under it, a loopback address written as `localhost` (endpoints.ts `objectUrlBase`:
 * the form the emulators resolve), e.g. `http://localhost:4566/<bucket>/<key>`.
 */
export function objectUrl(bucket: string, region: string, key: string, endpoint?: string): string {
  if (endpoint) return `${objectUrlBase(endpoint)}/${bucket}/${key}`;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://${bucket}.s3.${region}.${suffix}/${key}`;
}
