/**
 * What executeTry hands on to be stored is text PostgreSQL accepts: error messages and log lines
 * are cleaned, and a return value jsonb would refuse fails the try with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unstorableTextProblem } from '../../../src/core/text.ts';
import type { TaskFn } from '../../../src/sdk/context.ts';
import { SkipTask } from '../../../src/sdk/errors.ts';
import { executeTry } from '../../../workers/execute.ts';
import { envSecrets } from '../../support/env-secrets.ts';
import { tryInput } from '../../support/try-input.ts';

async function run(fn: TaskFn) {
  const lines: string[] = [];
  const execution = await executeTry(tryInput(fn, { writeLog: (line) => lines.push(line) }));
  return { ...execution, lines };
}

const refusedXcom = async (value: unknown, why: RegExp) => {
  const { result, xcomJson } = await run(async () => value);
  assert.equal(result.kind, 'failed', `${JSON.stringify(value)} should be refused`);
  assert.equal(result.kind === 'failed' && result.retryable, false);
  assert.match(result.kind === 'failed' ? result.error : '', /^the task's return value could not be stored as XCom: /);
  assert.match(result.kind === 'failed' ? result.error : '', why);
  assert.equal(xcomJson, undefined);
};

test('a return value with a lone surrogate (in a value or a key, however deep) fails the try, naming the problem', async () => {
  await refusedXcom('an emoji cut in half: \ud83d', /lone UTF-16 surrogate/);
  await refusedXcom({ nested: ['ok', { deep: 'x\udc00y' }] }, /lone UTF-16 surrogate/);
  await refusedXcom({ ['key\ud800']: 1 }, /lone UTF-16 surrogate/);
  // A backslash right before it: the escape that follows is still the surrogate's own.
  await refusedXcom('\\\ud800', /lone UTF-16 surrogate/);
});

test('a return value with a NUL fails the try, naming the problem', async () => {
  await refusedXcom({ text: 'a\u0000b' }, /NUL character/);
});

test('text that only looks like an escape, and whole surrogate pairs, are stored as they are', async () => {
  const values = ['a literal \\u0000 in text', 'a literal \\ud800 in text', '\\\\ud800', 'an emoji 😀 whole', { ['😀']: '\\udc00' }];
  for (const value of values) {
    const { result, xcomJson } = await run(async () => value);
    assert.deepEqual(result, { kind: 'success' }, JSON.stringify(value));
    assert.deepEqual(JSON.parse(xcomJson!), value);
  }
});

test("a failed try's error has NUL and lone surrogates replaced, the rest kept", async () => {
  const { result } = await run(async () => {
    throw new Error('bad\u0000byte and half \ud83d an emoji 😀');
  });
  assert.deepEqual(result, { kind: 'failed', error: 'bad\uFFFDbyte and half \uFFFD an emoji 😀', retryable: true });
});

test("a skipped try's reason is cleaned too", async () => {
  const { result } = await run(async () => {
    throw new SkipTask('nothing\u0000here');
  });
  assert.deepEqual(result, { kind: 'skipped', reason: 'nothing\uFFFDhere' });
});

test('every log line handed on is storable, whatever the task logged', async () => {
  const { lines } = await run(async (ctx) => {
    ctx.log.info('short \ud800 message');
    ctx.log.info({ ['key\udfff']: 'value \ud83d', nul: 'a\u0000b' }, 'fields');
    ctx.log.info(`${'long '.repeat(30)}\ud800`);
    throw new Error('with \u0000 and \udc00');
  });
  assert.ok(lines.length >= 4);
  for (const line of lines) assert.equal(unstorableTextProblem(line), undefined, JSON.stringify(line));
  assert.match(lines[0]!, /short \uFFFD message/);
});

test("each try's log lines go to its own log, also from loggers the task makes of ctx.log, at the try's level", async () => {
  const logs = new Map<string, string[]>();
  const start = (taskId: string, logLevel: string, fn: TaskFn) => {
    logs.set(taskId, []);
    return executeTry(tryInput(fn, { taskId, writeLog: (line) => logs.get(taskId)!.push(line), logLevel }));
  };
  const pause = () => new Promise((r) => setTimeout(r, 5));
  await Promise.all([
    start('a', 'info', async (ctx) => {
      ctx.log.info('a1');
      await pause();
      ctx.log.child({ part: 1 }).info('a2');
      ctx.log.debug('a-debug');
    }),
    start('b', 'debug', async (ctx) => {
      ctx.log.info('b1');
      await pause();
      ctx.log.debug('b-debug');
    }),
  ]);
  const msgs = (taskId: string) => logs.get(taskId)!.map((l) => JSON.parse(l) as { msg: string; part?: number });
  assert.deepEqual(msgs('a').map((l) => l.msg), ['a1', 'a2']);
  assert.equal(msgs('a')[1]!.part, 1);
  assert.deepEqual(msgs('b').map((l) => l.msg), ['b1', 'b-debug']);
});

test("the password and secret extra entries of a connection the try read, and its secret variables, are *** in its log and error", async () => {
  const lines: string[] = [];
  const uri = 'http://svc:S3cr3t%2Fpw@api.example.com/v1?api_key=k-98765&region=eu-1';
  const secrets = envSecrets({ SLUICE_CONN_API: uri, SLUICE_VAR_PARTNER_TOKEN: 'tok-abcdef', SLUICE_VAR_PARTNER_NAME: 'acme-corp' });
  const fn: TaskFn = async (ctx) => {
    const c = await ctx.connection('api');
    const token = await ctx.variable('partner_token');
    const plain = await ctx.variable('partner_name');
    ctx.log.info({ uri: c.uri, extra: c.extra }, `calling with ${c.password}, ${token} for ${plain}`);
    throw new Error(`refused ${c.password} ${c.extra.api_key} ${token}`);
  };
  const execution = await executeTry(tryInput(fn, { secrets, writeLog: (line) => lines.push(line) }));
  assert.deepEqual(execution.result, { kind: 'failed', error: 'refused *** *** ***', retryable: true });
  const log = lines.join('');
  for (const secret of ['S3cr3t/pw', 'S3cr3t%2Fpw', 'k-98765', 'tok-abcdef']) assert.equal(log.includes(secret), false, `${secret} in ${log}`);
  assert.match(log, /calling with \*\*\*, \*\*\* for acme-corp/);
  assert.match(log, /"region":"eu-1"/);
});

