import { describe, expect, it } from 'vitest';
import { diffTrees } from './reload.js';

describe('diffTrees', () => {
  it('keys connectors by id, shows values from the redacted copy and lists added and removed leaves', () => {
    const before = { server: { port: 1 }, connectors: [{ id: 'a', settings: { x: 1 }, credentials: { hmacSecret: 'old-secret' } }] };
    const after = {
      server: { port: 1 },
      connectors: [
        { id: 'b', settings: {}, credentials: { apiKey: 'b-key' } },
        { id: 'a', settings: { x: 2 }, credentials: { hmacSecret: 'new-secret' } },
      ],
    };
    const shown = (c: typeof after) => ({ ...c, connectors: c.connectors.map((x) => ({ ...x, credentials: '[redacted]' })) });
    const changes = diffTrees(before, after, shown(before), shown(after));
    expect(changes).toEqual([
      { path: 'connectors[a].settings.x', before: 1, after: 2 },
      { path: 'connectors[a].credentials.hmacSecret', before: '[redacted]', after: '[redacted]' },
      { path: 'connectors[b]', after: { id: 'b', settings: {}, credentials: '[redacted]' } },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/old-secret|new-secret|b-key/);
  });
});
