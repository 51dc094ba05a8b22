/**
 * A LISTEN connection that comes back. New runs and cleared tasks NOTIFY the schedulers so they
 * start at once; if Postgres drops the connection (a restart, pg_terminate_backend, a network
 * blip) nothing says so, and the scheduler would quietly fall back to its loop interval. So a lost
 * connection is logged and made again, with backoff, until the listener is stopped.
 */
import pg from 'pg';
import type { Logger } from '../log.ts';

/** Shown in pg_stat_activity, so an operator (or a test) can tell this connection from the pool's. */
export const LISTEN_APPLICATION_NAME = 'sluice-scheduler-listen';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

export interface NotifyListenerOptions {
  databaseUrl: string;
  channel: string;
  log: Logger;
  /** A notification arrived. */
  onNotify: () => void;
  /** Listening again after a loss: notifications sent meanwhile were missed, so catch up. */
  onRelisten: () => void;
}

export class NotifyListener {
  #client: pg.Client | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failedAttempts = 0;
  #stopped = false;

  constructor(private readonly options: NotifyListenerOptions) {}

  /** Connects and LISTENs; a failure here is thrown, since a scheduler that cannot start should say so. */
  async start(): Promise<void> {
    await this.#listen();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #listen(): Promise<void> {
    const { databaseUrl, channel, onNotify } = this.options;
    const client = new pg.Client({ connectionString: databaseUrl, application_name: LISTEN_APPLICATION_NAME });
    // Until LISTEN has succeeded, a failure is the caller's to handle (it rejects below).
    let listening = false;
    client.on('error', (err) => {
      if (listening) this.#lost(client, err);
    });
    client.on('end', () => {
      if (listening) this.#lost(client);
    });
    client.on('notification', () => onNotify());
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    listening = true;
    this.#client = client;
  }

  /** Called once per lost connection, by whichever of 'error' and 'end' comes first. */
  #lost(client: pg.Client, err?: Error): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    if (this.#stopped) return;
    this.options.log.warn(
      { err, channel: this.options.channel },
      'lost the LISTEN connection to PostgreSQL; reconnecting (until then, new runs wait for the scheduler loop)',
    );
    this.#retryLater();
  }

  #retryLater(): void {
    const delayMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#failedAttempts);
    this.#retryTimer = setTimeout(() => void this.#relisten(delayMs), delayMs);
  }

  async #relisten(waitedMs: number): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#listen();
    } catch (err) {
      this.#failedAttempts++;
      // One warning said the connection was lost; each failed retry is detail.
      this.options.log.debug({ err, attempts: this.#failedAttempts, waitedMs }, 'could not LISTEN again yet; retrying');
      if (!this.#stopped) this.#retryLater();
      return;
    }
    if (this.#stopped) return;
    this.options.log.info(
      { channel: this.options.channel, failedAttempts: this.#failedAttempts },
      'listening to PostgreSQL notifications again',
    );
    this.#failedAttempts = 0;
    this.options.onRelisten();
  }
}
