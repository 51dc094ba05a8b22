import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, afterEach, before, describe, it } from 'node:test';
import { email, emailMessage, SMTP_URL_VARIABLE } from '../../../src/notifiers/email.ts';
import { sampleContext, startSmtpReceiver, type SmtpReceiver } from '../../support/notification-receivers.ts';

/** A received message with folded header lines and quoted-printable soft line breaks undone, so long lines read whole. */
const unfold = (raw: string): string => raw.replace(/\r\n[ \t]+/g, ' ').replace(/=\r?\n/g, '');

describe('email notifier', () => {
  let server: SmtpReceiver;
  const savedUrl = process.env[SMTP_URL_VARIABLE];
  before(async () => (server = await startSmtpReceiver()));
  after(() => server.close());
  afterEach(() => {
    server.mails.length = 0;
    if (savedUrl === undefined) delete process.env[SMTP_URL_VARIABLE];
    else process.env[SMTP_URL_VARIABLE] = savedUrl;
  });

  it('sends a mail to every recipient, with the event in the subject and every field and the link in the body', async () => {
    const c = sampleContext();
    await email({ to: ['ops@example.com', 'Data Team <data@example.com>'], from: 'alerts@example.com', smtpUrl: server.url })(c);
    assert.equal(server.mails.length, 1);
    const [mail] = server.mails;
    assert.equal(mail!.from, 'alerts@example.com');
    assert.deepEqual(mail!.to, ['ops@example.com', 'data@example.com']);
    const raw = unfold(mail!.raw);
    assert.match(raw, /^Subject: \[sluice\] task_failure: orders_daily \/ load \(run manual__2026-12-07T10:00:00\.000Z\)\r?$/m);
    assert.match(raw, /^To: ops@example\.com, Data Team <data@example\.com>\r?$/m);
    for (const line of ['DAG: orders_daily', 'Task: load', 'Try: 3', 'State: failed', 'Logical date: 2026-12-07T10:00:00.000Z', 'Error: relation "orders" does not exist', `Link: ${c.url}`]) {
      assert.ok(raw.includes(line), `the body has "${line}":\n${raw}`);
    }
  });

  it('reads SLUICE_SMTP_URL when it runs, and sends from sluice@<host name> by default', async () => {
    const notify = email({ to: 'ops@example.com' });
    process.env[SMTP_URL_VARIABLE] = server.url;
    await notify(sampleContext());
    assert.equal(server.mails[0]!.from, `sluice@${hostname()}`);
  });

  it('without an SMTP server to use, fails saying which variable to set', async () => {
    delete process.env[SMTP_URL_VARIABLE];
    await assert.rejects(email({ to: 'ops@example.com' })(sampleContext()), {
      message: /^email: no SMTP server: set SLUICE_SMTP_URL where the workers run \(e\.g\. smtp:\/\/.*\), or pass email\(\{ smtpUrl \}\)$/,
    });
    process.env[SMTP_URL_VARIABLE] = 'http://user:s3cr3t@mail.example.com';
    await assert.rejects(email({ to: 'ops@example.com' })(sampleContext()), (error: Error) => {
      assert.match(error.message, /^SLUICE_SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
      assert.ok(!error.message.includes('s3cr3t'));
      return true;
    });
  });

  it('fails with the server’s reason when it refuses the mail, naming the server without its password', async () => {
    const refusing = await startSmtpReceiver({
      onRcptTo(address, _session, callback) {
        if (address.address === 'nobody@example.com') callback(Object.assign(new Error('5.1.1 no such mailbox here'), { responseCode: 550 }));
        else callback();
      },
    });
    try {
      const url = refusing.url.replace('smtp://', 'smtp://sluice:s3cr3t@');
      await assert.rejects(email({ to: 'nobody@example.com', smtpUrl: url })(sampleContext()), (error: Error) => {
        assert.match(error.message, new RegExp(`^email to nobody@example\\.com through ${refusing.url} failed: .*550 5\\.1\\.1 no such mailbox here`));
        assert.ok(!error.message.includes('s3cr3t'), error.message);
        return true;
      });
      assert.equal(refusing.mails.length, 0);
    } finally {
      await refusing.close();
    }
  });

  it('fails with the reason when no server listens', async () => {
    const gone = await startSmtpReceiver();
    await gone.close();
    await assert.rejects(email({ to: 'ops@example.com', smtpUrl: gone.url })(sampleContext()), {
      message: new RegExp(`^email to ops@example\\.com through ${gone.url} failed: .*ECONNREFUSED`),
    });
  });

  it('describes itself by its recipients', () => {
    assert.deepEqual(email({ to: ['ops@example.com', 'me@example.com'] }).notifier, { kind: 'email', describe: 'email → ops@example.com, me@example.com' });
  });
});

describe('email options, checked when the notifier is made', () => {
  const refused: Array<[string, unknown, RegExp]> = [
    ['no recipient', {}, /^email\(\): to is missing: pass who receives the mail, e\.g\. to: 'ops@example\.com'/],
    ['an empty list', { to: [] }, /^email\(\): to is an empty array/],
    ['something that is not an address', { to: ['ops@example.com', 'ops'] }, /^email\(\): to\[1\] "ops" is not an email address; write 'ops@example\.com' or 'Ops <ops@example\.com>'$/],
    ['several addresses in one string', { to: 'a@example.com, b@example.com' }, /^email\(\): to "a@example\.com, b@example\.com" holds several addresses; pass them as an array/],
    ['a line break (a header injected)', { to: 'a@example.com\r\nBcc: x@example.com' }, /^email\(\): to contains a line break/],
    ['a bad sender', { to: 'a@example.com', from: 42 }, /^email\(\): from must be an email address string; got a number$/],
    ['an SMTP URL of another scheme', { to: 'a@example.com', smtpUrl: 'https://u:s3cr3t@mail.example.com' }, /^email\(\): smtpUrl must be an smtp:\/\/ or smtps:\/\/ URL .*; got a https:\/\/ URL$/],
    ['an SMTP URL that does not parse', { to: 'a@example.com', smtpUrl: 'smtp://u:s3cr3t@@mail example' }, /^email\(\): smtpUrl is not a valid URL .*percent-encode/],
    ['an unknown option', { to: 'a@example.com', smtpURL: 'smtp://x' }, /unknown option "smtpURL"; did you mean "smtpUrl"\?/],
  ];
  for (const [what, options, message] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => email(options as never),
        (error: Error) => message.test(error.message) && !error.message.includes('s3cr3t'),
      );
    });
  }
});

describe('emailMessage', () => {
  it('names a DAG event without task or try lines', () => {
    const { subject, text } = emailMessage(sampleContext({ event: 'dag_failure', taskId: null, tryNumber: null, error: 'task load failed' }));
    assert.equal(subject, '[sluice] dag_failure: orders_daily (run manual__2026-12-07T10:00:00.000Z)');
    assert.ok(!/^Task:|^Try:/m.test(text), text);
    assert.match(text, /^Error: task load failed$/m);
  });
});
