/** What a worker process of the nats demo tells the demo over IPC. */
export type WorkerEvent =
  | { readonly type: 'ready'; readonly processId: string }
  /** Sent once its engine is closed, just before it exits. */
  | { readonly type: 'stats'; readonly processId: string; readonly agents: Record<string, number>; readonly handled: number; readonly sent: number; readonly published: number }
  | { readonly type: 'failed'; readonly message: string };

/** What the demo tells a worker process. */
export type WorkerCommand = { readonly type: 'stop' };

/** Environment variables that configure a worker process. */
export const WORKER_ENV = {
  server: 'AGENTOPERA_DEMO_NATS_SERVER',
  cluster: 'AGENTOPERA_DEMO_CLUSTER',
  name: 'AGENTOPERA_DEMO_WORKER_NAME',
} as const;
