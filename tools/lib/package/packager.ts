/**
 * The packager: rewrites the generated templates bottom-up into content-addressed S3 locations.
 *
 * 1. Starting at root, each template is parsed; every property the registry knows (`Code`,
 *    `TemplateURL` …) that holds a local path is resolved relative to the template's directory,
 *    exactly as `aws cloudformation package` does (`../dist/handlers/x.zip` from generated/ is
 *    dist/handlers/x.zip; `./networking.yaml` is a sibling).
 * 2. Children are packaged first; a zip's key is `handlers/<name>/<sha256>.zip`, a template's is
 *    `templates/<sha256 of the rewritten text>.yaml`. An unchanged child therefore keeps its URL
 *    and its nested stack shows no change.
 * 3. Every rewritten template is checked against CloudFormation's limits before anything is
 *    uploaded; all problems are reported at once.
 * 4. Uploads HEAD first and skip existing keys (ExpectedBucketOwner on each request); the manifest
 *    lists artifact → sha256 → key → stacks, and the rewritten templates go to
 *    `.deploy/packaged/<stack>/<region>/`, so stacks and regions never share a directory.
 *
 * `planPackage` does steps 1–3 without touching S3; `packageProject` adds 4.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { emitTemplate, parseTemplate } from '../../../templates-src/lib/yaml';
import { PackageError } from '../deploy/errors';
import { checkLimits, LIMITS, type Limits } from './limits';
import { isLocalPath, objectUrl, packagerFor, type S3Location } from './registry';
import { uploadAll, type UploadResult } from './uploader';

export interface PackageTarget {
  readonly bucket: string;
  readonly region: string;
  /** Custom S3 endpoint (LocalStack); changes the URL form to path style. @default AWS */
  readonly endpoint?: string;
}

export interface PlanOptions extends PackageTarget {
  /** The root template's path. */
  readonly rootTemplate: string;
  /** Paths in the manifest and messages are relative to this directory. @default process.cwd() */
  readonly baseDir?: string;
  /** Limits to check. @default LIMITS */
  readonly limits?: Limits;
}

export interface Artifact {
  readonly kind: 'zip' | 'template';
  /** Path relative to baseDir, with `/` separators. */
  readonly artifact: string;
  readonly sha256: string;
  readonly key: string;
  readonly url: string;
  /** Templates (relative paths) whose resources reference this artifact; empty for root. */
  readonly stacks: string[];
  readonly body: Buffer;
}

