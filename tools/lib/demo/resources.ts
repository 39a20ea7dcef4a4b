/**
 * Reads the local demo's resources out of generated/ — table key schemas and stream settings,
 * the Kinesis stream, the data buckets — so the demo creates exactly what the templates define
 * and cannot drift from them. Names are resolved with the demo's own NamePrefix, account and
 * region (`!Sub '${NamePrefix}-metrics'` → `stockwx-demo-metrics`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTemplate } from '../../../templates-src/lib/yaml';

export interface LocalNames {
  readonly NamePrefix: string;
  readonly 'AWS::AccountId': string;
  readonly 'AWS::Region': string;
  readonly [name: string]: string;
}

export interface TableDefinition {
  readonly logicalId: string;
  readonly tableName: string;
  readonly keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  readonly attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  readonly streamViewType?: string;
  readonly ttlAttribute?: string;
}

export interface StreamDefinition {
  readonly logicalId: string;
  readonly streamName: string;
  /** Shards to create locally: the template's count, or ON_DEMAND_SHARDS when the count is not a literal (on-demand). */
  readonly shardCount: number;
  readonly retentionHours: number;
}

export interface BucketDefinition {
  readonly logicalId: string;
  readonly bucketName: string;
}

export interface LocalResources {
  readonly tables: readonly TableDefinition[];
  readonly streams: readonly StreamDefinition[];
  readonly buckets: readonly BucketDefinition[];
}

/**
 * An on-demand stream starts with 4 MB/s of write capacity, the capacity of 4 shards (Kinesis
 * Data Streams developer guide, "Choose the data stream capacity mode"); locally it gets 4 shards,
 * so records spread over shards by partition key as they would.
 */
export const ON_DEMAND_SHARDS = 4;

export class TemplateResolutionError extends Error {
  override readonly name = 'TemplateResolutionError';
}

type Json = Record<string, unknown>;

/** Resolves a name-like value: a literal, `!Ref` of a known name, or `!Sub` whose variables are all known. */
export function resolveName(value: unknown, names: LocalNames, where: string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Json;
    if (typeof v.Ref === 'string') {
      const r = names[v.Ref];
      if (r === undefined) throw new TemplateResolutionError(`${where}: cannot resolve !Ref ${v.Ref} locally`);
      return r;
    }
    if ('Fn::Sub' in v) {
      const arg = v['Fn::Sub'];
      const [text, vars] = Array.isArray(arg) ? [arg[0] as string, (arg[1] ?? {}) as Json] : [arg as string, {}];
      return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
        if (name in vars) return resolveName(vars[name], names, where);
        const r = names[name];
        if (r === undefined) throw new TemplateResolutionError(`${where}: cannot resolve \${${name}} locally`);
        return r;
      });
    }
  }
  throw new TemplateResolutionError(`${where}: unsupported name expression ${JSON.stringify(value)}`);
}

function resources(doc: Json): [string, Json][] {
  return Object.entries((doc.Resources ?? {}) as Record<string, Json>);
}

/** Extracts tables, streams and buckets from parsed templates (file name → document). */
export function localResources(templates: Readonly<Record<string, Json>>, names: LocalNames, bucketIds: readonly string[]): LocalResources {
  const tables: TableDefinition[] = [];
  const streams: StreamDefinition[] = [];
  const buckets: BucketDefinition[] = [];
  for (const [file, doc] of Object.entries(templates)) {
    for (const [id, res] of resources(doc)) {
      const p = (res.Properties ?? {}) as Json;
      const where = `${file}: ${id}`;
      if (res.Type === 'AWS::DynamoDB::GlobalTable' || res.Type === 'AWS::DynamoDB::Table') {
        const stream = p.StreamSpecification as Json | undefined;
        const ttl = p.TimeToLiveSpecification as Json | undefined;
        tables.push({
          logicalId: id,
          tableName: resolveName(p.TableName, names, where),
          keySchema: p.KeySchema as TableDefinition['keySchema'],
          attributeDefinitions: p.AttributeDefinitions as TableDefinition['attributeDefinitions'],
          ...(stream && typeof stream.StreamViewType === 'string' ? { streamViewType: stream.StreamViewType } : {}),
          ...(ttl && typeof ttl.AttributeName === 'string' ? { ttlAttribute: ttl.AttributeName } : {}),
        });
      } else if (res.Type === 'AWS::Kinesis::Stream') {
        const count = typeof p.ShardCount === 'number' ? p.ShardCount : ON_DEMAND_SHARDS;
        streams.push({
          logicalId: id,
          streamName: resolveName(p.Name, names, where),
          shardCount: Math.max(1, count),
          retentionHours: Number(p.RetentionPeriodHours ?? 24),
        });
      } else if (res.Type === 'AWS::S3::Bucket' && bucketIds.includes(id)) {
        buckets.push({ logicalId: id, bucketName: resolveName(p.BucketName, names, where) });
      }
    }
  }
  return { tables, streams, buckets };
}

/** Reads and parses the named files of a generated/ directory. */
export function readTemplates(dir: string, files: readonly string[]): Record<string, Json> {
  return Object.fromEntries(files.map((f) => [f, parseTemplate(readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f))]));
}
