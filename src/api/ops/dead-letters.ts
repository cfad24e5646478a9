import { z } from 'zod';
import {
  addDeadLetterNote,
  DEAD_LETTER_STATUSES,
  getDeadLetter,
  groupDeadLetters,
  listDeadLetters,
  type DeadLetter,
  type DeadLetterFilter,
} from '../../queues/dead-letter-store.js';
import { STEPS } from '../../queues/names.js';
import { discardDeadLetters, replayDeadLetters } from '../../queues/replay.js';
import { audit } from '../../core/audit.js';
import { hasRole } from './auth.js';
import { deadLetterView, holdsMask, PERSONAL_MASK } from './dead-letter-view.js';
import { ApiError } from './errors.js';
import { IdParam, defineRoute, type OpsDeps, type OpsRoute } from './route.js';
import { DeadLetterGroupsSchema, DeadLetterPageSchema, DeadLetterSchema, DiscardResponseSchema, ReplayResponseSchema } from './schemas.js';

const time = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' });

/** The filters the CLI offers (`hub dlq list --connector ...`), as query or body fields. */
const FilterSchema = z.object({
  connector: z.string().min(1).optional().describe('Connector instance id'),
  error: z.string().min(1).optional().describe('Error class (MappingError) or code (unknown_sku)'),
  type: z.string().min(1).optional().describe('Canonical event type, e.g. order.upserted'),
  step: z.enum(STEPS).optional().describe('Step that failed'),
  since: time.optional().describe('Stored at or after'),
  until: time.optional().describe('Stored before'),
  order: z.string().min(1).optional().describe('External order id or order number'),
  sku: z.string().min(1).optional(),
  q: z.string().trim().min(1).max(200).optional().describe('Free text found (case-insensitive) in the message or anywhere in the payload'),
});

