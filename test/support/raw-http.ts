import http from 'node:http';
import net from 'node:net';

/** What an upload saw: the answer, and how much of the body had been sent when the answer came. */
export interface UploadResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Bytes of the body written by the time the answer's headers arrived. */
  sentWhenAnswered: number;
  /** Whether the server closed the connection after answering. */
  closed: boolean;
}

export interface UploadOptions {
  method: 'POST' | 'PUT';
  path: string;
  headers?: Record<string, string>;
  /** The Content-Length to declare; without it the body goes chunked (no Content-Length). */
  declaredLength?: number;
  /** Bytes to send at most; the upload stops there (without ending) when it is less than declared. */
  send: number;
  chunkBytes?: number;
  /** Gives up (rejects) when no answer came by then. */
  timeoutMs?: number;
}

/**
 * Sends a body over a raw `http.request` and resolves with the server's answer as soon as it comes,
 * while the body may still be on its way: a server that answers before reading the body answers here
 * with `sentWhenAnswered` below the body's size.
 */
export function upload(port: number, options: UploadOptions): Promise<UploadResult> {
  const chunk = Buffer.alloc(options.chunkBytes ?? 64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: options.method,
      path: options.path,
      agent: false,
      headers: {
        ...options.headers,
        ...(options.declaredLength !== undefined ? { 'content-length': String(options.declaredLength) } : {}),
      },
    });
    // The headers go out at once, before any of the body.
    req.flushHeaders();
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms (sent ${sent} bytes)`));
    }, options.timeoutMs ?? 10_000);
    req.on('response', (response) => {
      answered = true;
      const sentWhenAnswered = sent;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        body += text;
      });
      const finish = () => {
        clearTimeout(timer);
        // Whether the server ends the connection: wait a moment for the socket to close.
        const socket = req.socket;
        const done = (closed: boolean) => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            sentWhenAnswered,
            closed,
          });
          req.destroy();
        };
        if (!socket || socket.destroyed) return done(true);
        const wait = setTimeout(() => done(false), 1000);
        socket.once('close', () => {
          clearTimeout(wait);
          done(true);
        });
      };
      response.on('end', finish);
      response.on('error', finish);
      response.on('aborted', finish);
    });
    // Writing into a connection the server closed fails; the answer (if any) still counts.
    req.on('error', (error) => {
      if (!answered) {
        clearTimeout(timer);
        reject(error);
      }
    });
    void (async () => {
      while (sent < options.send && !answered && !req.destroyed) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.send - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          await new Promise<void>((next) => {
            const go = () => {
              req.off('drain', go);
              req.off('response', go);
              req.off('close', go);
              next();
            };
            req.once('drain', go);
            req.once('response', go);
            req.once('close', go);
          });
        }
      }
      // A declared body sent whole ends; a shorter or chunked one stays open, as a client still sending.
      const whole = options.declaredLength !== undefined && sent >= options.declaredLength;
      if (whole && !answered && !req.destroyed) req.end();
    })();
  });
}

/** A request that declares a body, sends its first bytes and then waits: it holds the server reading. */
export function holdUpload(
  port: number,
  options: { method: 'POST' | 'PUT'; path: string; headers: Record<string, string>; declaredLength: number },
): { request: http.ClientRequest; answer: Promise<number> } {
  const request = http.request({
    host: '127.0.0.1',
    port,
    method: options.method,
    path: options.path,
    agent: false,
    headers: { ...options.headers, 'content-length': String(options.declaredLength) },
  });
  const answer = new Promise<number>((resolve) => {
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(-1));
    request.on('close', () => resolve(-1));
  });
  request.write(Buffer.alloc(1024, 0x20));
  return { request, answer };
}

/**
 * A slow-loris client: opens a connection, sends the start of a request's headers and one more header
 * line every `everyMs`, never finishing them. Resolves with how long the server kept the connection.
 */
export function slowLoris(port: number, options: { everyMs: number; giveUpMs: number }): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let lines = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve(Date.now() - started);
    };
    const giveUp = setTimeout(() => {
      socket.destroy();
      finish();
    }, options.giveUpMs);
    socket.on('connect', () => {
      socket.write('PUT /api/v1/roster HTTP/1.1\r\nHost: localhost\r\n');
      timer = setInterval(() => {
        lines += 1;
        if (!socket.destroyed) socket.write(`X-Slow-${lines}: ${'a'.repeat(10)}\r\n`);
      }, options.everyMs);
    });
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', finish);
  });
}
