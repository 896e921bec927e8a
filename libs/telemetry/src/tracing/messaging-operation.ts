import type { AgentId, MessageChannel } from '@agentopera/types';

/** What the engine is doing with a message; one span per operation. */
export type MessagingOperation = 'create' | 'send' | 'publish' | 'process' | 'ack' | 'intercept';

/** Where a message goes: an agent, a channel, a free-form name, or nowhere in particular. */
export type MessagingDestination = AgentId | MessageChannel | string | null | undefined;
