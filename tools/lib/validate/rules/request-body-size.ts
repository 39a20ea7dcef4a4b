/**
 * How large a request body an API Gateway REST API accepts, read from its templates: for each
 * method that takes a body, the smallest body of the largest request its request model admits
 * (a lower bound: every array at its maxItems, every item at its smallest valid size), or API
 * Gateway's 10 MB payload limit when the method has no model.
 */
import { isRecord, type Json } from '../model';
import { propertiesOf, targetOf } from './rule';

/** API Gateway's REST API payload limit. */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The smallest compact-JSON size of a value valid against `schema` (JSON Schema draft 4, the
 * subset API Gateway models use), with arrays at `arrays` length: 'min' (minItems) or 'max'
 * (maxItems; Infinity when unbounded). A lower bound: patterns and formats are not expanded.
 */
export function smallestJsonBytes(schema: unknown, arrays: 'min' | 'max' = 'min'): number {
  if (!isRecord(schema)) return 1;
  const alternatives = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) return Math.min(...alternatives.map((a) => smallestJsonBytes(a, arrays)));
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return Math.max(...schema.allOf.map((a) => smallestJsonBytes(a, arrays)));
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return Math.min(...schema.enum.map((v) => JSON.stringify(v).length));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const props = isRecord(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
      const members = required.map((k) => JSON.stringify(k).length + 1 + smallestJsonBytes(props[k], arrays));
      return 2 + members.reduce((a, b) => a + b, 0) + Math.max(0, members.length - 1);
    }
    case 'array': {
      const count =
        arrays === 'max'
          ? typeof schema.maxItems === 'number'
            ? schema.maxItems
            : Number.POSITIVE_INFINITY
          : typeof schema.minItems === 'number'
            ? schema.minItems
            : 0;
      if (count === 0) return 2;
      return 2 + count * smallestJsonBytes(schema.items, arrays) + (count - 1);
    }
    case 'string':
      return 2 + (typeof schema.minLength === 'number' ? schema.minLength : 0);
    case 'boolean':
      return 4;
    case 'null':
      return 4;
    default:
      return 1; // a number: at least one digit
  }
}

export interface ApiBody {
  /** Logical ID of the method. */
  readonly methodId: string;
  readonly httpMethod: string;
  /** Logical ID of the request model, if any. */
  readonly modelId?: string;
  /** The smallest body of the largest request the method accepts (bytes). */
  readonly maxBodyBytes: number;
}

/** The body-taking methods of a REST API (`apiId`) in a template's resources, with their largest body. */
export function apiBodies(apiId: string, resources: ReadonlyMap<string, Json>): ApiBody[] {
  const out: ApiBody[] = [];
  for (const [id, r] of resources) {
    if (r.Type !== 'AWS::ApiGateway::Method') continue;
    const p = propertiesOf(r);
    const httpMethod = String(p.HttpMethod).toUpperCase();
    if (targetOf(p.RestApiId) !== apiId || !(BODY_METHODS.has(httpMethod) || httpMethod === 'ANY')) continue;
    const models = isRecord(p.RequestModels)
      ? Object.values(p.RequestModels)
          .map(targetOf)
          .filter((m): m is string => m !== undefined)
      : [];
    if (models.length === 0) {
      out.push({ methodId: id, httpMethod, maxBodyBytes: API_GATEWAY_MAX_PAYLOAD_BYTES });
      continue;
    }
    for (const modelId of models) {
      const schema = propertiesOf(resources.get(modelId) ?? {}).Schema;
      out.push({ methodId: id, httpMethod, modelId, maxBodyBytes: Math.min(API_GATEWAY_MAX_PAYLOAD_BYTES, smallestJsonBytes(schema, 'max')) });
    }
  }
  return out;
}
