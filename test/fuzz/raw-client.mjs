// Raw TCP clients for the intake limit tests, run in their own process: the test process's HTTP
// interceptor (nock) buffers a request until it is complete, which would hide what the server does
// with an unfinished one.
//   node raw-client.mjs exchange <port> <json {head, body?, abortAfterMs?, ms?}>  → prints {"answer": ...}
//   node raw-client.mjs slow <port> <count> <ms>                                 → prints {"closedByServer": n, "stillOpen": n}
import net from 'node:net';

const [mode, port, a, b] = process.argv.slice(2);

if (mode === 'exchange') {
  const o = JSON.parse(a);
  let answer = '';
  const s = net.connect(Number(port), '127.0.0.1', () => {
    s.write(o.head);
    if (o.body) s.write(o.body);
    if (o.abortAfterMs !== undefined) setTimeout(() => s.destroy(), o.abortAfterMs);
  });
  const timer = setTimeout(() => s.destroy(), o.ms ?? 30000);
  s.on('data', (c) => (answer += c.toString()));
  s.on('error', () => undefined);
  s.on('close', () => {
    clearTimeout(timer);
    console.log(JSON.stringify({ answer }));
  });
} else if (mode === 'slow') {
  const count = Number(a);
  let closedByServer = 0;
  let open = 0;
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      open += 1;
      s.write('POST /webhooks/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    });
    s.resume();
    s.on('error', () => undefined);
    const drip = setInterval(() => s.writable && s.write(' '), 300);
    s.on('close', () => {
      clearInterval(drip);
      if (!s.mine) closedByServer += 1;
    });
    sockets.push(s);
  }
  const check = setInterval(() => {
    if (sockets.every((s) => s.destroyed)) finish();
  }, 100);
  const finish = () => {
    clearInterval(check);
    const stillOpen = sockets.filter((s) => !s.destroyed).length;
    for (const s of sockets) {
      s.mine = true;
      s.destroy();
    }
    console.log(JSON.stringify({ closedByServer, stillOpen, connected: open }));
    process.exit(0);
  };
  setTimeout(finish, Number(b));
}
