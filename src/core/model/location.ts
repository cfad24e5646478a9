import { z } from 'zod';
import { SlugSchema } from './primitives.js';

export const LOCATION_KINDS = ['warehouse', 'store', '3pl', 'in-transit'] as const;
export const LocationKindSchema = z.enum(LOCATION_KINDS);

/** A place stock is held: a warehouse, a store, a 3PL site or a virtual in-transit location. */
export const LocationSchema = z.object({
  id: SlugSchema.describe('Location id used across the hub'),
  name: z.string().min(1).optional(),
  kind: LocationKindSchema,
});
export type Location = z.infer<typeof LocationSchema>;
