/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of moto_server: every request is passed
 * through, except the next one whose form body names the chosen `Action`, which gets the fault:
 *
 * | fault         | the server                 | the client                                  |
 * |---------------|----------------------------|---------------------------------------------|
 * | `500-before`  | never sees the call        | HTTP 500 (the call did not happen)          |
 * | `500-after`   | carries the call out       | HTTP 500 instead of the real answer         |
 * | `drop-after`  | carries the call out       | the connection is cut before any answer     |
 *
 * Host headers are passed on unchanged, so moto sees `localhost:<proxy port>`; the S3 URLs the
 * tools write for this endpoint resolve inside moto, never through the proxy.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = '500-before' | '500-after' | 'drop-after';

export interface FaultProxy {
  /** `http://localhost:<port>`: the endpoint to give the tools. */
  readonly endpoint: string;
  /** Arms one fault for the next request with this CloudFormation Action. */
  arm(action: string, fault: Fault): void;
  /** Actions seen, in order (one entry per request, including faulted ones). */
  readonly actions: string[];
  /** How many faults were injected. */
  injected(): number;
  stop(): Promise<void>;
}

const INTERNAL_ERROR =
  '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>injected by the test proxy</Message></Error></ErrorResponse>';

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const armed = new Map<string, Fault>();
  const actions: string[] = [];
  let injected = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? '';
      if (action) actions.push(action);
      const fault = armed.get(action);
      if (fault) {
        armed.delete(action);
        injected++;
      }
      if (fault === '500-before') {
        res.writeHead(500, { 'content-type': 'text/xml' }).end(INTERNAL_ERROR);
        return;
      }
      const forward = http.request({ host: '127.0.0.1', port: Number(upstream.port), method: req.method, path: req.url, headers: req.headers }, (answer) => {
        if (fault === 'drop-after') {
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        if (fault === '500-after') {
          answer.resume();
          answer.on('end', () => res.writeHead(500, { 'content-type': 'text/xml' }).end(INTERNAL_ERROR));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => req.socket.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://localhost:${port}`,
    arm: (action, fault) => void armed.set(action, fault),
    actions,
    injected: () => injected,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