export interface PackagePlan {
  readonly target: PackageTarget;
  /** The packaged root template. */
  readonly root: Artifact;
  /** Every artifact including root and every template, sorted by path. */
  readonly artifacts: Artifact[];
  /** Rewritten template text by relative source path. */
  readonly packaged: ReadonlyMap<string, string>;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const posix = (p: string): string => p.split(path.sep).join('/');

/** Resolves a local property value the way `aws cloudformation package` does: relative to the template's directory. */
export function resolveLocalPath(templatePath: string, value: string): string {
  return path.resolve(path.dirname(templatePath), value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export async function planPackage(options: PlanOptions): Promise<PackagePlan> {
  const baseDir = options.baseDir ?? process.cwd();
  const rel = (p: string): string => posix(path.relative(baseDir, p));
  const byPath = new Map<string, Artifact>();
  const packaged = new Map<string, string>();
  const problems: string[] = [];
  const inProgress = new Set<string>();
  const location = (key: string): S3Location => ({ bucket: options.bucket, key, url: objectUrl(options.bucket, options.region, key, options.endpoint) });

  function use(artifact: Artifact, by: string): void {
    if (!artifact.stacks.includes(by)) artifact.stacks.push(by);
  }

  async function zip(file: string): Promise<Artifact | undefined> {
    const known = byPath.get(file);
    if (known) return known;
    const body = await readFile(file).catch(() => undefined);
    if (!body) return undefined;
    const hash = sha256(body);
    const key = `handlers/${path.basename(file, '.zip')}/${hash}.zip`;
    const artifact: Artifact = { kind: 'zip', artifact: rel(file), sha256: hash, key, url: location(key).url, stacks: [], body };
    byPath.set(file, artifact);
    return artifact;
  }

  async function template(file: string): Promise<Artifact | undefined> {
    const known = byPath.get(file);
    if (known) return known;
    const name = rel(file);
    if (inProgress.has(file)) {
      problems.push(`${name}: nested stacks form a cycle back to this template; a stack cannot contain itself`);
      return undefined;
    }
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    inProgress.add(file);
    let doc: Record<string, unknown>;
    try {
      doc = parseTemplate(text, name);
    } catch (error) {
      problems.push((error as Error).message.split('\n')[0]!);
      inProgress.delete(file);
      return undefined;
    }
    const resources = isRecord(doc.Resources) ? doc.Resources : {};
    // Logical IDs in sorted order so the same input always packages the same way.
    for (const id of Object.keys(resources).sort()) {
      const resource = resources[id];
      if (!isRecord(resource) || typeof resource.Type !== 'string' || !isRecord(resource.Properties)) continue;
      for (const [property, value] of Object.entries(resource.Properties)) {
        const packager = packagerFor(resource.Type, property);
        if (!packager || !isLocalPath(value)) continue;
        const target = resolveLocalPath(file, value);
        const child = packager.kind === 'zip' ? await zip(target) : await template(target);
        if (!child) {
          if (!problems.some((p) => p.startsWith(`${rel(target)}:`))) {
            const fix = packager.kind === 'zip' ? 'run npm run build:handlers' : 'run npm run build:templates';
            problems.push(`${name}: Resources.${id}.Properties.${property} points at ${value} (${rel(target)}), which does not exist; ${fix}`);
          }
          continue;
        }
        use(child, name);
        resource.Properties[property] = packager.rewrite(location(child.key));
      }
    }
    inProgress.delete(file);
    const out = emitTemplate(doc, { header: [`${name} packaged by \`npm run package\`: local paths replaced by content-addressed S3 locations.`] });
    problems.push(...checkLimits(name, out, doc, options.limits ?? LIMITS));
    const hash = sha256(out);
    const key = `templates/${hash}.yaml`;
    const artifact: Artifact = { kind: 'template', artifact: name, sha256: hash, key, url: location(key).url, stacks: [], body: Buffer.from(out) };
    byPath.set(file, artifact);
    packaged.set(name, out);
    return artifact;
  }

  const rootPath = path.resolve(options.rootTemplate);
  const root = await template(rootPath);
  if (!root && problems.length === 0) problems.push(`${rel(rootPath)}: no such template; run npm run build:templates`);
  if (problems.length > 0 || !root) throw new PackageError(problems.join('\n'));
  const artifacts = [...byPath.values()].sort((a, b) => a.artifact.localeCompare(b.artifact));
  for (const a of artifacts) a.stacks.sort();
  return { target: { bucket: options.bucket, region: options.region, endpoint: options.endpoint }, root, artifacts, packaged };
}

export interface Manifest {
  readonly stack: string;
  readonly bucket: string;
  readonly region: string;
  readonly root: { readonly template: string; readonly key: string; readonly url: string };
  readonly artifacts: readonly {
    readonly artifact: string;
    readonly kind: 'zip' | 'template';
    readonly sha256: string;
    readonly key: string;
    readonly stacks: readonly string[];
  }[];
}

/** The manifest for a plan: no timestamps, sorted, so an unchanged project writes identical bytes. */
export function manifestOf(stack: string, plan: PackagePlan): Manifest {
  return {
    stack,
    bucket: plan.target.bucket,
    region: plan.target.region,
    root: { template: plan.root.artifact, key: plan.root.key, url: plan.root.url },
    artifacts: plan.artifacts.map((a) => ({ artifact: a.artifact, kind: a.kind, sha256: a.sha256, key: a.key, stacks: a.stacks })),
  };
}

export interface PackageProjectOptions extends PlanOptions {
  /** Stack name, for the manifest file name `.deploy/<stack>-manifest.json`. */
  readonly stackName: string;
  /** Directory for the manifest and packaged templates. @default <baseDir>/.deploy */
  readonly outDir?: string;
  /** Parallel S3 requests. @default 8 */
  readonly concurrency?: number;
  /** Account that must own the bucket (ExpectedBucketOwner). @default not checked */
  readonly expectedOwner?: string;
}

export interface PackageResult extends UploadResult {
  readonly plan: PackagePlan;
  readonly manifest: Manifest;
  readonly manifestPath: string;
  /** Directory holding this stack's and region's packaged templates. */
  readonly packagedDir: string;
}

/** `.deploy/packaged/<stack>/<region>`: one directory per stack and region. */
export function packagedDir(outDir: string, stackName: string, region: string): string {
  return path.join(outDir, 'packaged', stackName, region);
}

/** Plans, uploads (HEAD-then-skip), writes `.deploy/<stack>-manifest.json` and `.deploy/packaged/<stack>/<region>/<template>`. */
export async function packageProject(s3: S3Client, options: PackageProjectOptions): Promise<PackageResult> {
  const baseDir = options.baseDir ?? process.cwd();
  const plan = await planPackage(options);
  const upload = await uploadAll(
    s3,
    options.bucket,
    plan.artifacts.map((a) => ({ key: a.key, body: a.body, contentType: a.kind === 'zip' ? 'application/zip' : 'application/x-yaml' })),
    { concurrency: options.concurrency, expectedOwner: options.expectedOwner },
  );
  const outDir = options.outDir ?? path.join(baseDir, '.deploy');
  const manifest = manifestOf(options.stackName, plan);
  const manifestPath = path.join(outDir, `${options.stackName}-manifest.json`);
  const dir = packagedDir(outDir, options.stackName, options.region);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [name, text] of plan.packaged) await writeFile(path.join(dir, path.basename(name)), text);
  return { ...upload, plan, manifest, manifestPath, packagedDir: dir };
}
