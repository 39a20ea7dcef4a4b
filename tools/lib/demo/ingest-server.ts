/**
 * The local `POST /ingest` and `GET /health`: the same request model (JSON Schema draft 4, validated
 * with ajv-draft-04), the same VTL request and response templates as the REST API in streaming.yaml, and
 * a real Kinesis `PutRecords` behind it (kinesalite in the demo). Listens on 127.0.0.1 only.
 */
import Ajv04 from 'ajv-draft-04';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { evaluateMappingTemplate } from './apigw-vtl';

export interface IngestContract {
  /** The request model (draft-04 JSON Schema as API Gateway takes it). */
  readonly schema: Record<string, unknown>;
  readonly requestTemplate: string;
  readonly successTemplate: string;
  readonly errorTemplate: string;
  /** Values `!Sub` fills into the request template (e.g. StreamName). */
  readonly subs: Readonly<Record<string, string>>;
  /** Largest accepted body in bytes (API Gateway's payload limit is 10 MB). @default 10485760 */
  readonly maxBodyBytes?: number;
}

/** Calls Kinesis PutRecords with the JSON the request template produced; returns Kinesis' JSON answer or throws with `__type`. */
export type PutRecordsCall = (request: { StreamName: string; Records: { Data: string; PartitionKey: string }[] }) => Promise<Record<string, unknown>>;

export interface IngestServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function gatewayError(code: string, message: string, requestId: string): string {
  return JSON.stringify({ error: { code, message, requestId } });
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the server on 127.0.0.1 (port 0 = a free port). */
export async function startIngestServer(contract: IngestContract, putRecords: PutRecordsCall, port = 0): Promise<IngestServer> {
  // The model is draft 4, API Gateway's dialect (boolean exclusiveMinimum): validated as such.
  const ajv = new Ajv04({ allErrors: true, strict: false });
  const validate = ajv.compile(contract.schema);
  const limit = contract.maxBodyBytes ?? 10 * 1024 * 1024;

  const server: Server = createServer((req, res) => {
    const requestId = randomUUID();
    void (async () => {
      if (req.method === 'GET' && req.url === '/health') return send(res, 200, JSON.stringify({ status: 'ok' }));
      if (req.url !== '/ingest') return send(res, 404, gatewayError('RESOURCE_NOT_FOUND', 'no such resource', requestId));
      if (req.method !== 'POST') return send(res, 405, gatewayError('METHOD_NOT_ALLOWED', 'use POST', requestId));
      const body = await readBody(req, limit);
      if (body === undefined) return send(res, 413, gatewayError('REQUEST_TOO_LARGE', `body larger than ${limit} bytes`, requestId));
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return send(res, 400, gatewayError('BAD_REQUEST_BODY', 'Invalid request body: not JSON', requestId));
      }
      if (!validate(parsed)) {
        const detail = (validate.errors ?? [])
          .slice(0, 5)
          .map((e) => `${e.instancePath || '/'} ${e.message}`)
          .join('; ');
        return send(res, 400, gatewayError('BAD_REQUEST_BODY', `Invalid request body: ${detail}`, requestId));
      }
      const request = JSON.parse(evaluateMappingTemplate(contract.requestTemplate, { body, requestId, subs: contract.subs, resourcePath: '/ingest' }).text);
      let answer: Record<string, unknown>;
      try {
        answer = await putRecords(request);
      } catch (error) {
        const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        const status = (e.$metadata?.httpStatusCode ?? 500) >= 500 ? 500 : 400;
        const out = evaluateMappingTemplate(contract.errorTemplate, {
          body: JSON.stringify({ __type: e.name ?? 'InternalFailure', message: e.message ?? '' }),
          requestId,
        });
        return send(res, out.statusOverride ?? status, out.text);
      }
      const out = evaluateMappingTemplate(contract.successTemplate, { body: JSON.stringify(answer), requestId });
      return send(res, out.statusOverride ?? 200, out.text);
    })().catch((error: unknown) => send(res, 500, gatewayError('INTERNAL', (error as Error).message, requestId)));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
