// The public door of @agentopera/nats (SPEC-named symbols are added as they land).
export {};
