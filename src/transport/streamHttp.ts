/**
 * HTTP and WebSocket clients whose every connection is a fresh stream from `open()` (a channel
 * to a Unix socket over the cluster's SSH connection, or a local socket): no local listener, no
 * TCP port. `streamFetch` is a `fetch` built on `http.request({ createConnection })`;
 * `streamWebSocket` a subclass of ws's WebSocket doing the same. Both talk to `localhost` (what
 * Jupyter Server's Host check accepts); the host part of URLs is otherwise ignored.
 *
 * VS Code's extension host patches `http.request` to route requests through its proxy agent
 * (@vscode/proxy-agent), which would replace `createConnection`; it leaves requests that name a
 * `socketPath` alone. So every request names one (never used: `createConnection` wins over it).
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';

export type StreamOpener = () => Promise<Duplex>;

type OnCreate = (err: Error | null, socket: Duplex) => void;

/** Named so that VS Code's proxy patch passes the request through; never connected to. */
const UNUSED_SOCKET_PATH = '/nonexistent/hpc-workbench-stream';

/** A createConnection that hands over the stream once it is open (Node's async form). */
function connector(open: StreamOpener): (options: unknown, oncreate: OnCreate) => undefined {
  return (_options, oncreate) => {
    open().then(
      (stream) => oncreate(null, stream),
      (error: unknown) => oncreate(error instanceof Error ? error : new Error(String(error)), undefined as unknown as Duplex),
    );
    return undefined;
  };
}

/** A `fetch` over streams from `open`; each request gets its own stream, closed after the answer. */
export function streamFetch(open: StreamOpener): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => (headers[key] = value));
    headers.host = 'localhost';
    headers.connection = 'close';
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const req = http.request(
        {
          method: request.method,
          path: `${url.pathname}${url.search}`,
          headers,
          socketPath: UNUSED_SOCKET_PATH,
          createConnection: connector(open) as unknown as http.RequestOptions['createConnection'],
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const answer = new Headers();
            for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) answer.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
            const status = res.statusCode ?? 500;
            const noBody = status === 204 || status === 304 || request.method === 'HEAD';
            resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: answer }));
            res.socket?.destroy();
          });
        },
      );
      req.on('error', reject);
      const signal = request.signal;
      if (signal) {
        if (signal.aborted) req.destroy(new Error('The request was aborted.'));
        else signal.addEventListener('abort', () => req.destroy(new Error('The request was aborted.')), { once: true });
      }
      req.end(body);
    });
  };
}

export type StreamWebSocketClass = new (address: string | URL, protocols?: string | string[]) => WebSocket;

/** A WebSocket class (ws) whose connections are streams from `open`, sending `headers` with the upgrade. */
export function streamWebSocket(open: StreamOpener, headers: Record<string, string> = {}): StreamWebSocketClass {
  const createConnection = connector(open);
  class StreamWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      // ws names a socketPath only for ws+unix: URLs (see above): the path and query are kept.
      const url = new URL(address);
      super(`ws+unix:${UNUSED_SOCKET_PATH}:${url.pathname}${url.search}`, protocols, {
        headers: { Host: 'localhost', ...headers },
        createConnection: createConnection as unknown as WebSocket.ClientOptions['createConnection'],
      });
    }
  }
  return StreamWebSocket;
}
