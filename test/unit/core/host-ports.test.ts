import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostPorts } from '../../../src/core/host-ports.ts';

describe('parseHostPorts', () => {
  test('host:port entries, IPv6 in brackets, spaces and a trailing comma allowed', () => {
    assert.deepEqual(parseHostPorts(' redis-a:7000, 10.0.0.2:7001,[::1]:7002, ', 'V'), [
      { host: 'redis-a', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
  });
  test('a bad entry is named, with its position and the form expected', () => {
    for (const [text, bad] of [
      ['a:1,b', 'entry 2 "b"'],
      ['redis://a:6379', 'entry 1 "redis://a:6379"'],
      ['a:0', 'entry 1 "a:0"'],
      ['a:70000', 'entry 1 "a:70000"'],
      ['::1:6379', 'entry 1 "::1:6379"'],
      ['a:6379,user@b:6379', 'entry 2 "user@b:6379"'],
    ] as const) {
      assert.throws(() => parseHostPorts(text, 'V'), (e: Error) => e.message.startsWith(`V: ${bad} is not a host:port`) && e.message.includes('host:port with a port from 1 to 65535'), text);
    }
    assert.throws(() => parseHostPorts(' , ', 'V'), /V lists no node/);
  });
});
