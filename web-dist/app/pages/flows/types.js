/**
 * The shapes the flow editor works with, mirroring server/src/bots/flowDefinition.ts (the contract) and
 * the flows API. Types only: nothing here runs.
 *
 * @typedef {{ x: number, y: number }} Position
 * @typedef {{ id: string, title: string, description?: string }} FlowOption
 * @typedef {{ max: number, text?: string }} Retry
 * @typedef {{ seconds: number, reminders: number, reminderText?: string }} Timeout
 * @typedef {{ variable: string } | { contactField: string }} SaveTo
 * @typedef {{ subject: string, name?: string, op: string, value?: string }} Condition
 * @typedef {{ id: string, label?: string, all: Condition[] }} Rule
 * @typedef {'start'|'message'|'question'|'condition'|'delay'|'webhook'|'tag'|'set_field'|'transfer'|'end'} NodeType
 * @typedef {{ id: string, type: NodeType, position: Position, data: Record<string, any> }} FlowNode
 * @typedef {{ id: string, from: string, outcome: string, to: string }} FlowEdge
 * @typedef {{ nodes: FlowNode[], edges: FlowEdge[] }} FlowDefinition
 * @typedef {{ type: string, keywords?: { match: string, value: string }[], payload?: string }} FlowTrigger
 * @typedef {{ burstMs: number, maxNodeVisits: number }} FlowSettings
 * @typedef {{ running: number, waiting: number, handedOff: number, ended: number, failed: number }} SessionCounts
 * @typedef {{ id: string, version: number, publishedAt: string, publishedBy: { id: string, name: string } | null }} PublishedVersion
 * @typedef {{
 *   id: string, name: string, connectionIds: string[], trigger: FlowTrigger, priority: number, isFallback: boolean,
 *   status: 'off'|'test'|'live', testPhone: string | null, exitKeywords: string[], settings: FlowSettings,
 *   draft?: FlowDefinition, publishedVersion: PublishedVersion | null, draftChanged: boolean,
 *   sessionCounts: SessionCounts, createdAt: string, updatedAt: string
 * }} Flow
 * @typedef {{ nodeId: string | null, outcome?: string, code: string, message: string, severity: 'error'|'warning' }} Issue
 */
export {};
