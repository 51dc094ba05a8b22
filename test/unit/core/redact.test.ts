import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { redactError, redactSecrets } from '../../../src/core/redact.ts';

const PW = 's3cr3t-P4ss';

test('the password of a connection string is masked, valid URL or not; user, host and path stay', () => {
  const cases: [string, string][] = [
    [`mongodb://etl:${PW}@db.internal:27017/shop`, 'mongodb://etl:***@db.internal:27017/shop'],
    [`mongo://user:${PW}@host`, 'mongo://user:***@host'],
    [`postgres://u:${PW}@h/db?password=${PW}`, 'postgres://u:***@h/db?password=***'],
    [`postgres://u:${PW}@h:notaport/db`, 'postgres://u:***@h:notaport/db'],
    [`mongodb://u:${PW}@h1:27017,h2:27017/shop?replicaSet=rs0&authSource=admin`, 'mongodb://u:***@h1:27017,h2:27017/shop?replicaSet=rs0&authSource=admin'],
    [`mongodb+srv://u:${PW}@cluster0.example.net/shop`, 'mongodb+srv://u:***@cluster0.example.net/shop'],
    [`redis://:${PW}@127.0.0.1:6379/0`, 'redis://:***@127.0.0.1:6379/0'],
    [`rediss://default:${PW}@cache:6380`, 'rediss://default:***@cache:6380'],
    [`http://key:${PW}@127.0.0.1:9000`, 'http://key:***@127.0.0.1:9000'],
    [`POSTGRES://u:${PW}@h/db`, 'POSTGRES://u:***@h/db'],
    // Characters a password should have percent-encoded, written raw: the last '@' ends it.
    [`postgres://u:pa@ss/w0rd?x#${PW}@h/db`, 'postgres://u:***@h/db'],
    ['postgres://u:p%40ss%2F@h/db', 'postgres://u:***@h/db'],
  ];
  for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input);
});

test('connection strings without a password are left as they are', () => {
  for (const text of [
    'postgres://postgres@127.0.0.1:5432/sluice',
    'redis://127.0.0.1:6379/0',
    'http://127.0.0.1:9000',
    'mongodb://127.0.0.1:27017/shop?appName=sluice&authSource=admin',
    'file:///tmp/dags/a.ts?v=1',
    'password authentication failed for user "etl"',
    'connect ECONNREFUSED 127.0.0.1:5432',
  ]) {
    assert.equal(redactSecrets(text), text);
  }
});

test('URLs inside a longer message, several of them, quoted or in brackets', () => {
  const message =
    `MONGO_URL must be a MongoDB connection string such as mongodb://127.0.0.1:27017/shop, got "mongo://etl:${PW}@h/shop"; ` +
    `(warehouse postgres://wh:${PW}@db:5432/wh) and <redis://:${PW}@cache:6379>, then 'postgres://a:${PW}@b/c'.`;
  const redacted = redactSecrets(message);
  assert.ok(!redacted.includes(PW), redacted);
  assert.match(redacted, /got "mongo:\/\/etl:\*\*\*@h\/shop"/);
  assert.match(redacted, /\(warehouse postgres:\/\/wh:\*\*\*@db:5432\/wh\)/);
  assert.match(redacted, /<redis:\/\/:\*\*\*@cache:6379>/);
  assert.match(redacted, /'postgres:\/\/a:\*\*\*@b\/c'/);
});

test('secret settings written as key=value are masked: URL parameters, libpq keywords, environment assignments', () => {
  const cases: [string, string][] = [
    [`host=db password=${PW} dbname=wh`, 'host=db password=*** dbname=wh'],
    [`host=db password='${PW} x' dbname=wh`, 'host=db password=*** dbname=wh'],
    [`S3_SECRET_ACCESS_KEY=${PW} S3_BUCKET=b`, 'S3_SECRET_ACCESS_KEY=*** S3_BUCKET=b'],
    [`https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=${PW}&x-id=GetObject`, 'https://bucket.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***&x-id=GetObject'],
    [`mongodb://h/shop?authMechanismProperties=AWS_SESSION_TOKEN:${PW}`, 'mongodb://h/shop?authMechanismProperties=***'],
    [`postgres://h/db?sslpassword=${PW}&sslmode=require`, 'postgres://h/db?sslpassword=***&sslmode=require'],
  ];
  for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input);
});

test('redacting twice changes nothing more', () => {
  const once = redactSecrets(`postgres://u:${PW}@h/db?password=${PW} and password=${PW}`);
  assert.equal(redactSecrets(once), once);
});

test('redactError masks the message, the stack, string properties and the causes, in place, keeping class and code', () => {
  const cause = Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL', input: `postgres://u:${PW}@h:x/db` });
  class DriverError extends Error {
    code = '28P01';
  }
  const error = new DriverError(`could not connect to postgres://u:${PW}@h/db`, { cause });
  const redacted = redactError(error);
  assert.equal(redacted, error);
  assert.ok(redacted instanceof DriverError);
  assert.equal(redacted.code, '28P01');
  assert.equal(redacted.message, 'could not connect to postgres://u:***@h/db');
  assert.equal(cause.input, 'postgres://u:***@h:x/db');
  assert.equal(cause.code, 'ERR_INVALID_URL');
  assert.ok(!inspect(redacted, { depth: 10 }).includes(PW), inspect(redacted, { depth: 10 }));
});

test('redactError takes anything thrown: a string becomes an Error with the secret masked', () => {
  const redacted = redactError(`boom at mongodb://u:${PW}@h`);
  assert.ok(redacted instanceof Error);
  assert.equal(redacted.message, 'boom at mongodb://u:***@h');
  const aggregate = redactError(new AggregateError([new Error(`one postgres://a:${PW}@b`)], 'several'));
  assert.ok(!inspect(aggregate, { depth: 10 }).includes(PW));
});
