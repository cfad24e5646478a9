import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a fault test controls. `stall()` makes the service look alive but mute: connections
 * are still accepted, nothing is forwarded in either direction, and connections caught in the
 * stall stay mute for good (a client must notice and drop them). `stop()` makes it look down
 * (connections reset, new ones refused); `start()` brings it back on the same port.
 */
export class TcpProxy {
  private server?: Server;
  private stalled = false;
  private readonly live = new Set<{ client: Socket; upstream?: Socket; mute: boolean }>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  private accept(client: Socket): void {
    const pair: { client: Socket; upstream?: Socket; mute: boolean } = { client, mute: this.stalled };
    this.live.add(pair);
    const drop = () => {
      this.live.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', drop);
    client.on('close', drop);
    if (pair.mute) {
      // Accepted, read and ignored: the client waits for an answer that never comes.
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', drop);
    upstream.on('close', drop);
    client.on('data', (chunk) => {
      if (!pair.mute) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.mute) client.write(chunk);
    });
  }

  /** From now on nothing is forwarded, on existing or new connections; existing ones stay mute after `unstall()`. */
  stall(): void {
    this.stalled = true;
    for (const pair of this.live) pair.mute = true;
  }

  /** New connections work again; connections caught in the stall do not. */
  unstall(): void {
    this.stalled = false;
  }

  /** Connections reset, the port closed: the service is down. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    for (const pair of this.live) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.live.clear();
    await closed;
    this.server = undefined;
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }
}
