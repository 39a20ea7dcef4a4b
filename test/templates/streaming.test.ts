import Ajv04 from 'ajv-draft-04';
import { DLQ_IDS, INGEST_SCOPE, streaming } from '../../templates-src/streaming';
import {
  INGEST_BATCH_SCHEMA,
  INGEST_ERROR_TEMPLATE,
  INGEST_REQUEST_TEMPLATE,
  INGEST_SUCCESS_TEMPLATE,
  MAX_RECORDS_PER_REQUEST,
} from '../../templates-src/lib/ingest';
import { DLQ_RETENTION_SECONDS } from '../../templates-src/lib/sqs';
import { canonicalize } from '../../templates-src/lib/yaml';

type Json = Record<string, any>;
const doc = canonicalize(streaming.build()) as Json;
const resources = doc.Resources as Record<string, Json>;
const ofType = (type: string): [string, Json][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const statements = (id: string): Json[] => resources[id]!.Properties.Policies[0].PolicyDocument.Statement;

// ---------------------------------------------------------------------------------------------
// A small evaluator for the Velocity subset our mapping templates use (#set, #if/#elseif/#else,
// #foreach with $foreach.index/hasNext, references with properties and method calls, quiet
// references, string interpolation, == != && || !), with API Gateway's $input, $util and
// $context. Lines holding only directives are dropped, as Velocity does.
// ---------------------------------------------------------------------------------------------
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'ref'; source: string }
  | { kind: 'set'; target: string; expr: string }
  | { kind: 'if'; branches: { cond: string; body: Node[] }[]; otherwise: Node[] }
  | { kind: 'foreach'; variable: string; expr: string; body: Node[] };

const DIRECTIVE_ONLY_LINE = /^[ \t]*(#(set|if|elseif|foreach)\(.*\)|#else|#end)[ \t]*\n/gm;

function balanced(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses at ${open}`);
}

/** Length of a reference (`$a.b(…).c`, `$!x`) starting at `start`, or 0 when `$` starts no reference. */
function referenceLength(text: string, start: number): number {
  const head = /^\$!?[A-Za-z_]\w*/.exec(text.slice(start));
  if (!head) return 0;
  let i = start + head[0].length;
  for (;;) {
    if (text[i] === '(') i = balanced(text, i) + 1;
    else {
      const prop = /^\.[A-Za-z_]\w*/.exec(text.slice(i));
      if (!prop) return i - start;
      i += prop[0].length;
    }
  }
}

function parse(template: string): Node[] {
  const text = template.replace(DIRECTIVE_ONLY_LINE, (line) => line.trim());
  let pos = 0;
  const block = (terminators: readonly string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    let buffer = '';
    const flush = () => {
      if (buffer) nodes.push({ kind: 'text', text: buffer });
      buffer = '';
    };
    while (pos < text.length) {
      const rest = text.slice(pos);
      const directive = /^#(set|if|elseif|else|end|foreach)\b/.exec(rest);
      if (directive) {
        const name = directive[1]!;
        if (terminators.includes(name)) {
          flush();
          return { nodes, end: name };
        }
        flush();
        const open = pos + directive[0].length;
        const close = balanced(text, open);
        const args = text.slice(open + 1, close);
        pos = close + 1;
        if (name === 'set') {
          const m = /^\s*\$([\w.]+)\s*=\s*([\s\S]+)$/.exec(args)!;
          nodes.push({ kind: 'set', target: m[1]!, expr: m[2]! });
        } else if (name === 'foreach') {
          const m = /^\s*\$(\w+)\s+in\s+([\s\S]+)$/.exec(args)!;
          const body = block(['end']);
          pos += '#end'.length;
          nodes.push({ kind: 'foreach', variable: m[1]!, expr: m[2]!, body: body.nodes });
        } else if (name === 'if') {
          const branches: { cond: string; body: Node[] }[] = [];
          let cond = args;
          let otherwise: Node[] = [];
          for (;;) {
            const body = block(['elseif', 'else', 'end']);
            branches.push({ cond, body: body.nodes });
            if (body.end === 'end') {
              pos += '#end'.length;
              break;
            }
            if (body.end === 'else') {
              pos += '#else'.length;
              otherwise = block(['end']).nodes;
              pos += '#end'.length;
              break;
            }
            const o = pos + '#elseif'.length;
            const c = balanced(text, o);
            cond = text.slice(o + 1, c);
            pos = c + 1;
          }
          nodes.push({ kind: 'if', branches, otherwise });
        } else throw new Error(`unexpected #${name} at ${pos}`);
        continue;
      }
      const length = text[pos] === '$' ? referenceLength(text, pos) : 0;
      if (length > 0) {
        flush();
        nodes.push({ kind: 'ref', source: text.slice(pos, pos + length) });
        pos += length;
      } else buffer += text[pos++];
    }
    flush();
    if (terminators.length > 0) throw new Error(`missing #end (wanted ${terminators.join('/')})`);
    return { nodes, end: '' };
  };
  return block([]).nodes;
}

