import pg from 'pg';

/** How long a lost listening connection waits before it connects again. */
const RECONNECT_MS = 1000;

/**
 * `LISTEN channel` on a dedicated connection (a pooled one would be handed to other work).
 * Only notifications whose payload names `schema` are delivered. A lost connection is replaced
 * after a pause, and `onNotify` runs once when it is back: notifications in between are lost.
 */
export async function listenOn(config: pg.ClientConfig, channel: string, schema: string, onNotify: () => void): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name "${channel}"`);
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client(config);
    const lost = () => {
      if (client !== c) return;
      client = undefined;
      c.end().catch(() => undefined);
      if (!stopped) retry = setTimeout(() => void reconnect(), RECONNECT_MS);
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n) => {
      if (n.channel === channel && (n.payload ?? '') === schema) onNotify();
    });
    client = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      lost();
      throw err;
    }
  };
  const reconnect = async () => {
    retry = undefined;
    if (stopped) return;
    try {
      await connect();
      onNotify();
    } catch {
      // lost() has scheduled the next attempt.
    }
  };

  try {
    await connect();
  } catch (err) {
    // The caller hears the failure and falls back; no retry may outlive it.
    stopped = true;
    clearTimeout(retry);
    throw err;
  }
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const c = client;
    client = undefined;
    await c?.end().catch(() => undefined);
  };
}
