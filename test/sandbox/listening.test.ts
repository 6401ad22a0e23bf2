import { readFileSync } from 'node:fs';
import http from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';

/** A GET with a Host header of our choosing (fetch does not let one set it). */
function get(address: string, port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: address, port, path, headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.setTimeout(3000, () => request.destroy(new Error('timeout')));
  });
}

describe('the sandbox keeps to this machine', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(loadConfig({ HTTP_PORT: '0' }), silentLogger, {
      announce: () => {},
      template: new Blob([readFileSync(inject('pgliteTemplate'))]),
    });
  });
  afterAll(() => sandbox?.stop());

  it('answers a page opened as localhost', async () => {
    expect(await get('127.0.0.1', sandbox.httpPort, '/sandbox', `localhost:${sandbox.httpPort}`)).toBe(200);
  });

  it('refuses a request for another host name (DNS rebinding)', async () => {
    expect(await get('127.0.0.1', sandbox.httpPort, '/sandbox/api/state', 'attacker.example')).toBe(421);
    expect(await get('127.0.0.1', sandbox.httpPort, '/sandbox', `rebind.example:${sandbox.httpPort}`)).toBe(
      421,
    );
  });

  it('listens on 127.0.0.1 only, not on the machine’s network address', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((net) => net && net.family === 'IPv4' && !net.internal)?.address;
    if (!external) return; // A machine with no network interface has nothing to expose.
    await expect(get(external, sandbox.httpPort, '/sandbox', 'localhost')).rejects.toThrow(/ECONNREFUSED/);
  });
});
