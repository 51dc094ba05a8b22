/** `email({ to, from?, smtpUrl? })`: a plain-text mail through an SMTP server (nodemailer). */
import { checkOptionsObject } from '../sdk/validate.ts';
import { hostname } from 'node:os';
import { defineNotifier, type CallbackContext, type Notifier } from '../sdk/callbacks.ts';
import { detailLines, headline } from './payload.ts';

export interface EmailOptions {
  /** One address or several: 'ops@example.com', ['Ops <ops@example.com>', 'me@example.com']. */
  to: string | readonly string[];
  /** Default `sluice@<this machine's host name>`. */
  from?: string;
  /**
   * smtp://user:password@host:587 (STARTTLS when the server offers it) or smtps://…:465 (TLS
   * from the start). Default: SLUICE_SMTP_URL, read where and when the notifier runs (a worker).
   */
  smtpUrl?: string;
}

export const SMTP_URL_VARIABLE = 'SLUICE_SMTP_URL';

// nodemailer's defaults (2 min to connect, 10 min of silence) would hold a callback's try far
// longer than a mail server that answers at all ever needs.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export function email(options: EmailOptions): Notifier {
  const given = checkOptionsObject(options, 'email()', ['to', 'from', 'smtpUrl']);
  const to = checkRecipients(given.to);
  const from = given.from === undefined ? undefined : checkAddress(given.from, 'email(): from');
  const smtpUrl = given.smtpUrl === undefined ? undefined : checkSmtpUrl(given.smtpUrl, 'email(): smtpUrl');
  return defineNotifier({ kind: 'email', describe: `email → ${to.join(', ')}` }, async (c) => {
    const server = smtpUrl ?? smtpUrlFromEnvironment();
    await send(server, { from: from ?? `sluice@${hostname()}`, to, ...emailMessage(c) });
  });
}

/** The subject and text of the mail about `c`: every field, and the link to the run or try. */
export function emailMessage(c: CallbackContext): { subject: string; text: string } {
  return { subject: `[sluice] ${headline(c)}`, text: `${headline(c)}\n\n${detailLines(c).join('\n')}\n` };
}

async function send(server: URL, mail: { from: string; to: string[]; subject: string; text: string }): Promise<void> {
  // Imported when a mail is sent, not with the module: every DAG file importing
  // 'sluice/notifiers' is parsed by the scheduler, which never sends one.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({ url: server.href, ...SMTP_TIMEOUTS });
  try {
    await transport.sendMail(mail);
  } catch (error) {
    // nodemailer's message holds the server's reply ("…rejected: 550 5.1.1 no such user") or
    // the connection's failure; the server is named without its credentials.
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`email to ${mail.to.join(', ')} through ${server.protocol}//${server.host} failed: ${reason}`, { cause: error });
  } finally {
    transport.close();
  }
}

function smtpUrlFromEnvironment(): URL {
  const value = process.env[SMTP_URL_VARIABLE];
  if (value === undefined || value.trim() === '') {
    throw new Error(
      `email: no SMTP server: set ${SMTP_URL_VARIABLE} where the workers run (e.g. smtp://user:password@mail.example.com:587), or pass email({ smtpUrl })`,
    );
  }
  return checkSmtpUrl(value, SMTP_URL_VARIABLE);
}

/** An smtp:// or smtps:// URL with a host. Never quoted in errors: it may hold a password. */
function checkSmtpUrl(value: unknown, where: string): URL {
  const example = 'e.g. smtp://user:password@mail.example.com:587 or smtps://…:465';
  if (typeof value !== 'string') throw new Error(`${where} must be a URL string (${example}); got a ${value === null ? 'null' : typeof value}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${where} is not a valid URL (${example}); percent-encode : / ? # @ in the user name or password`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`${where} must be an smtp:// or smtps:// URL (${example}); got a ${url.protocol}// URL`);
  if (url.hostname === '') throw new Error(`${where} names no host (${example})`);
  return url;
}

function checkRecipients(value: unknown): string[] {
  const example = "e.g. to: 'ops@example.com' or to: ['ops@example.com', 'me@example.com']";
  if (value === undefined) throw new Error(`email(): to is missing: pass who receives the mail, ${example}`);
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new Error(`email(): to is an empty array: pass at least one address, ${example}`);
  return list.map((item, i) => checkAddress(item, Array.isArray(value) ? `email(): to[${i}]` : 'email(): to'));
}

// An address as people write it: `local@domain`, or `Name <local@domain>`.
const BARE_ADDRESS = /^[^\s<>@,;"]+@[^\s<>@,;"]+$/;
const NAMED_ADDRESS = /^[^<>\r\n]*<[^\s<>@,;"]+@[^\s<>@,;"]+>$/;

function checkAddress(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where} must be an email address string; got a ${value === null ? 'null' : typeof value}`);
  const address = value.trim();
  if (/[\r\n]/.test(address)) throw new Error(`${where} contains a line break; an address is one line`);
  if (!NAMED_ADDRESS.test(address) && address.includes(',')) {
    throw new Error(`${where} "${address}" holds several addresses; pass them as an array, to: ['a@example.com', 'b@example.com']`);
  }
  if (!BARE_ADDRESS.test(address) && !NAMED_ADDRESS.test(address)) {
    throw new Error(`${where} "${address}" is not an email address; write 'ops@example.com' or 'Ops <ops@example.com>'`);
  }
  return address;
}
