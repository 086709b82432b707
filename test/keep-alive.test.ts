import { connect, type Socket } from 'node:net';
import { startProcessStack, type ProcessStack } from './support/processes';

/** Sends one request on the socket and resolves with the whole response head and body (Content-Length framed). */
function request(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (chunk: Buffer) => {
      data += chunk.toString('utf8');
      const headEnd = data.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(data.slice(0, headEnd))?.[1] ?? 0);
      if (data.length >= headEnd + 4 + length) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(data);
      }
    };
    const onClose = () => reject(new Error(`the server closed the connection; got: ${JSON.stringify(data)}`));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe('keep-alive connections to the api', () => {
  let procs: ProcessStack;
  beforeAll(async () => {
    procs = await startProcessStack();
  }, 120_000);
  afterAll(async () => {
    await procs?.stop();
  });

  test('when a client sends on a keep-alive connection idle for longer than Node’s default 5 s, then it gets its answer (the client, not the server, closes idle connections)', async () => {
    const { port } = new URL(procs.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    try {
      const first = await request(socket, '/health');
      expect(first).toMatch(/^HTTP\/1\.1 200/);
      expect(first).toMatch(/keep-alive: timeout=65/i);
      await new Promise((resolve) => setTimeout(resolve, 7000));
      const second = await request(socket, '/health');
      expect(second).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      socket.destroy();
    }
  }, 60_000);
});
