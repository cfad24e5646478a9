// The `hub` executable's entry (bin/hub.js imports it); main.ts stays importable without running.
import { main } from './main.js';

await main();
