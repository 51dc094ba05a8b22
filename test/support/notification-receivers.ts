/**
 * Stand-ins for what notifiers talk to, on loopback ports: an HTTP endpoint that records what is
 * POSTed to it (a webhook, Slack's incoming webhooks) and an SMTP server that records the mails
 * it accepts. Both answer as each test tells them to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { CallbackContext } from '../../src/sdk/callbacks.ts';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** How the endpoint answers: a status and body, or 'hang' (never answers). */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export interface HttpReceiver {
  /** http://127.0.0.1:<port> */
  base: string;
  requests: ReceivedRequest[];
  answer: Answer;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const receiver = { answer: { status: 200, body: 'ok' } as Answer };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method!, path: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = receiver.answer;
      if (answer === 'hang') return;
      response.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      // A hanging answer keeps its connection open: end it, or close() would wait for it.
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The whole message as sent (headers and body). */
  raw: string;
}

export interface SmtpReceiver {
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * A plain SMTP server (no TLS; any login accepted) on a loopback port. `options` may add its own
 * handlers, e.g. an `onRcptTo` that refuses a recipient.
 */
export async function startSmtpReceiver(options: Partial<SMTPServerOptions> = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    // Mail without logging in, or with any user and password over plain text: what the notifier
    // sends is the point here, not how a server checks credentials.
    authOptional: true,
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A task failure's context, as the engine would hand it to a callback. */
export function sampleContext(overrides: Partial<CallbackContext> = {}): CallbackContext {
  return {
    event: 'task_failure',
    dagId: 'orders_daily',
    runId: 'manual__2026-12-07T10:00:00.000Z',
    taskId: 'load',
    mapIndex: -1,
    tryNumber: 3,
    state: 'failed',
    error: 'relation "orders" does not exist',
    logicalDate: new Date('2026-12-07T10:00:00.000Z'),
    params: { limit: 100 },
    url: 'http://127.0.0.1:8080/dags/orders_daily/runs/manual__2026-12-07T10%3A00%3A00.000Z/tasks/load/tries/3',
    log: pino({ enabled: false }),
    ...overrides,
  };
}
