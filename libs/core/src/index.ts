// One import for all of AgentOpera. reflect-metadata comes first so that `@messageHandler()` can
// read parameter types in user code that only imports this package.
import 'reflect-metadata';

export * from '@agentopera/types';
export * from '@agentopera/queue';
export * from '@agentopera/subscriptions';
export * from '@agentopera/serialization';
export * from '@agentopera/telemetry';
export * from '@agentopera/state';
export * from '@agentopera/engine';
export * from '@agentopera/agents';
