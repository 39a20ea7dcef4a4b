/**
 * `npm run package` and the package step of `npm run deploy`: bring templates and handlers up to
 * date, find the artifacts bucket and prove it is ours (HeadBucket with ExpectedBucketOwner),
 * package and upload, check that the packaged root template is in the bucket, and say what happened.
 */
import path from 'node:path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import { syncTemplates } from '../build-templates';
import { checkBucket, findArtifactsBucket } from './bucket';
import { ensureHandlersFresh } from './freshness';
import { packageProject, type PackageResult } from './packager';
import { objectExists } from './uploader';
import { PackageError } from '../deploy/errors';

export interface PipelineOptions {
  readonly repoRoot: string;
  /** Template to package, relative to repoRoot. @default 'generated/root.yaml' */
  readonly template?: string;
  readonly stackName: string;
  readonly region: string;
  readonly s3: S3Client;
  readonly cfn: CloudFormationClient;
  /** Artifacts bucket; looked up from the bootstrap stack when absent. */
  readonly bucket?: string;
  readonly bootstrapStack: string;
  /** The caller's account (sts:GetCallerIdentity): the bucket must belong to it. */
  readonly account: string;
  /** Custom S3 endpoint: packaged URLs are path style under it. @default AWS */
  readonly endpoint?: string;
  /** Skip rebuilding templates and handlers. @default false */
  readonly noBuild?: boolean;
  /** Parallel uploads. @default 8 */
  readonly concurrency?: number;
  readonly log: (line: string) => void;
}

export async function runPackagePipeline(o: PipelineOptions): Promise<PackageResult> {
  const templateDir = path.join(o.repoRoot, 'generated');
  if (!o.noBuild) {
    const sync = await syncTemplates(templateDir, { check: false });
    if (sync.changed.length > 0) o.log(`templates rebuilt: ${sync.changed.join(', ')}`);
    await ensureHandlersFresh({ repoRoot: o.repoRoot, templateDir, log: o.log });
  }
  const bucket = o.bucket ?? (await findArtifactsBucket(o.cfn, o.bootstrapStack, o.region));
  await checkBucket(o.s3, bucket, o.account, o.region, o.bucket !== undefined);
  const result = await packageProject(o.s3, {
    rootTemplate: path.join(o.repoRoot, o.template ?? 'generated/root.yaml'),
    baseDir: o.repoRoot,
    bucket,
    region: o.region,
    endpoint: o.endpoint,
    stackName: o.stackName,
    concurrency: o.concurrency,
    expectedOwner: o.account,
  });
  if (!(await objectExists(o.s3, bucket, result.plan.root.key, o.account))) {
    throw new PackageError(
      `s3://${bucket}/${result.plan.root.key} (the packaged root template) is not in the bucket after the upload; check the bucket's lifecycle and permissions, then retry`,
    );
  }
  o.log(
    `packaged ${result.plan.artifacts.length} artifacts into s3://${bucket}: ${result.uploaded.length} uploaded, ${result.skipped.length} unchanged; manifest ${path.relative(o.repoRoot, result.manifestPath)}, templates in ${path.relative(o.repoRoot, result.packagedDir)}/`,
  );
  return result;
}
