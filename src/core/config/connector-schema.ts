import type { z } from 'zod';
import type { ConnectorDefinition } from '../../connectors/types.js';
import { secret } from '../model/marks.js';
import { ConnectorBaseSchema } from './schema.js';

/**
 * The full schema of one connector instance of `def`'s type. Whatever a type puts under
 * `credentials` is a secret, whatever its shape: the mark is added here, once for every type.
 */
export function connectorSchema(def: ConnectorDefinition): z.ZodObject {
  const schema = ConnectorBaseSchema.extend(def.configSchema.shape);
  const credentials = schema.shape['credentials'] as z.ZodType | undefined;
  return (credentials ? schema.extend({ credentials: secret(credentials) }) : schema).strict();
}
