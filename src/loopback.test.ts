import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostNameOf, isLoopbackName } from './loopback.ts';

test('host names of Host headers and HOST settings, and which are loopback', () => {
  assert.equal(hostNameOf('LocalHost:8080'), 'localhost');
  assert.equal(hostNameOf('[::1]:8080'), '[::1]');
  assert.equal(hostNameOf('::1'), '[::1]');
  assert.equal(hostNameOf('127.0.0.1'), '127.0.0.1');
  assert.equal(hostNameOf('evil.example:80'), 'evil.example');
  assert.equal(hostNameOf('a:b:c]'), undefined);
  for (const name of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]']) assert.ok(isLoopbackName(hostNameOf(name)), name);
  for (const name of ['0.0.0.0', 'evil.example', '127.0.0.1.evil.example', '[::2]']) assert.ok(!isLoopbackName(hostNameOf(name)), name);
});