const ListQuery = FilterSchema.extend({
  status: z
    .enum([...DEAD_LETTER_STATUSES, 'all'])
    .optional()
    .describe('open (default), replayed, discarded or all'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional().describe('Continue after this id (nextBefore of the previous page)'),
});

const Payload = z.unknown().describe('Edit-before-replay: the corrected payload, as JSON or as a JSON text (a text keeps large numeric ids exact)');

const ReplayOneBody = z.object({ dryRun: z.boolean().default(false), payload: Payload.optional() }).prefault({});

const ReplayManyBody = z
  .object({
    ids: z.array(z.number().int().positive()).min(1).max(1000).optional(),
    filter: FilterSchema.optional().describe('Every open dead letter matching all given fields'),
    dryRun: z.boolean().default(false),
  })
  .refine((b) => (b.ids === undefined) !== (b.filter === undefined), { message: 'give exactly one of ids or filter', path: ['ids'] })
  .refine((b) => !b.filter || Object.values(b.filter).some((v) => v !== undefined), { message: 'name at least one filter field', path: ['filter'] });

const DiscardOneBody = z.object({ reason: z.string().trim().min(1, 'a discard needs a reason') });
const DiscardManyBody = DiscardOneBody.extend({
  ids: z.array(z.number().int().positive()).min(1).max(1000).optional(),
  filter: FilterSchema.optional().describe('Every open dead letter matching all given fields (at most 1000)'),
})
  .refine((b) => (b.ids === undefined) !== (b.filter === undefined), { message: 'give exactly one of ids or filter', path: ['ids'] })
  .refine((b) => !b.filter || Object.values(b.filter).some((v) => v !== undefined), { message: 'name at least one filter field', path: ['filter'] });
const NoteBody = z.object({ text: z.string().trim().min(1, 'a note needs text').max(2000) });
const GroupsQuery = FilterSchema.extend({
  status: z
    .enum([...DEAD_LETTER_STATUSES, 'all'])
    .optional()
    .describe('open (default), replayed, discarded or all'),
});

const summary = ({ payload: _p, event: _e, error: _r, resolution: _s, sourceKey: _k, inboxId: _i, attempts, notes, ...rest }: DeadLetter) => ({
  ...rest,
  attempts: attempts.length,
  notes: notes.length,
});

async function mustExist(deps: OpsDeps, id: number): Promise<DeadLetter> {
  const entry = await getDeadLetter(deps.db, id);
  if (!entry) throw new ApiError(404, 'not_found', `dead letter ${id} does not exist`);
  return entry;
}

/** A text payload is checked to be JSON; a push replay needs it parsed, a delivery replay keeps the text. */
function editedPayload(entry: DeadLetter, payload: unknown): unknown {
  if (typeof payload !== 'string') return payload;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch (err) {
    throw new ApiError(400, 'invalid_payload', `payload is not JSON: ${(err as Error).message}`);
  }
  return entry.step === 'push' ? parsed : payload;
}

const target = (p: { id: number }) => `dead-letter:${p.id}`;

/** Dead letters: everything `hub dlq` does, through replay.ts (which audits each entry). */
export const deadLetterRoutes: OpsRoute[] = [
  defineRoute({
    method: 'get',
    path: '/dead-letters',
    tag: 'dead-letters',
    role: 'viewer',
    summary: 'List dead letters, newest first',
    query: ListQuery,
    response: DeadLetterPageSchema,
    async handler({ deps, query, principal }) {
      const { limit, before, status, ...filter } = query;
      const page = await listDeadLetters(deps.db, { ...filter, status } satisfies DeadLetterFilter, { limit, before });
      return { items: page.items.map((e) => summary(deadLetterView(e, principal!.role))), total: page.total, nextBefore: page.nextBefore };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/dead-letters/{id}',
    tag: 'dead-letters',
    role: 'viewer',
    summary: 'One dead letter with its error, attempts, payload and event',
    description: `Personal data (names, addresses, emails, phones) shows as "${PERSONAL_MASK}". Operators may ask for it unmasked (unmask=true); each unmasking is audited. Viewers see server paths cut to their last segment.`,
    params: IdParam,
    query: z.object({ unmask: z.stringbool().default(false).describe('Operators: show personal data in clear (audited)') }),
    response: DeadLetterSchema,
    async handler({ deps, params, query, principal, actor }) {
      const entry = await mustExist(deps, params.id);
      if (query.unmask) {
        if (!hasRole(principal!.role, 'operator'))
          throw new ApiError(403, 'forbidden', `token "${principal!.name}" has role ${principal!.role}; unmasking personal data needs operator`);
        await audit(deps.db, {
          actor,
          action: 'dead-letter.unmask',
          target: `dead-letter:${entry.id}`,
          outcome: 'ok',
          details: { connector: entry.connectorId, eventType: entry.eventType },
        });
      }
      return deadLetterView(entry, principal!.role, query.unmask);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/dead-letters/{id}/replay',
    tag: 'dead-letters',
    role: 'operator',
    action: 'dead-letter.replay',
    target,
    auditsItself: true,
    summary: 'Replay one dead letter, optionally as a dry run or with an edited payload',
    description:
      'The entry goes back to the step that failed. The verdict says what happened (requeued, would-apply, already-applied, refused with a message, ...).',
    params: IdParam,
    body: ReplayOneBody,
    response: ReplayResponseSchema,
    async handler({ deps, params, body, actor }) {
      const entry = await mustExist(deps, params.id);
      const payload = body.payload === undefined ? undefined : editedPayload(entry, body.payload);
      if (payload !== undefined && holdsMask(payload)) {
        throw new ApiError(
          400,
          'masked_payload',
          `the edited payload still holds "${PERSONAL_MASK}" values; load the dead letter with unmask=true and edit that`,
        );
      }
      return { results: await replayDeadLetters(deps, { ids: [entry.id] }, { actor, dryRun: body.dryRun, payload }) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/dead-letters/replay',
    tag: 'dead-letters',
    role: 'operator',
    action: 'dead-letter.replay',
    auditsItself: true,
    summary: 'Replay many dead letters, by ids or every open one matching a filter',
    body: ReplayManyBody,
    response: ReplayResponseSchema,
    async handler({ deps, body, actor }) {
      const selector = body.ids ? { ids: body.ids } : { filter: body.filter };
      return { results: await replayDeadLetters(deps, selector, { actor, dryRun: body.dryRun }) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/dead-letters/{id}/discard',
    tag: 'dead-letters',
    role: 'operator',
    action: 'dead-letter.discard',
    target,
    auditsItself: true,
    summary: 'Discard one dead letter with a reason',
    params: IdParam,
    body: DiscardOneBody,
    response: DiscardResponseSchema,
    async handler({ deps, params, body, actor }) {
      await mustExist(deps, params.id);
      const discarded = await discardDeadLetters(deps.db, [params.id], body.reason, actor);
      return { discarded, refused: discarded.length ? [] : [params.id] };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/dead-letters/discard',
    tag: 'dead-letters',
    role: 'operator',
    action: 'dead-letter.discard',
    auditsItself: true,
    summary: 'Discard many dead letters with a reason, by ids or every open one matching a filter',
    body: DiscardManyBody,
    response: DiscardResponseSchema,
    async handler({ deps, body, actor }) {
      const ids = body.ids ?? (await listDeadLetters(deps.db, { ...body.filter, status: 'open' }, { limit: 1000 })).items.map((d) => d.id);
      const discarded = ids.length ? await discardDeadLetters(deps.db, ids, body.reason, actor) : [];
      return { discarded, refused: ids.filter((id) => !discarded.includes(id)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/dead-letter-groups',
    tag: 'dead-letters',
    role: 'viewer',
    summary: 'Dead letters grouped by cause (error code, connector, step) with counts, largest first',
    query: GroupsQuery,
    response: DeadLetterGroupsSchema,
    async handler({ deps, query }) {
      const { status, ...filter } = query;
      return { groups: await groupDeadLetters(deps.db, { ...filter, status }) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/dead-letters/{id}/notes',
    tag: 'dead-letters',
    role: 'operator',
    action: 'dead-letter.note',
    target,
    summary: 'Leave a note on a dead letter (who is on it, what was tried)',
    params: IdParam,
    body: NoteBody,
    response: DeadLetterSchema,
    status: 201,
    async handler({ deps, params, body, actor }) {
      if (!(await addDeadLetterNote(deps.db, params.id, { at: new Date().toISOString(), by: actor, text: body.text })))
        throw new ApiError(404, 'not_found', `dead letter ${params.id} does not exist`);
      return mustExist(deps, params.id);
    },
  }),
];
