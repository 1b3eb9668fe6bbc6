import { describe, expect, it } from 'vitest';
import { hostHeaderAllowed, hostHeaderName, isLoopbackHost } from './host-policy.js';

describe('host policy', () => {
  it('knows loopback addresses and names', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', 'localhost.example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('reads the host name out of a Host header', () => {
    expect(hostHeaderName('127.0.0.1:6066')).toBe('127.0.0.1');
    expect(hostHeaderName('[::1]:6066')).toBe('::1');
    expect(hostHeaderName('Localhost')).toBe('localhost');
  });

  it('serves only loopback Host headers unless remote access is allowed (DNS rebinding)', () => {
    expect(hostHeaderAllowed('localhost:6066', false)).toBe(true);
    expect(hostHeaderAllowed('127.0.0.1:6066', false)).toBe(true);
    expect(hostHeaderAllowed('[::1]:6066', false)).toBe(true);
    expect(hostHeaderAllowed('evil.example:6066', false)).toBe(false);
    expect(hostHeaderAllowed(undefined, false)).toBe(false);
    expect(hostHeaderAllowed('evil.example', true)).toBe(true);
  });
});
