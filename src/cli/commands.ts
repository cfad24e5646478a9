import { Option, type Command } from 'commander';

/**
 * The `hub` commands, module by module, without loading any: each module pulls in connectors,
 * queues or the database, which takes seconds, and `hub --help` needs none of that. `commands`
 * are the top-level usages (`[options]` when the command has any) and descriptions as each module
 * registers them (a test checks they agree).
 */
export interface CommandModule {
  commands: readonly (readonly [usage: string, description: string])[];
  load(): Promise<(program: Command) => void>;
}

export const COMMAND_MODULES: readonly CommandModule[] = [
  {
    commands: [
      ['start [options]', 'run the API and the workers in one process (embedded database unless DATABASE_URL is set)'],
      ['api [options]', 'run only the HTTP side: webhook intake, ops API, metrics (needs DATABASE_URL)'],
      ['worker [options]', 'run only workers; start as many as you like against one Redis and PostgreSQL (needs DATABASE_URL)'],
    ],
    load: async () => (await import('./start.js')).registerStartCommand,
  },
  { commands: [['config', 'work with the hub configuration']], load: async () => (await import('./config.js')).registerConfigCommands },
  {
    commands: [['connectors', 'probe connectors (check) and onboard a store (setup)']],
    load: async () => (await import('./connectors.js')).registerConnectorsCommands,
  },
  {
    commands: [
      [
        'apply [options] <events.jsonl>',
        'validate and apply canonical events (one JSON per line) in order, up to 100 per transaction as the workers do; reports each failure with its line number and goes on; exits 1 if any failed',
      ],
      ['inventory [options] <sku>', 'balances of a SKU per location and state, and availableToSell per channel; exits 1 for an unknown SKU'],
      ['ledger', 'the inventory ledger'],
    ],
    load: async () => (await import('./erp.js')).registerErpCommands,
  },
  {
    commands: [
      [
        'order [options] <ref>',
        'an order (external order id, order number, or --by id) with its lines and order-to-cash hops: when, through which connector, under which external id',
      ],
    ],
    load: async () => (await import('./order.js')).registerOrderCommand,
  },
  { commands: [['dlq', 'inspect, replay and discard dead letters (failed syncs)']], load: async () => (await import('./dlq.js')).registerDlqCommands },
  {
    commands: [
      [
        'demo [options]',
        'run simulated Shopify, eBay, ShipStation, EasyPost and QuickBooks systems against the hub on embedded defaults: the order-to-cash flow with live progress and a summary',
      ],
    ],
    load: async () => (await import('./demo.js')).registerDemoCommand,
  },
  {
    commands: [
      [
        'bench [options]',
        'measure the hub on this machine: queue throughput and latency, ledger, outbound efficiency, reconciliation (needs Redis and PostgreSQL)',
      ],
    ],
    load: async () => (await import('./bench.js')).registerBenchCommand,
  },
  {
    commands: [
      [
        'normalize [options] <connectorType> <topic> <payload-file>',
        'print the canonical events of a webhook payload as JSON, without side effects; exit 2 with a JSON error on bad input',
      ],
    ],
    load: async () => (await import('./normalize.js')).registerNormalizeCommand,
  },
  {
    commands: [
      [
        'reconcile [options] <connectorId>',
        "compare a connector with the ERP core and heal by its reconcile policy: channel stock (or a warehouse's on-hand) and orders; exit 3 when the same reconciliation is already running",
      ],
      [
        'resync [options] <connectorId>',
        're-read just these orders (backfilled through the intake) or SKUs (their availableToSell pushed again) from the channel',
      ],
      ['variances', 'warehouse variances above the threshold, waiting for approval'],
    ],
    load: async () => (await import('./reconcile.js')).registerReconcileCommands,
  },
  { commands: [['mappings', 'inspect connector mappings']], load: async () => (await import('./mappings.js')).registerMappingsCommands },
];

/** Declares a module's commands without loading it: enough for `hub --help` and suggestions. */
export function declareCommands(program: Command, module: CommandModule): void {
  for (const [usage, description] of module.commands) {
    const cmd = program.command(usage.replace(' [options]', '')).description(description);
    // The real options come with the module; one hidden one makes help show "[options]" as it will.
    if (usage.includes(' [options]')) cmd.addOption(new Option('--declared-by-module').hideHelp());
  }
}

/** The module that registers top-level command `name`, if any. */
export function moduleOf(name: string | undefined): CommandModule | undefined {
  return name === undefined ? undefined : COMMAND_MODULES.find((m) => m.commands.some(([usage]) => usage.split(' ')[0] === name));
}
