import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { byteSizeSetting, formatByteSize, parseByteSize } from '../../../src/core/sizes.ts';

describe('byte sizes', () => {
  test('reads bytes, SI units (powers of 1000) and IEC units (powers of 1024), any case, with or without a space', () => {
    assert.equal(parseByteSize('1048576', 'X'), 1_048_576);
    assert.equal(parseByteSize('512B', 'X'), 512);
    assert.equal(parseByteSize('512KB', 'X'), 512_000);
    assert.equal(parseByteSize('20MB', 'X'), 20_000_000);
    assert.equal(parseByteSize('20 mb', 'X'), 20_000_000);
    assert.equal(parseByteSize('1GB', 'X'), 1_000_000_000);
    assert.equal(parseByteSize('64KiB', 'X'), 65_536);
    assert.equal(parseByteSize('1.5MiB', 'X'), 1_572_864);
    assert.equal(parseByteSize('1gib', 'X'), 1_073_741_824);
    assert.equal(parseByteSize(' 2kb ', 'X'), 2_000);
  });

  test('refuses what is not a size, saying where and what is accepted', () => {
    for (const bad of ['', 'lots', '20 megabytes', '-1MB', '1e6', 'MB', '1.2.3KB', '5 KB extra']) {
      assert.throws(() => parseByteSize(bad, 'SLUICE_TASK_LOG_LIMIT'), (error: Error) => {
        assert.match(error.message, /^SLUICE_TASK_LOG_LIMIT: /);
        assert.match(error.message, /'20MB'/);
        return true;
      }, bad);
    }
  });

  test('writes a size in the largest unit that divides it, else in bytes', () => {
    assert.equal(formatByteSize(20_000_000), '20 MB');
    assert.equal(formatByteSize(256_000), '256 KB');
    assert.equal(formatByteSize(1_048_576), '1 MiB');
    assert.equal(formatByteSize(65_536), '64 KiB');
    assert.equal(formatByteSize(1_500_000), '1,500 KB');
    assert.equal(formatByteSize(1_234_567), '1,234,567 bytes');
    assert.equal(formatByteSize(1), '1 byte');
    assert.equal(formatByteSize(0), '0 bytes');
  });

  test('writes a size as a setting that reads back as the same number of bytes', () => {
    for (const bytes of [40_000_000, 512_000, 2_097_152, 3_000, 1_234_567]) {
      assert.equal(parseByteSize(byteSizeSetting(bytes), 'X'), bytes);
    }
    assert.equal(byteSizeSetting(40_000_000), '40MB');
    assert.equal(byteSizeSetting(1_234_567), '1234567');
  });
});

describe('SLUICE_TASK_LOG_LIMIT', () => {
  test('defaults to 20 MB and takes a size with a unit or a number of bytes', () => {
    assert.equal(loadConfig({}).taskLogLimitBytes, 20_000_000);
    assert.equal(loadConfig({ SLUICE_TASK_LOG_LIMIT: '512KB' }).taskLogLimitBytes, 512_000);
    assert.equal(loadConfig({ SLUICE_TASK_LOG_LIMIT: '100MiB' }).taskLogLimitBytes, 104_857_600);
    assert.equal(loadConfig({ SLUICE_TASK_LOG_LIMIT: '4096' }).taskLogLimitBytes, 4096);
  });

  test('refuses a value that is not a size, or one too small or too large to be a per-try log limit', () => {
    assert.throws(() => loadConfig({ SLUICE_TASK_LOG_LIMIT: 'big' }), /SLUICE_TASK_LOG_LIMIT: "big" is not a size/);
    assert.throws(() => loadConfig({ SLUICE_TASK_LOG_LIMIT: '0' }), /SLUICE_TASK_LOG_LIMIT must be from 1 KiB to 1 GiB.*got "0"/);
    assert.throws(() => loadConfig({ SLUICE_TASK_LOG_LIMIT: '100' }), /SLUICE_TASK_LOG_LIMIT must be from 1 KiB to 1 GiB/);
    assert.throws(() => loadConfig({ SLUICE_TASK_LOG_LIMIT: '2GiB' }), /SLUICE_TASK_LOG_LIMIT must be from 1 KiB to 1 GiB/);
  });
});
