import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core/errors';
import { blockedAddressReason, createGuardedFetch } from '@tributary/core/net';

describe('blockedAddressReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'this network'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'unique local (private)'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['not-an-ip', 'not an IP address'],
  ])('%s is blocked (%s)', (ip, reason) => {
    expect(blockedAddressReason(ip)).toBe(reason);
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => {
    expect(blockedAddressReason(ip)).toBeNull();
  });
});

describe('guarded fetch', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect-private') return void res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
      if (req.url === '/redirect-internal') return void res.writeHead(302, { location: 'http://internal.test/' }).end();
      if (req.url === '/redirect-metadata') return void res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json', 'x-seen': req.headers['x-test'] ?? '' }).end(JSON.stringify({ method: req.method, body, url: req.url })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  // Names resolved by the test's own DNS: "public.test" stands for a public site (allowed by name).
  const lookup = async (host: string) => {
    if (host === 'public.test' || host === 'evil.test') return [{ address: '127.0.0.1', family: 4 }];
    if (host === 'internal.test') return [{ address: '10.0.0.5', family: 4 }];
    throw new Error(`unexpected lookup ${host}`);
  };

  const expectRefused = async (p: Promise<unknown>, pattern: RegExp) => {
    try {
      await p;
      throw new Error('request went through');
    } catch (e) {
      const error = (e as { cause?: unknown }).cause && !isTributaryError(e) ? (e as { cause: unknown }).cause : e;
      expect(isTributaryError(error, 'forbidden')).toBe(true);
      expect((error as Error).message).toMatch(pattern);
    }
  };

  it('refuses literal private addresses by default', async () => {
    const fetch = createGuardedFetch({ lookup });
    await expectRefused(fetch(`http://127.0.0.1:${port}/`), /loopback/);
    await expectRefused(fetch('http://[::1]:1/'), /loopback/);
    await expectRefused(fetch('http://169.254.169.254/latest/meta-data/'), /metadata/);
    await expectRefused(fetch('http://metadata.google.internal/'), /cloud metadata/);
    await expectRefused(fetch('file:///etc/passwd'), /only http and https/);
  });

  it('refuses a DNS name that resolves to a private address, at connect time', async () => {
    await expectRefused(createGuardedFetch({ lookup })(`http://evil.test:${port}/`), /loopback/);
  });

  it('checks every redirect hop', async () => {
    const fetch = createGuardedFetch({ lookup, allowHosts: ['public.test'] });
    const ok = await fetch(`http://public.test:${port}/hello`);
    expect(ok.status).toBe(201);
    await expectRefused(fetch(`http://public.test:${port}/redirect-private`), /loopback/);
    await expectRefused(fetch(`http://public.test:${port}/redirect-internal`), /private/);
    await expectRefused(fetch(`http://public.test:${port}/redirect-metadata`), /metadata/);
  });

  it('behaves like fetch when private networks are allowed', async () => {
    const fetch = createGuardedFetch({ allowPrivateNetwork: true });
    const res = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: { 'x-test': 'yes' }, body: 'hello' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-seen')).toBe('yes');
    expect(res.url).toBe(`http://127.0.0.1:${port}/echo`);
    expect(await res.json()).toEqual({ method: 'POST', body: 'hello', url: '/echo' });
    const manual = await fetch(`http://127.0.0.1:${port}/redirect-private`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
  });

  it('honours abort signals', async () => {
    const fetch = createGuardedFetch({ allowPrivateNetwork: true });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(fetch(`http://127.0.0.1:${port}/`, { signal: controller.signal })).rejects.toThrow();
  });
});