type Scope = Record<string, unknown>;

function jsonPath(root: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`JSONPath must start with $: ${path}`);
  let value: any = root;
  for (const [, prop, index] of path.slice(1).matchAll(/\.([A-Za-z_]\w*)|\[(\d+)\]/g)) value = value?.[prop ?? Number(index)];
  return value;
}

function evaluate(expr: string, scope: Scope): unknown {
  const tokens = [
    ...expr.matchAll(
      /\s*(\$!?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\((?:[^()"']|"[^"]*"|'[^']*')*\))*|"[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|==|!=|&&|\|\||!|\(|\)|true|false|null)/gy,
    ),
  ].map((m) => m[1]!);
  let i = 0;
  const primary = (): unknown => {
    const tok = tokens[i++]!;
    if (tok === '!') return !truthy(primary());
    if (tok === '(') {
      const v = or();
      i++;
      return v;
    }
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok === 'null') return null;
    if (tok.startsWith("'")) return tok.slice(1, -1);
    if (tok.startsWith('"')) return render(parse(tok.slice(1, -1)), scope);
    if (tok.startsWith('$')) return resolve(tok, scope);
    return Number(tok);
  };
  const comparison = (): unknown => {
    const left = primary();
    if (tokens[i] === '==' || tokens[i] === '!=') {
      const op = tokens[i++];
      const right = primary();
      return op === '==' ? left === right : left !== right;
    }
    return left;
  };
  const and = (): unknown => {
    let v = comparison();
    while (tokens[i] === '&&') {
      i++;
      const r = comparison();
      v = truthy(v) && truthy(r);
    }
    return v;
  };
  const or = (): unknown => {
    let v = and();
    while (tokens[i] === '||') {
      i++;
      const r = and();
      v = truthy(v) || truthy(r);
    }
    return v;
  };
  return or();
}

const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== false;

function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (const c of args) {
    if (quote) quote = c === quote ? undefined : quote;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim()) out.push(current);
  return out;
}

function resolve(source: string, scope: Scope): unknown {
  const body = source.replace(/^\$!?/, '');
  const head = /^\w+/.exec(body)![0];
  let value: any = scope[head];
  let rest = body.slice(head.length);
  while (rest.length > 0) {
    const prop = /^\.(\w+)/.exec(rest)!;
    rest = rest.slice(prop[0].length);
    if (rest.startsWith('(')) {
      const close = balanced(rest, 0);
      const args = splitArgs(rest.slice(1, close)).map((a) => evaluate(a, scope));
      rest = rest.slice(close + 1);
      if (value === undefined || value === null) return undefined;
      if (prop[1] === 'size') value = (value as unknown[]).length;
      else if (prop[1] === 'contains') value = String(value).includes(String(args[0]));
      // Java's String.replaceAll takes a regular expression.
      else if (prop[1] === 'replaceAll') value = String(value).replace(new RegExp(String(args[0]), 'g'), String(args[1]));
      else value = value[prop[1]!](...args);
    } else value = value?.[prop[1]!];
  }
  return value;
}

function assign(target: string, value: unknown, scope: Scope): void {
  const path = target.split('.');
  let obj: any = scope;
  for (const p of path.slice(0, -1)) obj = obj[p];
  obj[path.at(-1)!] = value;
}

function render(nodes: readonly Node[], scope: Scope): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'ref') {
      const v = resolve(node.source, scope);
      out += v === undefined || v === null ? (node.source.startsWith('$!') ? '' : node.source) : String(v);
    } else if (node.kind === 'set') assign(node.target, evaluate(node.expr, scope), scope);
    else if (node.kind === 'if') {
      const branch = node.branches.find((b) => truthy(evaluate(b.cond, scope)));
      out += render(branch ? branch.body : node.otherwise, scope);
    } else {
      const items = (evaluate(node.expr, scope) as unknown[] | undefined) ?? [];
      const saved = scope.foreach;
      items.forEach((item, index) => {
        scope[node.variable] = item;
        scope.foreach = { index, hasNext: index < items.length - 1 };
        out += render(node.body, scope);
      });
      scope.foreach = saved;
    }
  }
  return out;
}

