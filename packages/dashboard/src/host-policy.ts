import { isIP } from 'node:net';

/** Host names that always mean this machine. */
const LOOPBACK_NAMES = new Set(['localhost', 'localhost.', 'ip6-localhost', 'ip6-loopback']);

/**
 * Whether `host` (a name or an address, IPv6 with or without brackets) only reaches this
 * machine: `localhost`, 127.0.0.0/8, ::1 (and ::ffff:127.x.y.z).
 *
 * @example isLoopbackHost('127.0.0.1') // true; isLoopbackHost('0.0.0.0') // false
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (LOOPBACK_NAMES.has(h)) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(h) || /^::ffff:127\./.test(h);
  return false;
}

/** The host name part of a Host header (`127.0.0.1:6006` -> `127.0.0.1`, `[::1]:80` -> `::1`). */
export function hostHeaderName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/**
 * Whether a request's Host header may be served. A dashboard bound to loopback answers only
 * requests addressed to a loopback name, so a web page on another site cannot reach it through a
 * DNS name re-pointed at 127.0.0.1 (DNS rebinding); with `allowRemote` any Host is served.
 */
export function hostHeaderAllowed(header: string | undefined, allowRemote: boolean): boolean {
  if (allowRemote) return true;
  if (!header) return false;
  return isLoopbackHost(hostHeaderName(header));
}
