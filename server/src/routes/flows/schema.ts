import { z } from 'zod';
import { FlowDefinition, FlowSettings, FlowTrigger } from '../../bots/flowDefinition.js';

export const IdParam = z.uuid();

const Name = z.string().trim().min(1).max(100);
const ExitKeywords = z.array(z.string().trim().min(1).max(50)).max(20);
const ConnectionIds = z.array(z.uuid()).max(100).refine((ids) => new Set(ids).size === ids.length, 'each connection once');

const fields = {
  name: Name,
  /** Empty: every connection. */
  connectionIds: ConnectionIds,
  trigger: FlowTrigger,
  priority: z.int().min(0).max(10_000),
  isFallback: z.boolean(),
  exitKeywords: ExitKeywords,
  /** Replaced whole; missing keys take their defaults. */
  settings: FlowSettings,
  draft: FlowDefinition,
};

export const CreateFlowBody = z.strictObject({
  name: fields.name,
  connectionIds: fields.connectionIds.default([]),
  trigger: fields.trigger.default({ type: 'none' }),
  priority: fields.priority.default(100),
  isFallback: fields.isFallback.default(false),
  exitKeywords: fields.exitKeywords.default(['sair']),
  settings: fields.settings.default(FlowSettings.parse({})),
  draft: fields.draft.optional(),
});
export type CreateFlowInput = z.infer<typeof CreateFlowBody>;

export const UpdateFlowBody = z
  .strictObject({
    name: fields.name.optional(),
    connectionIds: fields.connectionIds.optional(),
    trigger: fields.trigger.optional(),
    priority: fields.priority.optional(),
    isFallback: fields.isFallback.optional(),
    exitKeywords: fields.exitKeywords.optional(),
    settings: fields.settings.optional(),
    draft: fields.draft.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' });
export type UpdateFlowInput = z.infer<typeof UpdateFlowBody>;

export const FlowStatusBody = z.strictObject({
  status: z.enum(['off', 'test', 'live']),
  /** The one number a flow in test answers (digits; a Brazilian mobile gets its ninth digit). */
  testPhone: z.string().trim().max(30).regex(/^\+?[\d\s().-]*$/, 'digits only (country code first)').optional(),
});
export type FlowStatusInput = z.infer<typeof FlowStatusBody>;

export const RollbackBody = z.strictObject({ versionId: z.uuid() });

/** What ?status= filters sessions by: running, waiting (any wait), live (both), handed_off, ended, failed. */
export const SESSION_FILTERS = ['running', 'waiting', 'live', 'handed_off', 'ended', 'failed'] as const;
export const ListSessionsQuery = z.object({
  status: z.enum(SESSION_FILTERS).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** The file a flow is exported as and imported from; nothing in it belongs to one appliance. */
export const FLOW_FILE_FORMAT = 'atendo.flow';
export const FLOW_FILE_VERSION = 1;
export const FlowFile = z.object({
  format: z.literal(FLOW_FILE_FORMAT, { error: `not an Atendo flow file (format must be "${FLOW_FILE_FORMAT}")` }),
  formatVersion: z.literal(FLOW_FILE_VERSION, { error: `this Atendo reads flow files of format version ${FLOW_FILE_VERSION}` }),
  name: Name,
  trigger: FlowTrigger.default({ type: 'none' }),
  settings: FlowSettings.default(FlowSettings.parse({})),
  exitKeywords: ExitKeywords.default(['sair']),
  definition: FlowDefinition,
});
export type FlowFileDocument = z.infer<typeof FlowFile>;