/** Runs a mapping template the way API Gateway does, against one request or integration body. */
function runTemplate(template: string, body: unknown): { output: string; context: { requestId: string; responseOverride: { status?: number } } } {
  const context = { requestId: 'req-0001', responseOverride: {} as { status?: number } };
  const scope: Scope = {
    input: { path: (p: string) => jsonPath(body, p), json: (p: string) => JSON.stringify(jsonPath(body, p)) },
    util: {
      base64Encode: (s: string) => Buffer.from(s, 'utf8').toString('base64'),
      // Like API Gateway's: escapes ' too (as \'), which is not valid JSON on its own.
      escapeJavaScript: (s: unknown) =>
        String(s ?? '')
          .replace(/\\/g, '\\\\')
          .replace(/"/g, '\\"')
          .replace(/'/g, "\\'")
          .replace(/\n/g, '\\n'),
    },
    context,
  };
  return { output: render(parse(template), scope), context };
}

// ---------------------------------------------------------------------------------------------
// Fixtures: canonical events (DESIGN §4) with fixed values.
// ---------------------------------------------------------------------------------------------
const stockTick = (symbol: string, price = 180.5) => ({
  schemaVersion: 1,
  type: 'stock',
  symbol,
  ts: '2026-11-20T14:30:00.000Z',
  price,
  open: 181,
  high: 182.25,
  low: 179.9,
  prevClose: 181.2,
  volume: 1_204_330,
  source: 'api',
});
const weatherObservation = (city: string) => ({
  schemaVersion: 1,
  type: 'weather',
  city,
  ts: '2026-11-20T14:00:00Z',
  tempC: 7.4,
  humidity: 81,
  windKph: 22.3,
  precipMm: 0.2,
  pressureHpa: 1012.5,
  source: 'api',
});

describe('streaming.yaml: POST /ingest mapping', () => {
  const batch = { records: [stockTick('AAPL'), weatherObservation('New York'), stockTick('BRK.B', 412.1), weatherObservation('Amsterdam')] };

  test('the integration uses exactly the exported request template, with the stream name substituted by !Sub', () => {
    const integration = resources.IngestMethod!.Properties.Integration;
    expect(integration.Uri).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}:kinesis:action/PutRecords' });
    expect(integration.RequestTemplates['application/json']).toEqual({ 'Fn::Sub': [INGEST_REQUEST_TEMPLATE, { StreamName: { Ref: 'EventStream' } }] });
    // No other ${…} in the VTL, so !Sub cannot mangle it.
    expect(INGEST_REQUEST_TEMPLATE.match(/\$\{[^}]*\}/g)).toEqual(['${StreamName}']);
    expect(integration.PassthroughBehavior).toBe('NEVER');
    expect(integration.RequestParameters).toEqual({ 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" });
  });

  test('each canonical event becomes one record: Data = base64 of the event JSON, PartitionKey = symbol or city', () => {
    const { output } = runTemplate(INGEST_REQUEST_TEMPLATE.replace('${StreamName}', 'stockwx-dev-events'), batch);
    const request = JSON.parse(output) as { StreamName: string; Records: { Data: string; PartitionKey: string }[] };
    expect(request.StreamName).toBe('stockwx-dev-events');
    expect(request.Records.map((r) => r.PartitionKey)).toEqual(['AAPL', 'New York', 'BRK.B', 'Amsterdam']);
    expect(request.Records.map((r) => JSON.parse(Buffer.from(r.Data, 'base64').toString('utf8')))).toEqual(batch.records);
  });

  test('a single-record batch renders valid JSON (no trailing comma)', () => {
    const { output } = runTemplate(INGEST_REQUEST_TEMPLATE, { records: [stockTick('MSFT')] });
    expect(JSON.parse(output).Records).toHaveLength(1);
  });

  test('success maps PutRecords to 200 with the failed count and the failed indexes to resend', () => {
    const response = {
      FailedRecordCount: 2,
      Records: [
        { SequenceNumber: '4960', ShardId: 'shardId-000000000000' },
        { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000001' },
        { SequenceNumber: '4961', ShardId: 'shardId-000000000000' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure (it\'s "transient").' },
      ],
    };
    const { output } = runTemplate(INGEST_SUCCESS_TEMPLATE, response);
    expect(JSON.parse(output)).toEqual({
      recordCount: 4,
      failedRecordCount: 2,
      failed: [
        { index: 1, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded for shard shardId-000000000001' },
        { index: 3, errorCode: 'InternalFailure', errorMessage: 'Internal service failure (it\'s "transient").' },
      ],
    });
    expect(JSON.parse(runTemplate(INGEST_SUCCESS_TEMPLATE, { FailedRecordCount: 0, Records: [{ SequenceNumber: '1', ShardId: 's' }] }).output)).toEqual({
      recordCount: 1,
      failedRecordCount: 0,
      failed: [],
    });
  });

  test.each([
    ['ProvisionedThroughputExceededException', 429],
    ['KMSThrottlingException', 429],
    ['LimitExceededException', 429],
    ['AccessDeniedException', 500],
    ['KMSAccessDeniedException', 500],
    ['ResourceNotFoundException', 500],
    ['ValidationException', undefined],
    ['InvalidArgumentException', undefined],
  ])('a Kinesis %s maps to status override %s with the stable error shape', (type, status) => {
    const message = `Stream "stockwx-dev-events" under account 123456789012 isn't available`;
    const { output, context } = runTemplate(INGEST_ERROR_TEMPLATE, { __type: type, message });
    expect(context.responseOverride.status).toBe(status);
    expect(JSON.parse(output)).toEqual({ error: { code: type, message, requestId: 'req-0001' } });
  });

  test('an error body without a message still yields the stable shape (the message falls back to the code)', () => {
    const { output } = runTemplate(INGEST_ERROR_TEMPLATE, { __type: 'InternalFailure' });
    expect(JSON.parse(output)).toEqual({ error: { code: 'InternalFailure', message: 'InternalFailure', requestId: 'req-0001' } });
  });

  test('integration responses select on the Kinesis status: 2xx → 200, 4xx → 400, 5xx → 500', () => {
    const responses = resources.IngestMethod!.Properties.Integration.IntegrationResponses as Json[];
    expect(responses.map((r) => [r.StatusCode, r.SelectionPattern])).toEqual([
      ['200', undefined],
      ['400', '4\\d{2}'],
      ['500', '5\\d{2}'],
    ]);
    expect(resources.IngestMethod!.Properties.MethodResponses.map((r: Json) => r.StatusCode)).toEqual(['200', '400', '429', '500']);
  });
});

describe('streaming.yaml: request model', () => {
  // API Gateway's dialect is draft 4 (boolean exclusiveMinimum): validate the model as draft 4.
  const validate = new Ajv04({ strict: false }).compile(JSON.parse(JSON.stringify(INGEST_BATCH_SCHEMA)));

  test('the model is the exported schema, and POST /ingest validates the body with it', () => {
    expect(resources.IngestBatchModel!.Properties.Schema).toEqual(JSON.parse(JSON.stringify(INGEST_BATCH_SCHEMA)));
    expect(resources.IngestMethod!.Properties.RequestModels).toEqual({ 'application/json': { Ref: 'IngestBatchModel' } });
    expect(resources.IngestMethod!.Properties.RequestValidatorId).toEqual({ Ref: 'IngestBodyValidator' });
    expect(resources.IngestBodyValidator!.Properties.ValidateRequestBody).toBe(true);
  });

  test.each([
    ['a mixed batch', true, { records: [stockTick('AAPL'), weatherObservation('São Paulo')] }],
    ['an empty batch', false, { records: [] }],
    ['more than PutRecords accepts', false, { records: Array.from({ length: MAX_RECORDS_PER_REQUEST + 1 }, () => stockTick('AAPL')) }],
    ['an extra envelope field', false, { records: [stockTick('AAPL')], stream: 'other' }],
    ['a tick without prevClose', false, { records: [{ ...stockTick('AAPL'), prevClose: undefined }] }],
    ['a lower-case symbol', false, { records: [stockTick('aapl')] }],
    ['a city with a quote (would break the VTL JSON)', false, { records: [weatherObservation('New "York"')] }],
    ['an unknown type', false, { records: [{ ...stockTick('AAPL'), type: 'crypto' }] }],
    ['a timestamp without zone', false, { records: [{ ...stockTick('AAPL'), ts: '2026-11-20 14:30:00' }] }],
  ])('%s → valid=%s', (_name, valid, body) => {
    expect(validate(JSON.parse(JSON.stringify(body)))).toBe(valid);
  });
});

describe('streaming.yaml: API security and operations', () => {
  test('POST /ingest requires a Cognito access token with the ingest scope; GET /health is open and mocked', () => {
    const ingest = resources.IngestMethod!.Properties;
    expect(ingest).toMatchObject({ AuthorizationType: 'COGNITO_USER_POOLS', AuthorizerId: { Ref: 'IngestAuthorizer' }, AuthorizationScopes: [INGEST_SCOPE] });
    expect(resources.IngestAuthorizer!.Properties).toMatchObject({ Type: 'COGNITO_USER_POOLS', ProviderARNs: [{ 'Fn::GetAtt': ['IngestUserPool', 'Arn'] }] });
    expect(resources.IngestUserPoolClient!.Properties).toMatchObject({
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [INGEST_SCOPE],
      GenerateSecret: true,
    });
    const health = resources.HealthMethod!.Properties;
    expect(health).toMatchObject({ HttpMethod: 'GET', AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } });
    expect(health.Integration.IntegrationResponses[0].ResponseTemplates['application/json']).toBe('{"status":"ok"}');
  });

  test('the integration role may only PutRecords on the stream and make data keys with the streaming CMK', () => {
    expect(statements('IngestApiIntegrationRole')).toEqual([
      { Effect: 'Allow', Action: ['kinesis:PutRecords'], Resource: { 'Fn::GetAtt': ['EventStream', 'Arn'] } },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: { Ref: 'StreamingKeyArn' } },
    ]);
  });

  test('the stage has encrypted access logs, X-Ray, throttling on every method and ERROR-level logs without bodies', () => {
    const stage = resources.ApiStage!;
    expect(stage.DependsOn).toBe('ApiExecutionLogs');
    // After the account-level logging role when this stack sets it (DependsOn cannot name a conditional resource).
    expect(stage.Metadata.AfterApiGatewayAccount).toEqual({ 'Fn::If': ['ManagesApiGatewayAccount', { Ref: 'ApiGatewayAccount' }, 'not created here'] });
    expect(stage.Properties.TracingEnabled).toBe(true);
    expect(stage.Properties.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': ['ApiAccessLogs', 'Arn'] });
    expect(JSON.parse(stage.Properties.AccessLogSetting.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    for (const s of stage.Properties.MethodSettings as Json[]) {
      expect(s).toMatchObject({ LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true });
      expect(s.ThrottlingRateLimit).toBeGreaterThan(0);
    }
    expect((stage.Properties.MethodSettings as Json[]).map((s) => `${s.HttpMethod} ${s.ResourcePath}`)).toEqual(['* /*', 'POST /~1ingest', 'GET /~1health']);
    for (const id of ['ApiAccessLogs', 'ApiExecutionLogs']) expect(resources[id]!.Properties.KmsKeyId).toEqual({ Ref: 'LogsKeyArn' });
    expect(resources.ApiExecutionLogs!.Properties.LogGroupName).toEqual({ 'Fn::Sub': 'API-Gateway-Execution-Logs_${IngestApi}/v1' });
  });

  test('the deployment ID follows the API definition, so a changed method is redeployed', () => {
    const deployments = ofType('AWS::ApiGateway::Deployment');
    expect(deployments).toHaveLength(1);
    expect(deployments[0]![0]).toMatch(/^ApiDeployment[0-9a-f]{10}$/);
    expect(resources.ApiStage!.Properties.DeploymentId).toEqual({ Ref: deployments[0]![0] });
    expect(Object.keys(canonicalize(streaming.build()).Resources as Json)).toContain(deployments[0]![0]);
  });

  test('WAF is associated with the stage; API Gateway logging uses an account-level role', () => {
    expect(resources.ApiWebAclAssociation!.Properties).toEqual({
      ResourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${IngestApi}/stages/${ApiStage}' },
      WebACLArn: { Ref: 'WebAclArn' },
    });
    expect(resources.ApiGatewayAccount!.Properties.CloudWatchRoleArn).toEqual({ 'Fn::GetAtt': ['ApiGatewayCloudWatchRole', 'Arn'] });
  });

  test('the account-level logging role is one per account and region: set only under ManageApiGatewayAccount', () => {
    for (const id of ['ApiGatewayAccount', 'ApiGatewayCloudWatchRole']) expect(resources[id]!.Condition).toBe('ManagesApiGatewayAccount');
    expect(doc.Conditions.ManagesApiGatewayAccount).toEqual({ 'Fn::Equals': [{ Ref: 'ManageApiGatewayAccount' }, 'true'] });
    expect(streaming.inputs.ManageApiGatewayAccount).toEqual({ parameter: 'ManageApiGatewayAccount' });
  });

  test('every API Gateway error uses the stable error shape', () => {
    const types = ofType('AWS::ApiGateway::GatewayResponse')
      .map(([, r]) => r.Properties.ResponseType)
      .sort();
    expect(types).toEqual(['BAD_REQUEST_BODY', 'DEFAULT_4XX', 'DEFAULT_5XX']);
    for (const [, r] of ofType('AWS::ApiGateway::GatewayResponse'))
      expect(r.Properties.ResponseTemplates['application/json']).toContain('"requestId": "$context.requestId"');
  });

  test('the custom domain and its outputs exist only with failover', () => {
    for (const id of ['ApiDomain', 'ApiBasePathMapping']) expect(resources[id]!.Condition).toBe('HasFailover');
    expect(doc.Conditions.HasFailover).toEqual({ 'Fn::Equals': [{ Ref: 'EnableCustomDomain' }, 'true'] });
    expect(doc.Outputs.ApiRegionalDomainName.Value).toEqual({ 'Fn::If': ['HasFailover', { 'Fn::GetAtt': ['ApiDomain', 'RegionalDomainName'] }, ''] });
    expect(resources.ApiDomain!.Properties).toMatchObject({ SecurityPolicy: 'TLS_1_2', EndpointConfiguration: { Types: ['REGIONAL'] } });
  });
});

describe('streaming.yaml: stream, queues and scheduler', () => {
  test('the stream is KMS-encrypted with our key, keeps StreamRetentionHours (a week unless set) and is on-demand unless a shard count is given', () => {
    const stream = resources.EventStream!;
    expect(stream.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(stream.Properties.StreamEncryption).toEqual({ EncryptionType: 'KMS', KeyId: { Ref: 'StreamingKeyArn' } });
    expect(stream.Properties.RetentionPeriodHours).toEqual({ Ref: 'StreamRetentionHours' });
    // Kinesis takes 24 to 8760 hours (CreateStream keeps 24 by default; IncreaseStreamRetentionPeriod goes up to 8760).
    expect(doc.Parameters.StreamRetentionHours).toMatchObject({ Type: 'Number', Default: 168, MinValue: 24, MaxValue: 8760 });
    expect(streaming.inputs.StreamRetentionHours).toEqual({ parameter: 'StreamRetentionHours' });
    expect(doc.Conditions.OnDemandStream).toEqual({ 'Fn::Equals': [{ Ref: 'StreamShardCount' }, '0'] });
    expect(stream.Properties.StreamModeDetails).toEqual({ StreamMode: { 'Fn::If': ['OnDemandStream', 'ON_DEMAND', 'PROVISIONED'] } });
    expect(stream.Properties.ShardCount).toEqual({ 'Fn::If': ['OnDemandStream', { Ref: 'AWS::NoValue' }, { Ref: 'StreamShardCount' }] });
  });

  test.each(Object.entries(DLQ_IDS))('the %s dead-letter queue is KMS-encrypted, keeps 14 days, is TLS-only and exported', (_consumer, id) => {
    const queue = resources[id]!;
    expect(queue.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(queue.Properties).toMatchObject({ KmsMasterKeyId: { Ref: 'StreamingKeyArn' }, MessageRetentionPeriod: DLQ_RETENTION_SECONDS });
    expect(DLQ_RETENTION_SECONDS).toBe(14 * 24 * 3600);
    const policy = resources[`${id}Policy`]!.Properties;
    expect(policy.Queues).toEqual([{ Ref: id }]);
    expect(policy.PolicyDocument.Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(doc.Outputs[`${id}Arn`].Value).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    expect(doc.Outputs[`${id}Name`].Value).toEqual({ 'Fn::GetAtt': [id, 'QueueName'] });
  });

  test('only the notifier queue admits SNS (subscription redrive), and only from the alert topics', () => {
    const grants = Object.values(DLQ_IDS).flatMap((id) =>
      (resources[`${id}Policy`]!.Properties.PolicyDocument.Statement as Json[]).filter((s) => s.Effect === 'Allow').map((s) => [id, s]),
    );
    expect(grants).toHaveLength(1);
    const [id, grant] = grants[0] as [string, Json];
    expect(id).toBe('NotifierDlq');
    expect(grant).toMatchObject({ Principal: { Service: 'sns.amazonaws.com' }, Action: ['sqs:SendMessage'] });
    expect(grant.Condition.ArnLike['aws:SourceArn']).toHaveLength(2);
  });

  test('no schedule here: it is created in compute.yaml after the poller, so a first deploy never fires at a missing function', () => {
    expect(ofType('AWS::Scheduler::Schedule')).toEqual([]);
    expect(doc.Outputs.PollScheduleGroupName.Value).toEqual({ Ref: 'PollScheduleGroup' });
    expect(doc.Outputs.PollSchedulerRoleArn.Value).toEqual({ 'Fn::GetAtt': ['PollSchedulerRole', 'Arn'] });
  });

  test('the scheduler role may invoke only the poller and send only to its DLQ', () => {
    const role = resources.PollSchedulerRole!.Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(statements('PollSchedulerRole').map((s) => [s.Action, s.Resource])).toEqual([
      [['lambda:InvokeFunction'], { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${NamePrefix}-poller' }],
      [['sqs:SendMessage'], { 'Fn::GetAtt': ['SchedulerDlq', 'Arn'] }],
      [['kms:GenerateDataKey', 'kms:Decrypt'], { Ref: 'StreamingKeyArn' }],
    ]);
  });
});

describe('streaming.yaml: contract with root', () => {
  test('takes outputs from Security only', () => {
    const producers = Object.values(streaming.inputs).flatMap((w) => ('output' in w ? [w.output[0]] : []));
    expect(new Set(producers)).toEqual(new Set(['Security']));
  });

  test('every parameter is wired and every promised output is declared', () => {
    expect(Object.keys(doc.Parameters).sort()).toEqual(Object.keys(streaming.inputs).sort());
    expect(Object.keys(doc.Outputs).sort()).toEqual([...streaming.outputs].sort());
  });

  test.each(['3.1', '3.2', '3.3', '3.4'])('roadmap bullet %s maps to resources', (bullet) => {
    const ids = doc.Metadata.Roadmap[bullet].Resources as string[];
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(resources[id]).toBeDefined();
  });
});
