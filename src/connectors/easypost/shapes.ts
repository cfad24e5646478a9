import { z } from 'zod';

const opt = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/**
 * A Tracker (the fields the hub reads). Its `status` is the package's. URLs it carries
 * (`public_url`, carrier detail links) embed access tokens and are never read into events.
 * https://docs.easypost.com/docs/trackers
 */
export const EasyPostTrackerSchema = z.object({
  id: z.string().min(1),
  object: z.literal('Tracker'),
  mode: opt(z.string()),
  tracking_code: z.string().min(1),
  carrier: z.string().min(1),
  status: z.string().min(1),
  status_detail: opt(z.string()),
  shipment_id: opt(z.string()),
  created_at: z.string().min(1),
  updated_at: z.string().min(1),
  est_delivery_date: opt(z.string()),
});
export type EasyPostTracker = z.infer<typeof EasyPostTrackerSchema>;

/**
 * A webhook Event. Its own `status` says how the webhook delivery is going (pending, completed,
 * failed), not the package: that is `result.status`.
 * https://docs.easypost.com/docs/events
 */
export const EasyPostEventSchema = z.object({
  id: z.string().min(1),
  object: z.literal('Event'),
  mode: opt(z.string()),
  description: z.string().min(1),
  status: opt(z.string()),
  created_at: z.string().min(1),
  updated_at: opt(z.string()),
  result: EasyPostTrackerSchema,
});
export type EasyPostEvent = z.infer<typeof EasyPostEventSchema>;

/** GET /trackers. https://docs.easypost.com/docs/trackers#retrieve-a-list-of-trackers */
export const EasyPostTrackerListSchema = z.object({ trackers: z.array(EasyPostTrackerSchema), has_more: z.boolean().optional() });

/** An error body. https://docs.easypost.com/docs/errors */
export const EasyPostErrorSchema = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }).loose() }).loose();
